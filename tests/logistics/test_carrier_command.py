"""`returndesk carrier` runs the carrier service on its own port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.logistics.server import free_port


def test_carrier_command_serves_tracking_on_the_configured_port_to_holders_of_its_token(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "RETURNDESK_DATA_DIR": str(tmp_path), "RETURNDESK_CARRIER_PORT": str(port)}
    env.pop("RETURNDESK_DATABASE_URL", None)
    env.pop("RETURNDESK_CARRIER_TOKEN", None)  # none configured: the command makes one and prints it
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "carrier"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        token = _printed_token(proc)
        deadline, health = time.monotonic() + 300, None  # a loaded 2-core machine starts it slowly
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert health == {"status": "ok"}, proc.stdout.read() if proc.poll() is not None else ""  # type: ignore[union-attr]
        refused = httpx.get(f"http://127.0.0.1:{port}/tracking/RD000000000", timeout=5)
        missing = httpx.get(
            f"http://127.0.0.1:{port}/tracking/RD000000000", timeout=5, headers={"Authorization": f"Bearer {token}"}
        )
        assert refused.status_code == 401
        assert missing.status_code == 404 and missing.json()["code"] == "tracking_not_found"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _printed_token(proc: subprocess.Popen[str]) -> str:
    """The token line the command prints first (the process's output ends if it dies, ending the loop)."""
    for line in proc.stdout:  # type: ignore[union-attr]
        if line.startswith("RETURNDESK_CARRIER_TOKEN="):
            return line.strip().removeprefix("RETURNDESK_CARRIER_TOKEN=")
    raise AssertionError("the carrier command printed no token")
