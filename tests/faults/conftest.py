"""Fault tests run real server processes on 127.0.0.1 against a seeded database."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from sqlalchemy.engine import Engine

from mock_backends.logistics.app import create_carrier_app
from mock_backends.logistics.background import free_port
from mock_backends.logistics.faults import FaultConfig
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo
from tests.postgres import temporary_database

# How long a server process may take to answer /healthz: importing Gradio on a loaded 2-core machine
# has taken over 100 s. A deadline for a condition, not a sleep: a fast machine waits seconds.
STARTUP_S = 300.0


def seeded(url: str) -> Engine:
    engine = make_engine(url)
    create_tables(engine)
    seed_demo(engine)
    return engine


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test alone (servers mutate it)."""
    with temporary_database() as url:
        yield url


class CountingApp:
    """ASGI wrapper counting the HTTP requests that reach the carrier, by path."""

    def __init__(self, app: Any) -> None:
        self.app, self.requests = app, Counter[str]()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] != "/healthz":
            self.requests[scope["path"].split("/")[1]] += 1
        await self.app(scope, receive, send)


@contextmanager
def counted_carrier(database_url: str, faults: FaultConfig) -> Iterator[tuple[str, Counter[str]]]:
    """The real carrier app with `faults`, on 127.0.0.1, behind a request counter (like `running_carrier`)."""
    engine = make_engine(database_url)
    counting = CountingApp(create_carrier_app(engine, faults))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(counting, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the carrier service did not start"
    try:
        yield f"http://127.0.0.1:{port}", counting.requests
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
