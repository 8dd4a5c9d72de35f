"""Amounts carry their currency and dates their customer's calendar, as each locale writes them (Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.dates import format_date, format_datetime, local_date
from core.money import format_amount, format_money, plain_amount, to_cents


@pytest.mark.parametrize(
    ("cents", "currency", "lang", "shown"),
    [
        (8999, "USD", "en", "$89.99"),
        (8999, "USD", "zh", "US$89.99"),
        (15900, "CNY", "zh", "¥159.00"),
        (15900, "CNY", "en", "CN¥159.00"),
        (123456789, "USD", "en", "$1,234,567.89"),
        (500, "JPY", "en", "¥500"),  # yen have no cents
    ],
)
def test_money_is_written_with_its_currency_as_the_customers_locale_writes_it(
    cents: int, currency: str, lang: str, shown: str
) -> None:
    assert format_money(cents, currency, lang) == shown


def test_the_model_gets_plain_amounts_that_convert_back_to_the_same_cents() -> None:
    assert plain_amount(8999, "USD") == "89.99" and plain_amount(15900, "CNY") == "159.00"
    assert [to_cents(plain_amount(c, "USD"), "USD") for c in (0, 1, 99, 100, 8999, 10**9)] == [
        0,
        1,
        99,
        100,
        8999,
        10**9,
    ]
    assert format_amount("89.99", "USD", "zh") == "US$89.99" and format_amount(None, "USD", "en") == ""


def test_text_that_is_not_an_amount_is_shown_as_it_is_rather_than_failing() -> None:
    assert format_amount("n/a", "USD", "en") == "n/a"
    with pytest.raises(ValueError):
        to_cents("n/a")


def test_dates_are_written_as_the_locale_writes_them() -> None:
    assert format_date(date(2025, 1, 31), "en") == "Jan 31, 2025"
    assert format_date("2025-01-31", "zh") == "2025年1月31日"
    assert format_date("not a date", "en") == "not a date" and format_date(None, "zh") == ""


def test_a_moment_late_in_the_utc_day_falls_on_the_next_day_for_a_customer_in_beijing() -> None:
    evening = datetime(2025, 1, 31, 20, 0, tzinfo=UTC)
    assert local_date(evening, "en") == date(2025, 1, 31)
    assert local_date(evening, "zh") == date(2025, 2, 1)
    assert format_date(evening, "zh") == "2025年2月1日"
    assert format_datetime("2025-01-31T20:00+00:00", "zh") == "2025年2月1日 04:00"
    # CLDR: a narrow no-break space
    assert format_datetime("2025-01-31T20:00+00:00", "en") == "Jan 31, 2025, 8:00\u202fPM"


def test_a_naive_timestamp_from_sqlite_is_taken_as_utc() -> None:
    assert local_date(datetime(2025, 1, 31, 20, 0), "zh") == date(2025, 2, 1)
