"""A refusal of the order system in the customer's language.

`str(error)` of an `OrderSystemError` is English and specific ("The balance of Gift card (0.00) does
not cover 11.00"); `error.code` is stable. English customers read the error's own text; any other
language reads the catalogue's `refusal.<code>`, filled with what the tool layer knows of the call
(the order number, the RMA or exchange number), so a Chinese customer never reads English.
"""

from __future__ import annotations

from core.languages import DEFAULT
from core.messages import has, t
from mock_backends.orders.errors import OrderSystemError
from mock_backends.orders.repository import normalize_order_id


def refusal_text(
    error: OrderSystemError, language: str | None, *, order_id: str | None = None, reference: str | None = None
) -> str:
    """What the customer reads for `error`; the English text where the language has no words for its code."""
    key = f"refusal.{error.code}"
    if (language or DEFAULT) == DEFAULT or not has(key, language):
        return str(error)
    order = normalize_order_id(order_id) if order_id else ""
    return t(key, language, order=order, number=(reference or "").strip().upper())
