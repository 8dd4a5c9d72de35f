"""Engine and session for the order database: SQLite by default, PostgreSQL from the same code."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import CheckConstraint, Table, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import CreateIndex
from sqlmodel import SQLModel, create_engine

from core.pg_lock import advisory_lock
from mock_backends.orders import (
    models,  # noqa: F401  (registers the tables on SQLModel.metadata)
    staff_models,  # noqa: F401  (the staff side's tables)
)


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


def _sqlite_pragmas(dbapi_connection, busy_timeout_s: float) -> None:
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
        if (
            type(error).__name__ == "LockNotAvailable"
            or "database is locked" in text
            or "database table is locked" in text
            or "lock timeout" in text
        ):
            return True
        error = getattr(error, "orig", None) or error.__cause__
        seen += 1
    return False


log = logging.getLogger(__name__)
CARD_LABEL = re.compile(r"(\S+) ending (\d{4})")


class SchemaOutdated(RuntimeError):
    """The database was made by an older ReturnDesk and lacks columns this version cannot do without."""


# Key of the advisory lock that makes table-making one process at a time (any fixed 64-bit number).
SCHEMA_LOCK_KEY = 0x52445348  # "RDSH"


def create_tables(engine: Engine) -> None:
    """Create missing tables, then bring tables an older version made up to date (see `upgrade_columns`
    and `upgrade_checks`). Safe when several server processes start at once on one database."""
    with schema_lock(engine):
        SQLModel.metadata.create_all(engine)
        upgrade_columns(engine)
        upgrade_checks(engine)
        create_missing_indexes(engine)


@contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, one process at a time in the block: its CREATE ... IF NOT EXISTS is not safe against
    another session creating the same table at the same moment (a unique violation on pg_type). A session
    advisory lock on a connection of its own, so a killed process releases it. SQLite's write lock already
    serialises schema changes."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")  # reset when the connection goes back to the pool
        with advisory_lock(conn.connection.driver_connection, SCHEMA_LOCK_KEY):
            yield


def create_missing_indexes(engine: Engine) -> None:
    """Indexes a newer version added to an existing table (create_all makes them only with new tables),
    e.g. uq_shipment_return: one return parcel per return."""
    with engine.begin() as conn:  # IF NOT EXISTS: reflection skips SQLite's expression indexes
        for table in SQLModel.metadata.sorted_tables:
            for index in table.indexes:
                conn.execute(CreateIndex(index, if_not_exists=True))


def upgrade_columns(engine: Engine) -> None:
    """Add the columns a newer version introduced (nullable ones, or ones with a server default, which
    older rows then hold); move retired columns' data to where it lives now; refuse, with the fix, when
    a required column is missing.

    Our own few lines rather than Alembic: until the schema settles every change has been additive,
    and a database from an older demo should keep working instead of failing mid-conversation.
    """
    inspector = inspect(engine)
    present = {
        table.name: {c["name"] for c in inspector.get_columns(table.name)}  # create_all made missing tables
        for table in SQLModel.metadata.sorted_tables
    }
    missing = [
        (table, column)
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if column.name not in present[table.name]
    ]
    required = [f"{t.name}.{c.name}" for t, c in missing if not c.nullable and c.server_default is None]
    if required:
        raise SchemaOutdated(
            f"The database at {engine.url!r} was made by an older ReturnDesk and lacks "
            f"{', '.join(required)}. Recreate it with `returndesk seed --reset` (deletes its data)."
        )
    with engine.begin() as conn:
        for table, column in missing:
            kind = column.type.compile(dialect=engine.dialect)
            default = (
                ""
                if column.server_default is None
                else (
                    f" DEFAULT '{column.server_default.arg}'"  # type: ignore[attr-defined]  # a DefaultClause
                    + ("" if column.nullable else " NOT NULL")
                )
            )
            conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{default}'))
            log.warning("added column %s.%s to a database made by an older version", table.name, column.name)
        if "name_zh" in present["product"]:
            _move_chinese_product_names(conn)
        if "last_four" not in present["paymentmethod"]:
            _card_facts_from_labels(conn)


def _move_chinese_product_names(conn: Connection) -> None:
    """`product.name_zh` (before product names per language): its names become `productname` rows."""
    conn.execute(
        text(
            "INSERT INTO productname (product_id, language, name) SELECT id, 'zh', name_zh FROM product "
            "WHERE name_zh IS NOT NULL AND name_zh <> '' AND id NOT IN "
            "(SELECT product_id FROM productname WHERE language = 'zh')"
        )
    )
    conn.execute(text("ALTER TABLE product DROP COLUMN name_zh"))
    log.warning("moved product.name_zh to productname (language 'zh') in a database made by an older version")


def _card_facts_from_labels(conn: Connection) -> None:
    """Cards saved before `brand` / `last_four`: read them once from the label every seeder wrote as
    "Visa ending 4242", so their description can be given in any language."""
    cards = conn.execute(text("SELECT id, label FROM paymentmethod WHERE kind = 'credit_card'")).all()
    for method_id, label in cards:
        if match := CARD_LABEL.fullmatch(label or ""):
            conn.execute(
                text("UPDATE paymentmethod SET brand = :brand, last_four = :last_four WHERE id = :id"),
                {"brand": match[1], "last_four": match[2], "id": method_id},
            )


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
                "Recreate it with `returndesk seed --reset` (deletes its data)."
            )
        log.warning(
            "database lacks CHECK constraints %s; `returndesk seed --reset` adds them",
            ", ".join(f"{t.name}.{c.name}" for t, c in missing),
        )
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
