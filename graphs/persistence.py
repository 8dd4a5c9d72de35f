"""Durable checkpoints: a SQLite file by default, PostgreSQL when the settings say so."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from langgraph.checkpoint.base import BaseCheckpointSaver

from core.pg_lock import advisory_lock
from core.settings import Settings

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

# Key of the advisory lock around making the checkpoint tables (any fixed 64-bit number).
CHECKPOINT_SCHEMA_LOCK_KEY = 0x5244434B  # "RDCK"


def open_checkpointer(settings: Settings) -> BaseCheckpointSaver:
    target = settings.resolved_checkpoint_url
    if target.startswith("postgres"):
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        # A pool, not one connection: the API serves several sessions from worker threads.
        pool = ConnectionPool(
            target, open=True, max_size=10, kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
        )
        saver = PostgresSaver(pool)  # type: ignore[arg-type]
        with schema_lock(pool):
            saver.setup()
        return saver
    from langgraph.checkpoint.sqlite import SqliteSaver

    Path(target).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(target, check_same_thread=False, timeout=30)
    # SqliteSaver serialises every read and write on this one connection behind a lock. In the
    # default rollback journal each checkpoint write waited for several fsyncs while holding it, so
    # concurrent sessions queued behind the disk. WAL + synchronous=NORMAL commits without fsync
    # (the WAL is synced at checkpoints): still safe against a process crash (SIGKILL); only an
    # OS crash or power cut can lose the last few checkpoint writes.
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    sqlite_saver = SqliteSaver(conn)
    sqlite_saver.setup()
    return sqlite_saver


@contextmanager
def schema_lock(pool: ConnectionPool) -> Iterator[None]:
    """One server process at a time in the block: PostgresSaver.setup()'s CREATE TABLE IF NOT EXISTS fails
    (a unique violation on pg_type) when another process makes the same table at the same moment, and its
    CREATE INDEX CONCURRENTLY needs the waiters to hold no transaction (`core.pg_lock`)."""
    with pool.connection() as conn, advisory_lock(conn, CHECKPOINT_SCHEMA_LOCK_KEY):
        yield
