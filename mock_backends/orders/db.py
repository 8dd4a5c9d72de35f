"""Engine and session for the order database: SQLite by default, PostgreSQL from the same code."""

from __future__ import annotations

from pathlib import Path

import logging

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex
from sqlmodel import Session, SQLModel, create_engine

from mock_backends.orders import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from mock_backends.orders import staff_models  # noqa: F401  (the staff side's tables)


def make_engine(url: str, busy_timeout_s: float | None = None) -> Engine:
    """An engine for `url`; SQLite gets foreign keys on, WAL and a busy timeout for concurrent writers.

    `busy_timeout_s`: the longest a statement waits for a lock another connection holds (SQLite's busy
    timeout, 30 s when not given; PostgreSQL's `lock_timeout`, none when not given), then it fails with
    an error `is_database_busy` recognises.
    """
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        timeout = 30.0 if busy_timeout_s is None else busy_timeout_s
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": timeout})
        event.listen(engine, "connect", lambda connection, _record: _sqlite_pragmas(connection, timeout))
        return engine
    connect_args = {} if busy_timeout_s is None else {"options": f"-c lock_timeout={int(busy_timeout_s * 1000)}"}
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args)


def _sqlite_pragmas(dbapi_connection, busy_timeout_s: float) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
    cursor.close()


def is_database_busy(error: BaseException | None) -> bool:
    """Whether `error` (or what it wraps) means "another connection holds the lock we waited for"."""
    seen = 0
    while error is not None and seen < 5:
        text = str(error).lower()
        if type(error).__name__ == "LockNotAvailable" or "database is locked" in text \
                or "database table is locked" in text or "lock timeout" in text:
            return True
        error = getattr(error, "orig", None) or error.__cause__
        seen += 1
    return False


log = logging.getLogger(__name__)


class SchemaOutdated(RuntimeError):
    """The database was made by an older ReturnDesk and lacks columns this version cannot do without."""


def create_tables(engine: Engine) -> None:
    """Create missing tables, then bring tables an older version made up to date (see `upgrade_columns`)."""
    SQLModel.metadata.create_all(engine)
    upgrade_columns(engine)
    create_missing_indexes(engine)


def create_missing_indexes(engine: Engine) -> None:
    """Indexes a newer version added to an existing table (create_all makes them only with new tables),
    e.g. uq_shipment_return: one return parcel per return."""
    with engine.begin() as conn:  # IF NOT EXISTS: reflection skips SQLite's expression indexes
        for table in SQLModel.metadata.sorted_tables:
            for index in table.indexes:
                conn.execute(CreateIndex(index, if_not_exists=True))


def upgrade_columns(engine: Engine) -> None:
    """Add the nullable columns a newer version introduced; refuse, with the fix, when others are missing.

    Our own few lines rather than Alembic: until the schema settles every change has been additive,
    and a database from an older demo should keep working instead of failing mid-conversation.
    """
    inspector = inspect(engine)
    missing = []
    for table in SQLModel.metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}  # create_all made any missing table
        missing += [(table, column) for column in table.columns if column.name not in present]
    if not missing:
        return
    required = [f"{t.name}.{c.name}" for t, c in missing if not c.nullable]
    if required:
        raise SchemaOutdated(f"The database at {engine.url!r} was made by an older ReturnDesk and lacks "
                             f"{', '.join(required)}. Recreate it with `returndesk seed --reset` (deletes its data).")
    with engine.begin() as conn:
        for table, column in missing:
            kind = column.type.compile(dialect=engine.dialect)
            conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))
            log.warning("added column %s.%s to a database made by an older version", table.name, column.name)


def drop_tables(engine: Engine) -> None:
    SQLModel.metadata.drop_all(engine)
