"""The return policy as data plus one pure function: is this quantity of this item returnable now?

Pure (no DB, no clock) so property tests can exercise it exhaustively and every caller
(the eligibility tool, the create-return tool, the graph's guard) gets the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from core.dates import format_date
from core.messages import catalogue, t

POLICY_FILE = Path(__file__).with_name("policy.yaml")


class ReturnPolicy(BaseModel):
    version: int
    returnable_statuses: list[str]
    default_window_days: int
    window_days_by_category: dict[str, int]
    damaged_window_days: int
    final_sale_returnable: bool
    refund_methods: list[str]

    def window_days(self, category: str, damaged: bool = False) -> int:
        base = self.window_days_by_category.get(category, self.default_window_days)
        return max(base, self.damaged_window_days) if damaged else base


@lru_cache(maxsize=4)
def load_policy(path: Path = POLICY_FILE) -> ReturnPolicy:
    return ReturnPolicy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


class Reason(StrEnum):
    ELIGIBLE = "eligible"
    NOT_DELIVERED = "not_delivered"
    WINDOW_EXPIRED = "window_expired"
    FINAL_SALE = "final_sale"
    ALREADY_RETURNED = "already_returned"
    QUANTITY_TOO_HIGH = "quantity_too_high"
    INVALID_QUANTITY = "invalid_quantity"


# The records below sit on every lookup and eligibility check: slotted and not frozen, because a
# frozen dataclass's __init__ costs about 1 µs more per object. Treat them as read-only all the same.
@dataclass(slots=True)
class ItemFacts:
    """What the policy needs to know about one order line."""

    order_status: str
    delivered_at: datetime | None
    category: str
    final_sale: bool
    quantity: int
    quantity_returned: int
    quantity_exchanged: int = 0  # exchanged units went back too: they cannot be returned again


@dataclass(slots=True)
class ItemDecision:
    eligible: bool
    reason: Reason
    returnable_quantity: int
    window_days: int
    window_ends: datetime | None


@cache
def _days(days: int) -> timedelta:
    return timedelta(days=days)  # a handful of distinct windows; building a timedelta costs more than the lookup


def evaluate_item(
    policy: ReturnPolicy,
    facts: ItemFacts,
    *,
    requested_quantity: int,
    now: datetime,
    damaged: bool = False,
) -> ItemDecision:
    """Decide one line. Checks run in the order a customer would want them explained."""
    window = policy.window_days(facts.category, damaged)
    delivered = facts.delivered_at
    window_ends = delivered + _days(window) if delivered is not None else None
    remaining = max(facts.quantity - facts.quantity_returned - facts.quantity_exchanged, 0)
    if window_ends is None or facts.order_status not in policy.returnable_statuses:
        reason = Reason.NOT_DELIVERED
    elif facts.final_sale and not policy.final_sale_returnable:
        reason = Reason.FINAL_SALE
    elif now > window_ends:
        reason = Reason.WINDOW_EXPIRED
    elif remaining == 0:
        reason = Reason.ALREADY_RETURNED
    elif requested_quantity < 1:
        reason = Reason.INVALID_QUANTITY
    elif requested_quantity > remaining:
        return ItemDecision(False, Reason.QUANTITY_TOO_HIGH, remaining, window, window_ends)
    else:
        return ItemDecision(True, Reason.ELIGIBLE, remaining, window, window_ends)
    return ItemDecision(False, reason, 0, window, window_ends)


def explain(decision: ItemDecision, facts: ItemFacts, language: str | None = None) -> str:
    """The decision in words a customer understands, in their language (catalogue keys `policy.*`),
    with dates on their calendar: a window that ends at 20:00 UTC ends the next day in Beijing."""
    words = catalogue(language)  # looked up once: this runs for every item of every eligibility check
    key = f"policy.{decision.reason.value}"
    return (words.get(key) or t(key, language)).format(
        delivered=format_date(facts.delivered_at, language) if facts.delivered_at else "-",
        window_ends=format_date(decision.window_ends, language) if decision.window_ends else "-",
        window=decision.window_days,
        category=words.get(f"category.{facts.category}", facts.category),
        status=words.get(f"order_status.{facts.order_status}", facts.order_status),
        remaining=max(facts.quantity - facts.quantity_returned - facts.quantity_exchanged, 0),
    )
