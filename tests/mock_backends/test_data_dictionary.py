"""docs/data-dictionary.md documents exactly the columns the schema has, so it cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

from mock_backends.orders.models import SQLModel

DICTIONARY = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"
ROW = re.compile(r"^\| (\w+) \| (\w+) \| (.+) \|$")


def documented() -> dict[tuple[str, str], str]:
    rows = (ROW.match(line) for line in DICTIONARY.read_text(encoding="utf-8").splitlines())
    return {(m[1], m[2]): m[3].strip() for m in rows if m and m[1] != "table"}


def test_every_column_of_every_table_is_documented_with_a_meaning() -> None:
    entries = documented()
    schema = {(t.name, c.name) for t in SQLModel.metadata.tables.values() for c in t.columns}
    assert sorted(schema - set(entries)) == [], "add these columns to docs/data-dictionary.md"
    assert sorted(set(entries) - schema) == [], "these documented columns no longer exist"
    assert [key for key, meaning in entries.items() if len(meaning) < 3] == []
