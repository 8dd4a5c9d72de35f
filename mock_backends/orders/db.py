"""Engine and session for the order database: SQLite by default, PostgreSQL from the same code."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from sqlalchemy import CheckConstraint, Table, event, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from mock_backends.orders import models  # noqa: F401  (registers the tables on SQLModel.metadata)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets foreign keys on, WAL and a busy timeout for concurrent writers."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


log = logging.getLogger(__name__)


class SchemaOutdated(RuntimeError):
    """The database was made by an older ReturnDesk and lacks columns this version cannot do without."""


def create_tables(engine: Engine) -> None:
    """Create missing tables, then bring tables an older version made up to date (see `upgrade_columns`
    and `upgrade_checks`)."""
    SQLModel.metadata.create_all(engine)
    upgrade_columns(engine)
    upgrade_checks(engine)


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


def upgrade_checks(engine: Engine) -> None:
    """Bring CHECK constraints an older version made up to date (e.g. new order statuses).

    PostgreSQL replaces a changed or missing one in place (widening a value list keeps every old row
    valid). SQLite cannot alter a table's constraints: a changed one stops start-up with the one-line
    fix, because writes would otherwise fail mid-conversation; a missing one (on a column
    `upgrade_columns` just added) is only logged, since the code's guarded UPDATEs enforce it too.
    """
    changed, missing = _outdated_checks(engine)
    if not changed and not missing:
        return
    if engine.dialect.name != "postgresql":
        if changed:
            raise SchemaOutdated(
                f"The database at {engine.url!r} was made by an older ReturnDesk: its rules "
                f"{', '.join(f'{t.name}.{c.name}' for t, c in changed)} predate this version. "
                "Recreate it with `returndesk seed --reset` (deletes its data).")
        log.warning("database lacks CHECK constraints %s; `returndesk seed --reset` adds them",
                    ", ".join(f"{t.name}.{c.name}" for t, c in missing))
        return
    with engine.begin() as conn:
        for table, check in changed + missing:
            sql = str(check.sqltext.compile(dialect=engine.dialect))
            conn.execute(text(f'ALTER TABLE "{table.name}" DROP CONSTRAINT IF EXISTS "{check.name}"'))
            conn.execute(text(f'ALTER TABLE "{table.name}" ADD CONSTRAINT "{check.name}" CHECK ({sql})'))
            log.warning("updated CHECK %s.%s of a database made by an older version", table.name, check.name)


_LITERAL = re.compile(r"'((?:[^']|'')*)'")


def _check_signature(table: Table, sql: str) -> tuple[frozenset[str], frozenset[str]]:
    """What a CHECK allows, comparable across dialects: its string literals and the columns it names.
    (PostgreSQL hands a constraint back rewritten, e.g. `status IN (...)` as `= ANY (ARRAY[...])`.)"""
    literals = frozenset(_LITERAL.findall(sql))
    unquoted = _LITERAL.sub("", sql)
    return literals, frozenset(c.name for c in table.columns if re.search(rf"\b{re.escape(c.name)}\b", unquoted))


def _outdated_checks(engine: Engine) -> tuple[list[tuple[Table, CheckConstraint]], list[tuple[Table, CheckConstraint]]]:
    inspector = inspect(engine)
    changed, missing = [], []
    for table in SQLModel.metadata.sorted_tables:
        present = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table.name) if c.get("name")}
        for check in (c for c in table.constraints if isinstance(c, CheckConstraint) and isinstance(c.name, str)):
            if check.name not in present:
                missing.append((table, check))
            elif _check_signature(table, present[check.name]) != _check_signature(table, str(check.sqltext)):
                changed.append((table, check))
    return changed, missing


def drop_tables(engine: Engine) -> None:
    SQLModel.metadata.drop_all(engine)


def session_for(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)
