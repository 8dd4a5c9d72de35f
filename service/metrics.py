"""Prometheus metrics of the conversations (exposed at /metrics).

Each service gets its own registry, so several apps in one process (tests) never collide.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


class TurnMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter(
            "returndesk_turns", "Customer turns answered, by who wrote the reply.", ["mode"], registry=self.registry
        )
        self.latency = Histogram(
            "returndesk_turn_latency_seconds",
            "Time to answer one customer turn.",
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60),
            registry=self.registry,
        )
        self.tool_calls = Counter(
            "returndesk_tool_calls", "Tool calls, by tool and outcome.", ["tool", "outcome"], registry=self.registry
        )
        self.fallbacks = Counter(
            "returndesk_guided_fallbacks",
            "Turns answered by guided mode although a model endpoint is configured.",
            registry=self.registry,
        )
        self.errors = Counter(
            "returndesk_errors", "Failures: a turn that raised, or a server error.", ["where"], registry=self.registry
        )

        # The model path (agent/observability.py): the server's `usage` per call, per node; call latency.
        self.llm_tokens = Counter(
            "returndesk_llm_tokens",
            "Tokens of model calls as the server counted them, by node and kind (prompt, completion).",
            ["node", "kind"],
            registry=self.registry,
        )
        self.llm_latency = Histogram(
            "returndesk_llm_call_latency_seconds",
            "Time one model call took, by node and outcome (ok, error).",
            ["node", "outcome"],
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120),
            registry=self.registry,
        )
        self.turn_llm_tokens = Histogram(
            "returndesk_turn_llm_tokens",
            "Model tokens one customer turn used, by kind.",
            ["kind"],
            buckets=(0, 500, 1000, 2000, 4000, 8000, 16000, 32000, 64000),
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
