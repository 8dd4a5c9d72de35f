"""Hypothesis strategies for the personal data customers paste into a chat, in the formats they use.

Emails are drawn from a plain alphabet rather than `st.emails()`: that one also yields addresses such
as `!#@a.io`, which no customer types and which would test the email grammar rather than our stores.
"""

from __future__ import annotations

import re
from datetime import date

from hypothesis import strategies as st

from core.redaction import luhn_valid

DIGIT = st.sampled_from("0123456789")


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(DIGIT, min_size=n, max_size=n)


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    """A Luhn-valid 13-19 digit card number, split anywhere by one kind of separator (or none)."""
    length = draw(st.integers(13, 19))
    body = draw(st.sampled_from("23456")) + draw(_digits(length - 2))
    check = next(d for d in "0123456789" if luhn_valid(body + d))
    number = body + check
    separator = draw(st.sampled_from(["", " ", ".", "-"]))
    if not separator:
        return number
    grouped = draw(st.sampled_from(["fours", "anywhere"]))
    if grouped == "fours":
        return separator.join(number[i : i + 4] for i in range(0, len(number), 4))
    splits = draw(st.lists(st.booleans(), min_size=length - 1, max_size=length - 1))
    return number[0] + "".join((separator if split else "") + d for split, d in zip(splits, number[1:], strict=True))


def _nanp(draw: st.DrawFn) -> tuple[str, str, str]:
    return (
        draw(st.sampled_from("23456789")) + draw(_digits(2)),
        draw(st.sampled_from("23456789")) + draw(_digits(2)),
        draw(_digits(4)),
    )


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    """US, UK, Chinese mobile and E.164 numbers as people write them."""
    kind = draw(st.sampled_from(["us", "uk", "cn", "e164"]))
    if kind == "us":
        area, exchange, line = _nanp(draw)
        return draw(
            st.sampled_from(
                [
                    f"({area}) {exchange}-{line}",
                    f"({area}){exchange}-{line}",
                    f"{area}.{exchange}.{line}",
                    f"{area}-{exchange}-{line}",
                    f"{area}{exchange}{line}",
                    f"+1 {area}-{exchange}-{line}",
                ]
            )
        )
    if kind == "uk":
        area, local, line = "20", draw(_digits(4)), draw(_digits(4))
        mobile = "7" + draw(_digits(3)), draw(_digits(6))
        return draw(
            st.sampled_from(
                [
                    f"0{area} {local} {line}",
                    f"+44 {area} {local} {line}",
                    f"0{mobile[0]} {mobile[1]}",
                    f"+44 {mobile[0]} {mobile[1]}",
                ]
            )
        )
    mobile = "1" + draw(st.sampled_from("3456789")) + draw(_digits(9))
    if kind == "e164":
        return "+86" + mobile
    spaced = f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
    return draw(st.sampled_from([mobile, spaced, f"+86 {spaced}", f"+86 {mobile}", f"0086 {mobile}"]))


@st.composite
def email_addresses(draw: st.DrawFn) -> str:
    local_chars = "abcdefghijklmnopqrstuvwxyz0123456789"
    local = draw(st.text(local_chars, min_size=1, max_size=12))
    local += draw(st.sampled_from(["", ".", "+", "_", "-"])) + draw(st.text(local_chars, min_size=1, max_size=8))
    labels = draw(
        st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10), min_size=1, max_size=3)
    )
    tld = draw(st.sampled_from(["com", "cn", "co.uk", "org", "io", "de"]))
    return f"{local}@{'.'.join(labels)}.{tld}"


@st.composite
def cn_resident_ids(draw: st.DrawFn) -> str:
    """An 18-character resident ID: region, birth date, sequence and its ISO 7064 MOD 11-2 check character."""
    region = draw(st.sampled_from("123456789")) + draw(_digits(5))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)))
    body = f"{region}{born:%Y%m%d}{draw(_digits(3))}"
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


PII = st.one_of(card_numbers(), phone_numbers(), email_addresses(), cn_resident_ids())
SEPARATORS = re.compile(r"[ .()+\-]")


def leaked(value: str, stored: str) -> bool:
    """Whether `value` survives in `stored`: as written, or (numbers) as its digits with separators dropped."""
    if value in stored:
        return True
    if "@" in value:
        return False
    return SEPARATORS.sub("", value) in SEPARATORS.sub("", stored)
