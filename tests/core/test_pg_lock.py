"""`core.pg_lock.advisory_lock`: one holder at a time, and a waiter that holds no transaction open.

The second property is the one that matters: PostgresSaver.setup()'s CREATE INDEX CONCURRENTLY waits
for every open transaction, so a waiter sitting in a transaction while the holder runs it would
deadlock them both (PostgreSQL does not detect that). Both connection kinds the product passes are
tried: the shop's (SQLAlchemy's driver connection under isolation_level="AUTOCOMMIT") and the
checkpoint pool's (psycopg autocommit, rows as dicts). A connection with transactions on is refused:
polling on it, even with a commit after each poll, leaves a transaction open for a round trip.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from core.pg_lock import advisory_lock

KEY = 0x52445445  # "RDTE": a key no product code uses


@pytest.fixture(params=["sqlalchemy-autocommit", "autocommit-dict-rows"])
def connect(request: pytest.FixtureRequest, postgres_url: str) -> Iterator[Callable[[], psycopg.Connection]]:
    """Opens connections of the two kinds the product passes, and closes them after the test."""
    opened: list[Any] = []

    def make() -> psycopg.Connection:
        if request.param == "sqlalchemy-autocommit":  # what mock_backends.orders.db.schema_lock passes
            outer = create_engine(postgres_url, poolclass=NullPool).connect()
            outer.execution_options(isolation_level="AUTOCOMMIT")
            opened.append(outer)  # kept: a collected SQLAlchemy connection resets its driver's autocommit
            driver = outer.connection.driver_connection
            assert driver is not None
            return driver
        url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
        conn = psycopg.connect(url, autocommit=True, row_factory=dict_row)  # the checkpoint pool's kind
        opened.append(conn)
        return conn

    yield make
    for conn in opened:
        conn.close()


def wait_for(condition: Callable[[], bool], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_a_waiter_gets_the_lock_after_the_holder_and_holds_no_transaction_meanwhile(
    postgres_url: str, connect: Callable[[], psycopg.Connection]
) -> None:
    url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    holder, waiter, observer = connect(), connect(), psycopg.connect(url, autocommit=True)
    waiter_pid = waiter.info.backend_pid
    order: list[str] = []
    try:
        with advisory_lock(holder, KEY):
            thread = threading.Thread(target=lambda: _take(waiter, order))
            thread.start()

            def waiter_polled() -> bool:
                row = observer.execute(
                    "SELECT query, state FROM pg_stat_activity WHERE pid = %s", (waiter_pid,)
                ).fetchone()
                return row is not None and "pg_try_advisory_lock" in row[0]

            wait_for(waiter_polled)  # it has asked at least once, and was refused
            states = []
            for _ in range(10):  # across several polls: between them, idle outside any transaction
                row = observer.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", (waiter_pid,)).fetchone()
                states.append(row[0] if row else None)
                time.sleep(0.03)
            assert "idle in transaction" not in states, states  # what held CREATE INDEX CONCURRENTLY up
            assert "idle" in states, states  # not blocked inside one statement (pg_advisory_lock) either
            assert order == []  # not while the holder has it
            order.append("holder released")
        thread.join(timeout=20)
        assert order == ["holder released", "waiter took it"]
        held = observer.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND objsubid = 1"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (KEY,),
        ).fetchone()
        assert held == (0,)  # the waiter let go too
    finally:
        observer.close()


def test_a_connection_with_transactions_on_is_refused_before_it_asks(postgres_url: str) -> None:
    url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        with pytest.raises(ValueError, match="autocommit"), advisory_lock(conn, KEY):
            pass
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE  # nothing was sent


def _take(conn: psycopg.Connection, order: list[str]) -> None:
    with advisory_lock(conn, KEY, poll_s=0.01):
        order.append("waiter took it")
