"""The after-sales policy as data (the `exchange`, `order_changes` and `refund_timing` sections of
policy.yaml) plus the pure rules every caller shares: when an order may be changed, when a refund
arrives, and how an exchange reuses the return rules.

Pure (no DB, no clock): the card preview, the write inside its transaction and the property tests
all get the same answer.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from mock_backends.orders.policy import POLICY_FILE, ReturnPolicy, load_policy


class ExchangeRules(BaseModel):
    exchangeable_statuses: list[str]
    final_sale_exchangeable: bool
    same_window_as_returns: bool = True
    cancellable_statuses: list[str]


class OrderChangeRules(BaseModel):
    cancellable_statuses: list[str]
    cancel_reasons: list[str]
    address_change_statuses: list[str]
    payment_change_statuses: list[str]
    item_change_statuses: list[str]


class RefundTiming(BaseModel):
    """Business days from the moment we issue a refund until the customer has it (0-0: at once)."""

    min_days: int = Field(ge=0)
    max_days: int = Field(ge=0)

    @property
    def immediate(self) -> bool:
        return self.max_days == 0

    def text(self, language: str = "en") -> str:
        if self.immediate:
            return "立即到账" if language == "zh" else "at once"
        if language == "zh":
            return f"{self.min_days}-{self.max_days} 个工作日内到账"
        return f"within {self.min_days} to {self.max_days} business days"


class AfterSalesPolicy(BaseModel):
    exchange: ExchangeRules
    order_changes: OrderChangeRules
    refund_timing: dict[str, RefundTiming]

    def timing(self, payment_kind: str) -> RefundTiming:
        """When a refund to this kind of payment method arrives (unknown kinds: the slowest stated)."""
        if payment_kind in self.refund_timing:
            return self.refund_timing[payment_kind]
        return max(self.refund_timing.values(), key=lambda t: t.max_days)


@lru_cache(maxsize=4)
def load_after_sales_policy(path: Path = POLICY_FILE) -> AfterSalesPolicy:
    return AfterSalesPolicy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=4)
def exchange_return_policy(path: Path = POLICY_FILE) -> ReturnPolicy:
    """The return policy as it applies to exchanges: the same windows, the exchange's statuses and
    final-sale rule, so `policy.evaluate_item` decides an exchange line exactly as it decides a return."""
    rules = load_after_sales_policy(path).exchange
    return load_policy(path).model_copy(
        update={
            "returnable_statuses": rules.exchangeable_statuses,
            "final_sale_returnable": rules.final_sale_exchangeable,
        }
    )


def may_cancel(policy: AfterSalesPolicy, order_status: str) -> bool:
    return order_status in policy.order_changes.cancellable_statuses


def may_change(policy: AfterSalesPolicy, order_status: str, what: str) -> bool:
    """`what`: 'address', 'payment' or 'items'."""
    rules = policy.order_changes
    allowed = {
        "address": rules.address_change_statuses,
        "payment": rules.payment_change_statuses,
        "items": rules.item_change_statuses,
    }[what]
    return order_status in allowed


def normalise_reason(policy: AfterSalesPolicy, reason: str) -> str | None:
    """The policy's cancel reason the customer's words name ('No longer needed.' -> 'no longer needed')."""
    wanted = " ".join(reason.lower().replace("_", " ").strip(" .!").split())
    return next((r for r in policy.order_changes.cancel_reasons if r == wanted), None)
