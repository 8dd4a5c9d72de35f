"""Bulk writing for seeders: SQLAlchemy Core executemany everywhere, COPY on PostgreSQL.

Seeders build plain dicts (column -> value) table by table and hand them over in batches; this
module decides how they reach the database. Rows carry explicit integer ids (so a seeder can refer
to a row it has not written yet), and `finish()` moves PostgreSQL's id sequences past them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection

from mock_backends.orders.models import SQLModel

Method = Literal["auto", "executemany", "copy"]

# Parents before children, so foreign keys hold after every flush.
TABLE_ORDER = (
    "product",
    "productname",
    "variant",
    "customer",
    "address",
    "paymentmethod",
    "orders",
    "orderitem",
    "payment",
    "returnrequest",
    "returnitem",
    "shipment",
)


class BulkWriter:
    """Buffers rows per table and writes them in FK order when `flush()` is called."""

    def __init__(self, conn: Connection, method: Method = "auto") -> None:
        postgres = conn.dialect.name == "postgresql"
        if method == "copy" and not postgres:
            raise ValueError("COPY is PostgreSQL-only; use --method executemany on SQLite.")
        self.conn = conn
        self.use_copy = postgres if method == "auto" else method == "copy"
        self.tables: dict[str, Table] = {name: SQLModel.metadata.tables[name] for name in TABLE_ORDER}
        self.pending: dict[str, list[dict]] = {name: [] for name in TABLE_ORDER}
        self.written: dict[str, int] = dict.fromkeys(TABLE_ORDER, 0)

    def next_id(self, table: str) -> int:
        """The first free integer id of `table` (seeders count up from it)."""
        column = self.tables[table].c.id
        return int(self.conn.execute(select(func.coalesce(func.max(column), 0))).scalar_one()) + 1

    def add(self, table: str, row: dict) -> None:
        self.pending[table].append(row)

    def add_all(self, table: str, rows: Iterable[dict]) -> None:
        self.pending[table].extend(rows)

    def flush(self) -> None:
        for name in TABLE_ORDER:
            rows = self.pending[name]
            if not rows:
                continue
            if self.use_copy:
                self._copy(self.tables[name], rows)
            else:
                self.conn.execute(self.tables[name].insert(), rows)
            self.written[name] += len(rows)
            self.pending[name] = []

    def _copy(self, table: Table, rows: list[dict]) -> None:
        # Defaults that Core would fill in must be explicit here: every column is listed.
        columns = [c.name for c in table.columns if c.name in rows[0]]
        cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])

    def finish(self) -> None:
        """Write what is left; on PostgreSQL move serial sequences past the explicit ids."""
        self.flush()
        if self.conn.dialect.name != "postgresql":
            return
        for name, table in self.tables.items():
            if _is_serial(table):
                self.conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{name}"), false)'
                    )
                )


def _is_serial(table: Table) -> bool:
    column = table.c.get("id")
    return column is not None and column.primary_key and column.type.python_type is int
