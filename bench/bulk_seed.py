"""A minimal bulk loader for load tests: many customers, each with delivered, returnable orders.

Kept beside `returndesk seed --customers N` (which the lookup benchmark now uses) because load runs
need to know, without a query, each customer's email and an order with exactly one returnable pair
of headphones (`bulk_email(c)`, `bulk_order_id(c)`); the generator's orders vary case by case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from mock_backends.orders.db import create_tables
from mock_backends.orders.models import Customer, Order, OrderItem, utcnow
from mock_backends.orders.seed import seed_demo

FIRST_ORDER = 2_000_000  # demo orders are #W1000001..#W1000022
CHUNK = 20_000


def bulk_order_id(index: int) -> str:
    return f"#W{FIRST_ORDER + index:07d}"


def bulk_email(customer: int) -> str:
    return f"load{customer}@example.com"


def seed_bulk(engine: Engine, *, customers: int, orders_per_customer: int = 1, now: datetime | None = None) -> int:
    """Demo data plus `customers` x `orders_per_customer` delivered orders (headphones x1, cable x2). Returns orders."""
    create_tables(engine)
    seed_demo(engine)
    now = now or utcnow()
    delivered = now - timedelta(days=3)
    rows: dict[str, list[dict[str, Any]]] = {"customer": [], "orders": [], "orderitem": []}
    with engine.begin() as conn:
        for c in range(customers):
            rows["customer"].append(
                {
                    "id": f"load_{c}",
                    "first_name": "Load",
                    "last_name": f"Tester{c}",
                    "email": bulk_email(c),
                    "phone": None,
                    "postcode": "00000",
                    "preferred_language": "en",
                }
            )
            for k in range(orders_per_customer):
                order_id = bulk_order_id(c * orders_per_customer + k)
                rows["orders"].append(
                    {
                        "id": order_id,
                        "customer_id": f"load_{c}",
                        "status": "delivered",
                        "created_at": delivered - timedelta(days=5),
                        "shipped_at": delivered - timedelta(days=3),
                        "delivered_at": delivered,
                        "ship_to": "",
                        "total_cents": 8999 + 2 * 1299,
                        "processing_at": None,
                        "cancelled_at": None,
                    }
                )
                rows["orderitem"] += [
                    {
                        "order_id": order_id,
                        "variant_id": "P-HEADPHONES-STD",
                        "quantity": 1,
                        "unit_price_cents": 8999,
                        "quantity_returned": 0,
                    },
                    {
                        "order_id": order_id,
                        "variant_id": "P-CABLE-STD",
                        "quantity": 2,
                        "unit_price_cents": 1299,
                        "quantity_returned": 0,
                    },
                ]
            if len(rows["orderitem"]) >= CHUNK:
                _flush(conn, rows)
        _flush(conn, rows)
    return customers * orders_per_customer


def _flush(conn, rows: dict[str, list[dict[str, Any]]]) -> None:
    for table in (Customer.__table__, Order.__table__, OrderItem.__table__):  # parents first
        batch = rows[table.name]  # type: ignore[attr-defined]
        if batch:
            conn.execute(table.insert(), batch)  # type: ignore[attr-defined]
            batch.clear()
