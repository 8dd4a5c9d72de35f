"""Swapping an order line for another variant of the same product: the pure rules shared by
exchanges (delivered orders) and item changes (pending orders).

Pure (no DB): the preview, the write (which re-reads the facts under its locks) and the property
tests decide with the same functions. The write still takes stock and gift-card balance with
guarded UPDATEs, because facts read a moment ago may be stale by the time it commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum


class SwapReason(StrEnum):
    OK = "ok"
    UNKNOWN_VARIANT = "unknown_variant"
    OTHER_PRODUCT = "other_product"
    SAME_VARIANT = "same_variant"
    NOT_AVAILABLE = "not_available"
    OUT_OF_STOCK = "out_of_stock"
    QUANTITY_TOO_HIGH = "quantity_too_high"
    INVALID_QUANTITY = "invalid_quantity"


SWAP_TEXT: dict[SwapReason, str] = {
    SwapReason.OK: "Can be swapped.",
    SwapReason.UNKNOWN_VARIANT: "There is no such variant in our catalogue.",
    SwapReason.OTHER_PRODUCT: "It can only be swapped for another variant of the same product, not for a "
    "different product.",
    SwapReason.SAME_VARIANT: "That is the variant already ordered; choose another size, colour or option.",
    SwapReason.NOT_AVAILABLE: "That variant is no longer sold.",
    SwapReason.OUT_OF_STOCK: "That variant is out of stock (or has fewer units left than asked for).",
    SwapReason.QUANTITY_TOO_HIGH: "Only {remaining} of this item can still be swapped.",
    SwapReason.INVALID_QUANTITY: "The quantity must be at least 1.",
}


@dataclass(slots=True)
class VariantFacts:
    """A variant as the swap rules need it."""

    variant_id: str
    product_id: str
    price_cents: int
    available: bool
    stock: int | None  # None: not counted, in stock while available


@dataclass(slots=True)
class SwapRequest:
    """One line to swap: the ordered line's facts, how many units, and the variant wanted."""

    order_item_id: int
    product_id: str
    variant_id: str
    unit_price_cents: int
    remaining: int  # units on the line not yet returned or exchanged
    quantity: int
    new: VariantFacts | None  # None: the wanted variant id does not exist


def in_stock(variant: VariantFacts, wanted: int) -> bool:
    """Whether `wanted` units can be taken now."""
    return variant.available and (variant.stock is None or variant.stock >= wanted)


def check_swaps(requests: list[SwapRequest]) -> list[SwapReason]:
    """One reason per request, in order. Stock is checked against the total asked of each variant,
    so two lines asking for the last unit of the same variant are not both allowed."""
    wanted: Counter[str] = Counter()
    for r in requests:
        if r.new is not None and r.quantity > 0:
            wanted[r.new.variant_id] += r.quantity
    return [_check(r, wanted) for r in requests]


def _check(request: SwapRequest, wanted: Counter[str]) -> SwapReason:
    new = request.new
    if new is None:
        return SwapReason.UNKNOWN_VARIANT
    if new.product_id != request.product_id:
        return SwapReason.OTHER_PRODUCT
    if new.variant_id == request.variant_id:
        return SwapReason.SAME_VARIANT
    if request.quantity < 1:
        return SwapReason.INVALID_QUANTITY
    if request.quantity > request.remaining:
        return SwapReason.QUANTITY_TOO_HIGH
    if not new.available:
        return SwapReason.NOT_AVAILABLE
    if not in_stock(new, wanted[new.variant_id]):
        return SwapReason.OUT_OF_STOCK
    return SwapReason.OK


def line_difference(request: SwapRequest) -> int:
    """Cents the customer owes (> 0) or gets back (< 0) for one line: the new price minus the price paid."""
    assert request.new is not None
    return (request.new.price_cents - request.unit_price_cents) * request.quantity


def price_difference(requests: list[SwapRequest]) -> int:
    """The whole swap's difference: charged when > 0, refunded when < 0."""
    return sum(line_difference(r) for r in requests)


def covers(payment_kind: str, balance_cents: int | None, charge_cents: int) -> bool:
    """Whether a payment method can pay `charge_cents`: a gift card only up to its balance; a card or
    PayPal always (the charge is authorised by the payment provider, outside this system)."""
    if charge_cents <= 0:
        return True
    return payment_kind != "gift_card" or (balance_cents or 0) >= charge_cents
