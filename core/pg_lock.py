"""One process at a time in a block, across processes sharing one PostgreSQL: a session advisory lock.

Used around making tables (the shop's, LangGraph's checkpoint tables): PostgreSQL's
`CREATE ... IF NOT EXISTS` is not safe against another session creating the same object at the same
moment (a unique violation on `pg_type`). The lock lives on a connection of its own, so a killed
process releases it when its connection drops.

Waiting polls `pg_try_advisory_lock` on an autocommit connection, so no transaction is ever open
meanwhile. A waiter blocked inside `pg_advisory_lock`, or one polling inside a transaction, holds a
transaction open, and `CREATE INDEX CONCURRENTLY` (the checkpoint migrations) waits for every open
transaction: a deadlock PostgreSQL does not detect. Committing after each poll is not enough: the
transaction stays open for a round trip between the poll and its commit.

Our own few lines: neither SQLAlchemy nor psycopg offers an advisory-lock helper. Takes an autocommit
DB-API connection (psycopg's; SQLAlchemy callers set isolation_level="AUTOCOMMIT" and pass the driver
connection), imports nothing of ours.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

POLL_S = 0.05


def first_value(row: Any) -> Any:
    """A row's first column, whether the connection makes tuples or dicts (the checkpoint pool's)."""
    return next(iter(row.values())) if isinstance(row, dict) else row[0]


@contextmanager
def advisory_lock(conn: Any, key: int, poll_s: float = POLL_S) -> Iterator[None]:
    """Holds `pg_advisory_lock(key)` on the autocommit connection `conn` for the block, waiting by
    polling. Refuses a connection with transactions on: it would hold one open while it waits."""
    if not conn.autocommit:
        raise ValueError("advisory_lock needs an autocommit connection (no transaction open while waiting)")
    cursor = conn.cursor()
    try:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", (key,))
            if first_value(cursor.fetchone()):
                break
            time.sleep(poll_s)
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", (key,))
            cursor.fetchone()
    finally:
        cursor.close()
