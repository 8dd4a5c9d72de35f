"""Small look-ups the graph tests share."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from mock_backends.orders import repository


def item_id(engine: Engine, order_id: str, product: str, customer_id: str = "alice_chen_1001") -> int:
    with Session(engine) as db:
        detail = repository.get_order_detail(db, customer_id, order_id)
    return next(line.order_item_id for line in detail.lines if line.product_name == product)
