"""Prometheus metrics of the conversations (exposed at /metrics).

Each service gets its own registry, so several apps in one process (tests) never collide.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


class TurnMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter("returndesk_turns", "Customer turns answered, by who wrote the reply.",
                             ["mode"], registry=self.registry)
        self.latency = Histogram("returndesk_turn_latency_seconds", "Time to answer one customer turn.",
                                 buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60), registry=self.registry)
        self.tool_calls = Counter("returndesk_tool_calls", "Tool calls, by tool and outcome.",
                                  ["tool", "outcome"], registry=self.registry)
        self.fallbacks = Counter("returndesk_guided_fallbacks",
                                 "Turns answered by guided mode although a model endpoint is configured.",
                                 registry=self.registry)
        self.errors = Counter("returndesk_errors", "Failures: a turn that raised, or a server error.",
                              ["where"], registry=self.registry)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
