"""Helpers the table modules share (models.py, after_sales_models.py): here so neither imports the other."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...], *, negate: bool = False) -> str:
    """A CHECK constraint's `column IN (...)` clause."""
    return f"{column} {'NOT IN' if negate else 'IN'} ({', '.join(repr(v) for v in values)})"
