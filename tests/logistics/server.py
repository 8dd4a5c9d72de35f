"""Carrier helpers for tests: the real service in a thread (mock_backends.logistics.background)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mock_backends.logistics.background import free_port, running_carrier
from mock_backends.orders.models import Shipment

__all__ = ["closed_port_url", "free_port", "running_carrier", "tracking_number_of"]


def closed_port_url() -> str:
    """A URL where nothing listens: the carrier is down."""
    return f"http://127.0.0.1:{free_port()}"


def tracking_number_of(engine: Engine, order_id: str) -> str:
    """The seeded outbound tracking number of an order (looked up, not hard-coded)."""
    with Session(engine) as session:
        return session.exec(
            select(Shipment.tracking_number).where(Shipment.order_id == order_id, Shipment.direction == "outbound")
        ).one()
