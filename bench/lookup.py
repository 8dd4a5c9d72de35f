"""Order lookup + eligibility check at N orders (SQLite and PostgreSQL) vs the raw indexed query.

`run` seeds a fresh database per engine with the product's own generator (what
`returndesk seed --customers N` runs: about 5 orders per customer, every order case), then
alternates our lookup with the raw query on random orders. `measure` works on any seeded DB.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bench.stats import ms, pct, ratio
from mock_backends.orders import repository
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.generate import generate
from mock_backends.orders.models import Order, utcnow
from mock_backends.orders.returns import ReturnLine, check_lines
from mock_backends.orders.seed import seed_demo

# The baseline: the same lookup written by hand as raw SQL on the same connection (no ORM, no Python
# layer): the order, its items with their products (named in the customer's language, else English),
# and its parcels, by order number and owner.
RAW = text(
    "SELECT o.id, o.customer_id, o.status, o.created_at, o.delivered_at, o.total_cents, o.currency, i.id, "
    "i.variant_id, p.name, p.category, p.final_sale, i.quantity, i.quantity_returned, i.unit_price_cents, "
    "COALESCE(n.name, p.name), v.options, COALESCE(i.quantity_exchanged, 0), s.tracking_number FROM orders o "
    "LEFT JOIN orderitem i ON i.order_id = o.id LEFT JOIN variant v ON v.id = i.variant_id "
    "LEFT JOIN product p ON p.id = v.product_id "
    "LEFT JOIN productname n ON n.product_id = p.id AND n.language = :language "
    "LEFT JOIN shipment s ON s.order_id = o.id "
    "WHERE o.id = :order_id AND o.customer_id = :customer_id ORDER BY i.id, s.id"
)
ITEM_ID = 7  # the position of i.id in RAW
ADMIN_URL = os.environ.get("RETURNDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def measure(
    engine: Engine, order_ids: list[str], customer_of: Callable[[str], str], rounds: int = 1000
) -> dict[str, Any]:
    """p50 of our lookup (alone, and with the eligibility check) vs the raw query, alternating on random orders.

    For reference it also times the same SQL on the bare driver cursor (`driver_p50_ms`): what
    SQLAlchemy's own execute costs, which both our lookup and the raw baseline pay.
    """
    ours: list[float] = []
    lookup_only: list[float] = []
    raw: list[float] = []
    driver: list[float] = []
    now = utcnow()
    rng = random.Random(8)
    compiled = RAW.compile(dialect=engine.dialect)
    with Session(engine) as session:
        cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        for _ in range(rounds):
            order_id = rng.choice(order_ids)
            customer_id = customer_of(order_id)
            started = time.perf_counter()
            detail = repository.get_order_detail(session, customer_id, order_id)
            looked_up = time.perf_counter()
            check_lines(detail, [ReturnLine(line.order_item_id, 1) for line in detail.lines], now=now, damaged=False)
            ours.append(time.perf_counter() - started)
            lookup_only.append(looked_up - started)
            started = time.perf_counter()
            rows = (
                session.connection()
                .execute(RAW, {"order_id": order_id, "customer_id": customer_id, "language": "en"})
                .all()
            )
            raw.append(time.perf_counter() - started)
            assert len({row[ITEM_ID] for row in rows} - {None}) == len(detail.lines)
            params = compiled.construct_params({"order_id": order_id, "customer_id": customer_id, "language": "en"})
            started = time.perf_counter()
            cursor.execute(compiled.string, tuple(params[k] for k in compiled.positiontup or ()) or params)
            driver_rows = cursor.fetchall()
            driver.append(time.perf_counter() - started)
            assert len(driver_rows) == len(rows)
    return {
        "lookup_p50_ms": ms(pct(lookup_only, 50)),
        "ours_p50_ms": ms(pct(ours, 50)),
        "raw_p50_ms": ms(pct(raw, 50)),
        "lookup_ratio": ratio(pct(lookup_only, 50), pct(raw, 50)),
        "ratio_p50": ratio(pct(ours, 50), pct(raw, 50)),
        "target": "ratio <= 1.5",
        "driver_p50_ms": ms(pct(driver, 50)),
    }


@contextmanager
def throwaway_postgres() -> Iterator[str | None]:
    """A fresh database on the local PostgreSQL (dropped afterwards), or None when none answers."""
    import psycopg

    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception:
        yield None
        return
    name = f"rd_bench_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{ADMIN_URL.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+psycopg://')}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(sqlite_path: str, orders: int, orders_per_customer: int = 5) -> list[dict[str, Any]]:
    customers = max(1, orders // orders_per_customer)
    results = []
    with throwaway_postgres() as pg_url:
        for name, url in (("sqlite", f"sqlite:///{sqlite_path}"), ("postgresql", pg_url)):
            if url is None:
                results.append({"database": name, "orders": orders, "skipped": "no PostgreSQL server"})
                continue
            engine = make_engine(url)
            create_tables(engine)
            seed_demo(engine)
            started = time.perf_counter()
            report = generate(
                engine, customers=customers, seed=42, now=utcnow(), orders_per_customer=orders_per_customer
            )
            seeded_s = time.perf_counter() - started
            with Session(engine) as session:
                owner = dict(session.exec(select(Order.id, Order.customer_id)).all())
            results.append(
                {"database": name, "orders": report.orders, "seed_s": round(seeded_s, 1)}
                | measure(engine, list(owner), owner.__getitem__)
            )
            engine.dispose()
    return results
