"""Cold start of `returndesk demo` (fresh data dir, venv present) to the first answer, vs a bare uvicorn app."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.servers import ServerProcess


def _first_answer(server: ServerProcess, started: float) -> float:
    server.wait_ready(timeout_s=180)
    session = httpx.post(
        f"{server.url}/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001"}, timeout=60
    ).json()["session_id"]
    turn = httpx.post(
        f"{server.url}/v1/sessions/{session}/messages", json={"text": "where is my order #W1000004?"}, timeout=60
    ).json()
    [call] = turn["tool_trace"]
    assert call["tool"] == "track_shipment" and call["result"]["ok"] and "RD100000004" in turn["reply"], turn
    return time.perf_counter() - started


def run(workdir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    with ServerProcess(
        {"RETURNDESK_DATA_DIR": str(workdir / "demo-data")},
        workdir / "demo.log",
        [sys.executable, "-m", "ui.cli", "demo"],
    ) as demo:
        demo_s = _first_answer(demo, started)
    started = time.perf_counter()
    with ServerProcess(
        {},
        workdir / "bare-cold.log",
        [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--host", "127.0.0.1", "--port", "{port}"],
    ) as bare:
        bare.wait_ready()
        httpx.post(f"{bare.url}/v1/echo", json={"text": "hi"})
        bare_s = time.perf_counter() - started
    return {
        "demo_first_answer_s": round(demo_s, 2),
        "bare_fastapi_first_answer_s": round(bare_s, 2),
        "ratio": round(demo_s / bare_s, 2),
    }
