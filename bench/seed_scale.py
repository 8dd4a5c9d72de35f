"""How long `returndesk seed --customers N` takes at scale, on SQLite and PostgreSQL.

    .venv/bin/python bench/seed_scale.py --orders 1000000

Each run gets a fresh database (a temporary SQLite file; a throwaway PostgreSQL database that is
dropped afterwards). The table's ratio column compares each run with the baseline measured in the
same run: SQLite with Core executemany.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.generate import generate
from mock_backends.orders.seed import seed_demo

ADMIN_URL = os.environ.get("RETURNDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
ORDERS_PER_CUSTOMER = 5


def run(url: str, customers: int, method: str) -> tuple[float, int, int]:
    engine = make_engine(url)
    create_tables(engine)
    seed_demo(engine)
    start = time.perf_counter()
    report = generate(
        engine,
        customers=customers,
        seed=1,
        now=datetime.now(UTC),
        method=method,  # type: ignore[arg-type]
        orders_per_customer=ORDERS_PER_CUSTOMER,
    )
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds, report.orders, sum(report.rows.values())


def on_sqlite(customers: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as directory:
        return run(f"sqlite:///{Path(directory) / 'bench.db'}", customers, "executemany")


def on_postgres(customers: int, method: str) -> tuple[float, int, int]:
    name = f"rd_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
            return run(f"{base}/{name}", customers, method)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000, help="approximate orders per run")
    parser.add_argument("--skip-postgres-executemany", action="store_true", help="only COPY on PostgreSQL")
    args = parser.parse_args()
    customers = max(1, args.orders // ORDERS_PER_CUSTOMER)
    runs = [
        ("SQLite", "executemany", lambda: on_sqlite(customers)),
        ("PostgreSQL", "copy", lambda: on_postgres(customers, "copy")),
    ]
    if not args.skip_postgres_executemany:
        runs.insert(1, ("PostgreSQL", "executemany", lambda: on_postgres(customers, "executemany")))
    table = Table(
        "database",
        "method",
        "customers",
        "orders",
        "rows",
        "seconds",
        "orders/s",
        "time vs baseline",
        title=f"Seeding ~{args.orders:,} orders (baseline: SQLite executemany, same run)",
    )
    baseline = None
    for database, method, measure in runs:
        seconds, orders, rows = measure()
        baseline = baseline or seconds
        table.add_row(
            database,
            method,
            f"{customers:,}",
            f"{orders:,}",
            f"{rows:,}",
            f"{seconds:.1f}",
            f"{orders / seconds:,.0f}",
            f"{seconds / baseline:.2f}x",
        )
        Console().print(f"{database} {method}: {orders:,} orders in {seconds:.1f}s")
    Console().print(table)


if __name__ == "__main__":
    main()
