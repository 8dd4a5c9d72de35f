"""PII scrubbed from everything a recording writes: transcript, expectations, cassette bodies.

`core.redaction` does the work (emails, phone, card and ID numbers become placeholders). One
exception: the demo customers' emails stay. They are fixtures in `mock_backends/orders/seed.py`,
not anyone's data, and a replay signs in (or verifies in the chat) with them on the seeded demo
database; without them a recording could not be replayed. Any other email is replaced, so a
session recorded for a real customer keeps no address (and cannot be replayed on demo data).
"""

from __future__ import annotations

import json
import re
from typing import Any

from core.redaction import redact
from mock_backends.orders.seed import DEMO_CUSTOMERS

KEPT = re.compile("|".join(re.escape(c.email) for c in DEMO_CUSTOMERS), re.IGNORECASE)
# Private-use characters around a letter: no pattern of core.redaction can match across them.
_SLOTS = re.compile("\ue000([A-Z])\ue001")


def scrub(text: str) -> str:
    """`redact(text)`, keeping the demo customers' emails."""
    if not text:
        return text
    kept: list[str] = []

    def hold(match: re.Match[str]) -> str:
        kept.append(match.group())
        return f"\ue000{chr(ord('A') + (len(kept) - 1) % 26)}\ue001"

    held = KEPT.sub(hold, text)
    if len(kept) > 26:  # more demo emails than slots in one string: keep nothing rather than guess
        return redact(text)
    return _SLOTS.sub(lambda m: kept[ord(m.group(1)) - ord("A")], redact(held))


def scrub_data(value: Any) -> Any:
    """`scrub` applied to every string inside dicts and lists (keys included)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub_data(k): scrub_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_data(v) for v in value]
    return value


def scrub_body(body: str) -> str:
    """A request or response body: JSON is parsed first (a raw `\\n` before a number would hide it from
    the patterns), server-sent events line by line, anything else as text."""
    try:
        return json.dumps(scrub_data(json.loads(body)), ensure_ascii=False)
    except ValueError:
        pass
    if "data: " in body:
        return "\n".join(_scrub_event_line(line) for line in body.split("\n"))
    return scrub(body)


def _scrub_event_line(line: str) -> str:
    if not line.startswith("data: "):
        return line
    try:
        return "data: " + json.dumps(scrub_data(json.loads(line[6:])), ensure_ascii=False)
    except ValueError:
        return scrub(line)
