"""Money as customers read it: integer cents plus an ISO currency, formatted by Babel for their locale.

`format_money(8999, "USD", "en")` is "$89.99", in Chinese "US$89.99"; `format_money(15900, "CNY", "zh")`
is "¥159.00". Tools give the model plain amounts ("89.99") with a `currency` key; everything a
customer reads (replies, cards, the side panel, the terminal) goes through here.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_currency, get_currency_precision, parse_decimal

from core import languages

SHOP_CURRENCY = "USD"  # what an amount is in when nothing says otherwise (orders made before currencies were stored)


def to_decimal(cents: int, currency: str = SHOP_CURRENCY) -> Decimal:
    """Cents as an amount in the currency's own unit (2 decimals for USD and CNY, 0 for JPY)."""
    return Decimal(cents).scaleb(-get_currency_precision(currency))


def plain_amount(cents: int, currency: str = SHOP_CURRENCY) -> str:
    """The amount for a program or the model: "89.99" (no symbol, no grouping, the currency's decimals)."""
    return f"{to_decimal(cents, currency):f}"


def to_cents(amount: str | Decimal | int | float, currency: str = SHOP_CURRENCY) -> int:
    """The inverse of `plain_amount`: "89.99" -> 8999. Raises ValueError for what is not an amount."""
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {amount!r}") from error
    return int(value.scaleb(get_currency_precision(currency)).to_integral_value())


def format_money(cents: int, currency: str | None, lang: str | None) -> str:
    """`cents` of `currency` as the customer's locale writes it ("$89.99", "US$89.99", "¥159.00")."""
    currency = (currency or SHOP_CURRENCY).upper()
    language = languages.get(lang)
    amount = to_decimal(cents, currency)
    if language.currency_display == "name":
        return format_currency(amount, currency, locale=language.babel_locale, format_type="name")
    if language.currency_display == "code":
        pattern = language.babel_locale.currency_formats["standard"].pattern.split(";")[0]
        # "USD 89.99" / "89,99 USD": the code where the locale puts its symbol, apart from the digits
        pattern = "¤¤\u00a0" + pattern[1:] if pattern.startswith("¤") else pattern.replace("¤", "¤¤")
        return format_currency(amount, currency, format=pattern, locale=language.babel_locale, currency_digits=True)
    return format_currency(amount, currency, locale=language.babel_locale)


def format_amount(amount: str | Decimal | int | float | None, currency: str | None, lang: str | None) -> str:
    """A tool result's plain amount ("89.99") for the customer; '' for none, unchanged if it is not a number."""
    if amount is None or amount == "":
        return ""
    currency = (currency or SHOP_CURRENCY).upper()
    try:
        return format_money(to_cents(amount, currency), currency, lang)
    except ValueError:
        return str(amount)


def parse_amount(text: str, lang: str | None) -> Decimal | None:
    """An amount as the customer's locale writes it ("1,234.56"; "89,99" where the comma is the decimal
    mark), to two decimals; None when it is not one. The output guardrail compares replies with it."""
    try:
        return parse_decimal(text.strip(), locale=languages.get(lang).babel_locale).quantize(Decimal("0.01"))
    except (NumberFormatError, InvalidOperation, ValueError):
        return None
