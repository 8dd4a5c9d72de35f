"""`core.pg_lock.advisory_lock`: one holder at a time, and a waiter that holds no transaction open.

The second property is the one that matters: PostgresSaver.setup()'s CREATE INDEX CONCURRENTLY waits
for every open transaction, so a waiter sitting in a transaction while the holder runs it would
deadlock them both (PostgreSQL does not detect that). Both connection kinds the product passes are
tried: a plain psycopg connection (SQLAlchemy's driver connection, transactions on) and the
checkpoint pool's kind (autocommit, rows as dicts).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
import pytest
from psycopg.rows import dict_row

from core.pg_lock import advisory_lock

KEY = 0x52445445  # "RDTE": a key no product code uses


def plain(url: str) -> psycopg.Connection:
    return psycopg.connect(url)


def autocommit_dicts(url: str) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True, row_factory=dict_row)


def wait_for(condition: Callable[[], bool], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


@pytest.mark.parametrize("connect", [plain, autocommit_dicts], ids=["plain", "autocommit-dict-rows"])
def test_a_waiter_gets_the_lock_after_the_holder_and_holds_no_transaction_meanwhile(
    postgres_url: str, connect: Callable[[str], psycopg.Connection]
) -> None:
    url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    holder, waiter, observer = connect(url), connect(url), psycopg.connect(url, autocommit=True)
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
        for conn in (holder, waiter, observer):
            conn.close()


def _take(conn: psycopg.Connection, order: list[str]) -> None:
    with advisory_lock(conn, KEY, poll_s=0.01):
        order.append("waiter took it")
