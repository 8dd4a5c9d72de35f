"""Columns that may hold what a customer typed are redacted on their way into the database.

A column marked with `REDACTED` in its `info` (audit details, return reasons, hand-off summaries,
feedback comments) is passed through `redact` by an ORM hook before every INSERT and UPDATE of any
mapped table, so no write path, present or future, can store a raw phone or card number in it.
`tests/security/test_pii_stores.py` fails when a new free-text column is neither marked nor declared
as the shop's own master data. (Core `update()` statements bypass ORM hooks; none writes such a column.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Mapper

from core.redaction import redact

REDACTED: dict[str, Any] = {"redact_pii": True}  # Column(info=REDACTED) / Field(sa_column_kwargs={"info": ...})


def is_redacted(column: Any) -> bool:
    return bool(getattr(column, "info", {}).get("redact_pii"))


def _redact_marked_columns(mapper: Mapper, _connection: Any, target: Any) -> None:
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        value = getattr(target, prop.key, None)
        if not is_redacted(column) or not isinstance(value, str) or not value:
            continue
        clean = redact(value)
        length = getattr(column.type, "length", None)
        if clean != value:  # a placeholder may be longer than what it replaced
            setattr(target, prop.key, clean[:length] if length else clean)


event.listen(Mapper, "before_insert", _redact_marked_columns)
event.listen(Mapper, "before_update", _redact_marked_columns)
