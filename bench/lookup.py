"""Order lookup + eligibility check at N orders (SQLite and PostgreSQL) vs the raw indexed query.

`measure(engine, order_ids, customer_of)` works on any seeded DB (e.g. one from
`returndesk seed --customers N`); `run` seeds its own with bench/bulk_seed.py.
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
from sqlmodel import Session

from bench.bulk_seed import bulk_order_id, seed_bulk
from bench.stats import ms, pct, ratio
from mock_backends.orders import repository
from mock_backends.orders.db import make_engine
from mock_backends.orders.models import utcnow
from mock_backends.orders.returns import ReturnLine, check_lines

RAW = text("SELECT o.id, o.customer_id, o.status, o.delivered_at, i.id, i.quantity, i.quantity_returned, "
           "i.unit_price_cents, p.name, p.category, p.final_sale FROM orders o "
           "JOIN orderitem i ON i.order_id = o.id JOIN variant v ON v.id = i.variant_id "
           "JOIN product p ON p.id = v.product_id WHERE o.id = :order_id")
ADMIN_URL = os.environ.get("RETURNDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def measure(engine: Engine, order_ids: list[str], customer_of: Callable[[str], str], rounds: int = 300) -> dict[str, Any]:
    """p50 of our lookup + eligibility check vs the raw query, alternating on random orders."""
    ours: list[float] = []
    raw: list[float] = []
    now = utcnow()
    rng = random.Random(8)
    with Session(engine) as session:
        for _ in range(rounds):
            order_id = rng.choice(order_ids)
            started = time.perf_counter()
            detail = repository.get_order_detail(session, customer_of(order_id), order_id)
            check_lines(detail, [ReturnLine(line.order_item_id, 1) for line in detail.lines], now=now, damaged=False)
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            rows = session.connection().execute(RAW, {"order_id": order_id}).all()
            raw.append(time.perf_counter() - started)
            assert len(rows) == len(detail.lines)
    return {"ours_p50_ms": ms(pct(ours, 50)), "raw_p50_ms": ms(pct(raw, 50)),
            "ratio_p50": ratio(pct(ours, 50), pct(raw, 50)), "target": "ratio <= 1.5"}


@contextmanager
def throwaway_postgres() -> Iterator[str | None]:
    """A fresh database on the local PostgreSQL (dropped afterwards), or None when none answers."""
    import psycopg

    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception:  # noqa: BLE001  (no server: the row says "skipped")
        yield None
        return
    name = f"rd_bench_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{ADMIN_URL.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+psycopg://')}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(sqlite_path: str, orders: int, orders_per_customer: int = 10) -> list[dict[str, Any]]:
    customers = max(1, orders // orders_per_customer)
    order_ids = [bulk_order_id(i) for i in range(customers * orders_per_customer)]

    def customer_of(order_id: str) -> str:
        return f"load_{(int(order_id[2:]) - 2_000_000) // orders_per_customer}"

    results = []
    with throwaway_postgres() as pg_url:
        for name, url in (("sqlite", f"sqlite:///{sqlite_path}"), ("postgresql", pg_url)):
            if url is None:
                results.append({"database": name, "orders": orders, "skipped": "no PostgreSQL server"})
                continue
            engine = make_engine(url)
            started = time.perf_counter()
            seed_bulk(engine, customers=customers, orders_per_customer=orders_per_customer)
            seeded_s = time.perf_counter() - started
            results.append({"database": name, "orders": len(order_ids), "seed_s": round(seeded_s, 1)}
                           | measure(engine, order_ids, customer_of))
            engine.dispose()
    return results
