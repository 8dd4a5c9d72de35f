"""`make demo`'s entry point starts a server that answers /healthz."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_command_seeds_and_serves_healthz(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "RETURNDESK_DATA_DIR": str(tmp_path), "RETURNDESK_PORT": str(port)}
    env.pop("RETURNDESK_LLM_BASE_URL", None)
    env.pop("RETURNDESK_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "demo"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
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
    finally:
        proc.terminate()
        proc.wait(timeout=20)
