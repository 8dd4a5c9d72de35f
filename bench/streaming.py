"""Streaming: latency ReturnDesk adds between the model server's first token and the client's first token.

A FAKE vLLM server (tests/fakes/vllm_server.py) streams a plain reply at a fixed token rate and
notes when it wrote the first content token; ReturnDesk runs as a real `returndesk serve` process
pointed at it (RETURNDESK_LLM_STREAM=true); an httpx client notes when the first token reaches it,
on the SSE route and on the OpenAI-compatible route. Fake and client share this process, so both
times come from one clock (time.perf_counter). Baseline: the same client reading the fake directly,
which is what the network and the HTTP stack cost anyway. Samples alternate between the three.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.servers import ServerProcess
from bench.stats import ms, pct
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo
from tests.fakes.vllm_server import FakeVLLMServer, Reply

TOKENS_PER_S = 50
REPLY = "Your headphones can be returned until the end of next month, free of charge."
MODEL = "Qwen/Qwen3-4B-Instruct-2507"


def _first_token(response: httpx.Response, is_token: Callable[[str, str], bool]) -> float:
    """perf_counter() when the first token event arrived; the rest of the stream is drained."""
    event, arrived = "", None
    for line in response.iter_lines():
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:") and arrived is None and is_token(event, line.removeprefix("data:").strip()):
            arrived = time.perf_counter()
    assert arrived is not None, "the stream carried no token"
    return arrived


def _content_delta(_event: str, data: str) -> bool:
    """An OpenAI-style chunk with non-empty content (the role chunk comes before the model answers)."""
    if data == "[DONE]":
        return False
    choices = json.loads(data).get("choices") or [{}]
    return bool(choices[0].get("delta", {}).get("content"))


def _sse_token(event: str, _data: str) -> bool:
    return event == "token"


def run(workdir: Path, samples: int = 20) -> list[dict[str, Any]]:
    data = workdir / "stream-data"
    engine = make_engine(f"sqlite:///{(data / 'returndesk.db').as_posix()}")
    create_tables(engine)
    seed_demo(engine)
    engine.dispose()
    added: dict[str, list[float]] = {
        "direct (baseline)": [],
        "SSE /v1/sessions/{id}/messages/stream": [],
        "OpenAI /v1/chat/completions stream": [],
    }
    with FakeVLLMServer(responder=lambda body: Reply.stream_text(REPLY, TOKENS_PER_S)) as fake:
        env = {
            "RETURNDESK_DATA_DIR": str(data),
            "RETURNDESK_LLM_BASE_URL": fake.base_url,
            "RETURNDESK_LLM_MODEL": MODEL,
            "RETURNDESK_LLM_STREAM": "true",
            "RETURNDESK_RATE_LIMIT_PER_MINUTE": "0",
        }
        with ServerProcess(env, workdir / "streaming.log") as server, httpx.Client(timeout=60) as http:
            server.wait_ready()
            session_id = http.post(
                f"{server.url}/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001"}
            ).json()["session_id"]
            routes: dict[str, Callable[[], httpx.Response]] = {
                "direct (baseline)": lambda: http.stream(
                    "POST",
                    f"{fake.base_url}/chat/completions",
                    json={"model": MODEL, "stream": True, "messages": [{"role": "user", "content": "hi"}]},
                ),
                "SSE /v1/sessions/{id}/messages/stream": lambda: http.stream(
                    "POST",
                    f"{server.url}/v1/sessions/{session_id}/messages/stream",
                    json={"text": "Can I still send something back?"},
                ),
                "OpenAI /v1/chat/completions stream": lambda: http.stream(
                    "POST",
                    f"{server.url}/v1/chat/completions",
                    headers={"X-Session-Id": session_id},
                    json={
                        "model": "returndesk",
                        "stream": True,
                        "messages": [{"role": "user", "content": "Can I still send something back?"}],
                    },
                ),
            }
            for i in range(samples + 2):  # the first two rounds warm up and are not counted
                for name, open_stream in routes.items():
                    written = len(fake.first_token_at)
                    with open_stream() as response:
                        assert response.status_code == 200, response.read()
                        arrived = _first_token(response, _sse_token if name.startswith("SSE") else _content_delta)
                    assert len(fake.first_token_at) == written + 1, "one streamed model call per turn"
                    if i >= 2:
                        added[name].append(arrived - fake.first_token_at[written])
    baseline = pct(added["direct (baseline)"], 50)
    return [
        {
            "route": name,
            "samples": len(values),
            "tokens_per_s": TOKENS_PER_S,
            "first_token_gap_p50_ms": ms(pct(values, 50)),
            "gap_p99_ms": ms(pct(values, 99)),
            "added_vs_direct_p50_ms": ms(pct(values, 50) - baseline),
            "target": "added < 10 ms",
        }
        for name, values in added.items()
    ]
