"""Volatile values (RMA numbers, new tracking numbers, ids) masked so replays compare what matters."""

from __future__ import annotations

import re

from core.redaction import redact, redact_data

VOLATILE = [
    (re.compile(r"RMA-[0-9A-F]{8}"), "RMA-########"),
    (re.compile(r"EXC-[0-9A-F]{8}"), "EXC-########"),  # exchange numbers are random like RMAs
    (re.compile(r"\b[0-9a-f]{32}\b"), "<id>"),
    (re.compile(r"\bRR\d{10}\b"), "RR<tracking>"),  # return labels: derived from the (random) RMA
    (re.compile(r"\bRS\d{10}\b"), "RS<tracking>"),  # exchange replacements: random too
    (re.compile(r"/labels/[\w-]+\.[\w-]+\.[\w-]+\.png"), "/labels/<token>.png"),  # signed, timestamped links
]


def mask(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def mask_value(value: object) -> object:
    """Mask every string inside a JSON-like value."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    return value


def normalise(text: str) -> str:
    """What a replay compares: volatile ids masked and PII redacted, the same on both sides (a recording
    was scrubbed before it was written; the conversation replayed live was not)."""
    return redact(mask(text))


def normalise_value(value: object) -> object:
    return redact_data(mask_value(value))
