"""One turn of a session at a time, across every server process that shares the database.

Two processes behind a load balancer may receive a confirm and a cancel of the same card at once;
each must see the other's outcome, not both resume the card. The lock is chosen from the order
database's URL, because that is what the processes share:

- PostgreSQL: a session-level advisory lock keyed by the session, held on a connection of its own
  for the turn (`pg_advisory_lock`), so a killed process releases it when its connection drops;
- SQLite file: an OS file lock (`filelock`, flock) on one of a fixed number of lock files next to
  the database, so it works between processes on one machine, as SQLite itself does;
- in-memory SQLite (one process by definition): a fixed array of thread locks.

Each backend waits at most `timeout_s`, then raises `TurnLockTimeout`. Nothing grows with the
number of sessions: sessions map onto a fixed set of lock stripes (two sessions sharing a stripe
only wait for each other), and PostgreSQL keeps advisory locks itself. This module imports no
interface code, so the application service can use it wherever it lives.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

import filelock
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

STRIPES = 1024  # lock files (or thread locks) sessions are spread over
# First key of the two-key advisory lock: keeps our locks apart from other users of advisory locks.
ADVISORY_NAMESPACE = 0x52_44_54_4C  # "RDTL"


class TurnLockTimeout(Exception):
    """Another turn of the same session held the lock for longer than the wait deadline."""


class TurnLock(Protocol):
    timeout_s: float

    def hold(self, session_id: str) -> AbstractContextManager[None]:
        """The session's turn lock, held until the block ends; raises TurnLockTimeout after `timeout_s`."""
        ...


def stripe_of(session_id: str, stripes: int = STRIPES) -> int:
    return int.from_bytes(hashlib.sha256(session_id.encode("utf-8")).digest()[:4], "big") % stripes


class ThreadTurnLock:
    """For an in-memory database, which only one process can see."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._stripes = [threading.Lock() for _ in range(STRIPES)]

    @contextmanager
    def hold(self, session_id: str) -> Iterator[None]:
        lock = self._stripes[stripe_of(session_id)]
        if not lock.acquire(timeout=self.timeout_s):
            raise TurnLockTimeout(session_id)
        try:
            yield
        finally:
            lock.release()


class FileTurnLock:
    """For a SQLite file: flock on `directory/<stripe>.lock`, shared by every process using the file."""

    def __init__(self, directory: Path, timeout_s: float) -> None:
        self.directory, self.timeout_s = directory, timeout_s
        directory.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def hold(self, session_id: str) -> Iterator[None]:
        # A new lock object per turn: flock excludes open file descriptions, so two threads of one
        # process exclude each other too, and no per-session object is kept.
        # The files stay (preserve_lock_file): deleting one while another process waits on it would let
        # a third process lock a new file of the same name.
        lock = filelock.FileLock(
            self.directory / f"{stripe_of(session_id):04d}.lock", thread_local=False, preserve_lock_file=True
        )
        try:
            lock.acquire(timeout=self.timeout_s)
        except filelock.Timeout as error:
            raise TurnLockTimeout(session_id) from error
        try:
            yield
        finally:
            lock.release()


class PostgresTurnLock:
    """`pg_advisory_lock(namespace, hashtext(session_id))` on a connection held for the turn."""

    def __init__(self, url: str, timeout_s: float, max_connections: int = 25) -> None:
        self.timeout_s = timeout_s
        # A pool of its own: a held lock pins a connection for the whole turn, which must not take
        # connections the turn's own queries need. One stays open when idle; the others close after
        # the turn. Waiting for a free one counts against the deadline.
        self.engine: Engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=1,
            max_overflow=max_connections - 1,
            pool_timeout=timeout_s,
            isolation_level="AUTOCOMMIT",
        )

    @contextmanager
    def hold(self, session_id: str) -> Iterator[None]:
        key = {"ns": ADVISORY_NAMESPACE, "id": session_id}
        with self.engine.connect() as conn:
            try:
                conn.execute(
                    text("SELECT set_config('lock_timeout', :ms, false)"), {"ms": f"{int(self.timeout_s * 1000)}ms"}
                )
                conn.execute(text("SELECT pg_advisory_lock(:ns, hashtext(:id))"), key)
            except DBAPIError as error:
                if getattr(error.orig, "sqlstate", None) == "55P03":  # lock_not_available
                    raise TurnLockTimeout(session_id) from error
                raise
            try:
                yield
            finally:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:ns, hashtext(:id))"), key)
                except DBAPIError:
                    conn.invalidate()  # closing the connection releases the lock


def turn_lock_for(engine: Engine, timeout_s: float) -> TurnLock:
    """The turn lock that suits the order database `engine` points at."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        return PostgresTurnLock(url.render_as_string(hide_password=False), timeout_s)
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        path = Path(database).resolve()
        return FileTurnLock(path.parent / f"{path.name}.turn-locks", timeout_s)
    return ThreadTurnLock(timeout_s)
