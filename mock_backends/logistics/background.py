"""The carrier service in a background thread on a free loopback port (tests, QA recordings)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from mock_backends.logistics.app import create_carrier_app
from mock_backends.logistics.faults import FaultConfig
from mock_backends.orders.db import make_engine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_carrier(
    database_url: str, faults: FaultConfig | None = None, port: int | None = None, token: str | None = None
) -> Iterator[str]:
    """Starts the carrier on its own engine (as the real service has) and yields its base URL.

    `port`: where it listens (default: a free one); a test passes the port a client has found closed
    to bring the carrier back after an outage. `token`: the bearer token it requires (default: none)."""
    engine = make_engine(database_url)
    port = port or free_port()
    app = create_carrier_app(engine, faults or FaultConfig(hang_s=5), token=token)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        raise RuntimeError("the carrier service did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
