"""Waiting for a model server (vLLM, llama-server) to answer: one loop for every launcher."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time

import httpx


def base_url_for(host: str, port: int) -> str:
    """The OpenAI base URL (`.../v1`) clients use; a bind-all address becomes loopback."""
    reachable = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{reachable}:{port}/v1"


def wait_until_answers(
    process: subprocess.Popen[bytes] | subprocess.Popen[str],
    url: str,
    timeout_s: float,
    poll_s: float,
    wake: threading.Event | None = None,
) -> bool:
    """Poll `url` until it answers 200: True; False if the process exits or the deadline passes.

    Between polls it waits `poll_s`, or less: until the process exits, or until `wake` is set (a
    launcher sets it when the server's log says it started, so the next poll comes at once).
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx.get(url, timeout=max(poll_s, 1.0)).status_code == 200:
                return True
        except httpx.HTTPError:
            pass  # not listening yet, or still loading the model
        if wake is not None and wake.wait(poll_s):
            wake.clear()
            continue
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=poll_s if wake is None else 0)  # returns at once if it dies meanwhile
    return False
