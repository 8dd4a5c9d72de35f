"""A real carrier service for tests: uvicorn in a thread on a free port of 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mock_backends.logistics.app import create_carrier_app
from mock_backends.logistics.faults import FaultConfig
from mock_backends.orders.db import make_engine
from mock_backends.orders.models import Shipment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_port_url() -> str:
    """A URL where nothing listens: the carrier is down."""
    return f"http://127.0.0.1:{free_port()}"


@contextmanager
def running_carrier(database_url: str, faults: FaultConfig | None = None) -> Iterator[str]:
    """Starts the carrier on its own engine (as the real service has) and yields its base URL."""
    engine = make_engine(database_url)
    port = free_port()
    config = uvicorn.Config(create_carrier_app(engine, faults or FaultConfig(hang_s=5)), host="127.0.0.1",
                            port=port, log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the carrier service did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


def tracking_number_of(engine: Engine, order_id: str) -> str:
    """The seeded outbound tracking number of an order (looked up, not hard-coded)."""
    with Session(engine) as session:
        return session.exec(select(Shipment.tracking_number).where(
            Shipment.order_id == order_id, Shipment.direction == "outbound")).one()
