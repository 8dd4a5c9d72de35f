"""`make demo`'s entry point starts the server (answers /healthz) and the carrier service beside it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from mock_backends.orders.db import make_engine
from tests.logistics.server import tracking_number_of


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_command_seeds_and_serves_healthz(tmp_path: Path) -> None:
    port, carrier_port = free_port(), free_port()
    env = {
        **os.environ,
        "RETURNDESK_DATA_DIR": str(tmp_path),
        "RETURNDESK_PORT": str(port),
        "RETURNDESK_CARRIER_PORT": str(carrier_port),
    }
    for name in (
        "RETURNDESK_LLM_BASE_URL",
        "RETURNDESK_DATABASE_URL",
        "RETURNDESK_CARRIER_URL",
        "RETURNDESK_CARRIER_TOKEN",
    ):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 300  # a loaded 2-core machine imports Gradio slowly
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert body == {"status": "ok", "mode": "guided"}, proc.stdout.read() if proc.poll() is not None else ""
        assert (tmp_path / "returndesk.db").exists()
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200 and "ReturnDesk" in page.text
        carrier = f"http://127.0.0.1:{carrier_port}"
        assert httpx.get(f"{carrier}/healthz", timeout=5).json() == {"status": "ok"}
        engine = make_engine(f"sqlite:///{tmp_path / 'returndesk.db'}")
        number = tracking_number_of(engine, "#W1000004")  # the carrier serves the demo's own parcels
        engine.dispose()
        # Only to the web app, which shares the token the demo made: not to anyone on its port.
        assert httpx.get(f"{carrier}/tracking/{number}", timeout=5).status_code == 401
        app = f"http://127.0.0.1:{port}/v1/sessions"
        session_id = httpx.post(app, json={"email": "alice@example.com", "order_id": "#W1000001"}, timeout=30).json()[
            "session_id"
        ]
        turn = httpx.post(
            f"{app}/{session_id}/messages", json={"text": "Where is my order #W1000004?"}, timeout=60
        ).json()
        [tracked] = [t["result"] for t in turn["tool_trace"] if t["tool"] == "track_shipment"]
        assert tracked["ok"] and tracked["parcels"][0]["status"] == "in_transit"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
