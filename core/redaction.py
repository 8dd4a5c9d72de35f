"""PII redaction for everything we keep about a conversation besides the conversation itself.

Audit rows, tickets, feedback, exports, QA recordings and log lines are read by more people (and kept
longer) than a customer's chat, so phone numbers, Chinese resident ID numbers, payment card numbers and email
addresses are replaced by a placeholder before they are written. Order numbers (#W1000001), RMAs, prices and dates pass.

Our own ~80 lines rather than a library: Presidio and scrubadub pull in spaCy models and do not
know Chinese ID or mobile formats, and phonenumbers' matcher needs one pass per country; every log
line passes through here. The patterns are short and property-tested (tests/security/test_pii_stores.py).
Standard library only, so the lowest layer (mock_backends' audit) may use it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# 18-digit resident ID: 6-digit region, birth date, 3-digit sequence, check digit (0-9 or X).
CN_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"(?![0-9A-Za-z])"
)
# 13-19 digits, each optionally set apart from the next by a space, dot or dash; only Luhn-valid runs are cards.
CARD_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d(?:[ .-]?\d){12,18}(?![0-9A-Za-z])")
CARD_SEPARATOR = re.compile(r"[ .-]")
PHONE = re.compile(
    r"(?<![0-9A-Za-z])(?:"  # a "#" before it does not make it an order number (ours start with W)
    r"(?:\+|00)?86[ -]?1[3-9]\d(?:[ -]?\d{4}){2}"  # Chinese mobile with country code: +86 138 0013 8000
    r"|1[3-9]\d(?:[ -]?\d{4}){2}"  # Chinese mobile: 138 0013 8000, 13800138000
    r"|\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}"  # international, E.164: +44 20 7946 0958
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]?\d{4}"  # North American: (415) 555-0123, (415)555-0123
    r"|\d{3}[ .-]\d{3}[ .-]\d{4}"  # North American: 415-555-0123, 415.555.0123
    r"|[2-9]\d{2}[2-9]\d{6}"  # North American, digits only: 4155550123 (area and exchange never start 0/1)
    r"|0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}"  # UK national: 020 7946 0958, 0161 496 0000, 07700 900123
    r")(?![0-9A-Za-z])"
)

PLACEHOLDERS = {"email": "[email]", "id": "[id-number]", "card": "[card]", "phone": "[phone]"}


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    """The candidate, with its Luhn-valid run of digit groups replaced: "4111 1111 1111 1111 123" (a
    card, then its security code) is one candidate, but only its first four groups are the card."""
    text = match.group()
    groups = CARD_SEPARATOR.split(text)
    for size in range(len(groups), 0, -1):  # the longest run first
        for start in range(len(groups) - size + 1):
            digits = "".join(groups[start : start + size])
            if 13 <= len(digits) <= 19 and luhn_valid(digits):
                spans = [m.span() for m in re.finditer(r"\d+", text)]
                begin, end = spans[start][0], spans[start + size - 1][1]
                return text[:begin] + PLACEHOLDERS["card"] + text[end:]
    return text


def redact(text: str) -> str:
    """`text` with emails, Chinese ID numbers, card numbers and phone numbers replaced by placeholders."""
    if not text:
        return text
    text = EMAIL.sub(PLACEHOLDERS["email"], text)
    text = CN_ID.sub(PLACEHOLDERS["id"], text)
    text = CARD_CANDIDATE.sub(_card, text)
    return PHONE.sub(PLACEHOLDERS["phone"], text)


def redact_data(value: Any) -> Any:
    """`redact` applied to every string inside dicts, lists and tuples (keys included)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_data(k): redact_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_data(v) for v in value)
    return value


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and formatted traceback) with PII redacted; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_returndesk_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string is the caller's bug; keep the raw text
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record._returndesk_redacted = True
        return True


_installed = False


def install_log_redaction() -> None:
    """Redact every log record of this process, whichever logger or handler it goes through.

    A record factory rather than a filter on handlers: uvicorn and libraries configure their
    handlers after the app is built (dictConfig replaces them), and a factory covers them all.
    Idempotent.
    """
    global _installed
    if _installed:
        return
    redacting = RedactingFilter()
    make_record = logging.getLogRecordFactory()

    def redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        redacting.filter(record)
        return record

    logging.setLogRecordFactory(redacted_record)
    _installed = True
