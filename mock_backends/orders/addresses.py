"""A shipping address as a customer gives it, validated field by field before anything is changed.

The same model is the argument schema a tool can expose, so a malformed address is refused with the
field and the reason ("postcode: a US ZIP code is 5 digits") and never reaches the database.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mock_backends.orders.errors import InvalidOrderChange

# Postcode formats of the countries the shop ships to most; others need 2-10 letters, digits, spaces or dashes.
POSTCODES: dict[str, tuple[re.Pattern[str], str]] = {
    "US": (re.compile(r"\d{5}(-\d{4})?"), "a US ZIP code is 5 digits (or ZIP+4: 12345-6789)"),
    "CN": (re.compile(r"\d{6}"), "a Chinese postcode is 6 digits"),
}
OTHER_POSTCODE = (re.compile(r"[A-Z0-9][A-Z0-9 -]{1,9}"), "a postcode is 2-10 letters, digits, spaces or dashes")


class ShippingAddress(BaseModel):
    """Where an order goes (or the customer's default address)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    line1: str = Field(min_length=1, max_length=200, description="Street and number.")
    line2: str | None = Field(None, max_length=200, description="Suite, flat or floor (optional).")
    city: str = Field(min_length=1, max_length=100)
    region: str | None = Field(None, max_length=100, description="State or province (optional).")
    country: str = Field("US", min_length=2, max_length=2, description="ISO 3166 alpha-2 code, e.g. US or CN.")
    postcode: str = Field(min_length=2, max_length=20, description="ZIP or postcode.")

    @field_validator("line1", "line2", "city", "region", "postcode")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and any(unicodedata.category(ch).startswith("C") for ch in value):
            raise ValueError("must not contain control characters")
        return value or None  # an empty optional line is no line

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if not value.isascii() or not value.isalpha():
            raise ValueError("must be a two-letter country code such as US or CN")
        return value.upper()

    @model_validator(mode="after")
    def _postcode_fits_country(self) -> ShippingAddress:
        self.postcode = self.postcode.upper()
        pattern, rule = POSTCODES.get(self.country, OTHER_POSTCODE)
        if not pattern.fullmatch(self.postcode):
            raise ValueError(f"postcode {self.postcode!r} does not fit {self.country}: {rule}")
        return self

    def one_line(self) -> str:
        """As printed on the parcel (`orders.ship_to`): '500 Howard St, San Francisco 94107'."""
        parts = [self.line1, self.line2, f"{self.city} {self.postcode}"]
        if self.country != "US":
            parts.append(self.country)
        return ", ".join(p for p in parts if p)


def parse_address(address: ShippingAddress | dict[str, Any]) -> ShippingAddress:
    """The address, validated; InvalidOrderChange names the first problem (nothing is changed)."""
    if isinstance(address, ShippingAddress):
        return address
    try:
        return ShippingAddress.model_validate(address)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidOrderChange(
            f"That address can't be used: {where + ': ' if where else ''}{first['msg'].removeprefix('Value error, ')}."
        ) from None
