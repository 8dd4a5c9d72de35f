"""Cancelling an order that has not left the warehouse (policy.yaml `order_changes`), with one of the
policy's reasons: every payment method gets back what it paid, with when the money arrives (a gift
card at once, cards and PayPal within the policy's business days), and the units go back to stock.

`preview_cancel_order` is the card; `cancel_order` re-checks under the order's row lock in its own
transaction and is idempotent by its key. A shipped order is refused with a hint to offer tracking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from mock_backends.orders.account_changes import OrderChange, refuse_for_status, run_change
from mock_backends.orders.after_sales_policy import load_after_sales_policy, may_cancel, normalise_reason
from mock_backends.orders.errors import InvalidOrderChange
from mock_backends.orders.models import Order, OrderItem
from mock_backends.orders.payments import MoneyMove, paid_by_method, refunds_of_order, settle
from mock_backends.orders.products import put_back_stock
from mock_backends.orders.repository import get_owned_order


@dataclass(frozen=True)
class CancellationQuote:
    """What confirming the cancellation will do (the card)."""

    order_id: str
    reason: str
    total_cents: int
    refunds: list[MoneyMove]  # one per payment method that paid, with its timing


def check_reason(reason: str) -> str:
    """The policy's reason the customer's words name, or InvalidOrderChange listing the allowed ones."""
    policy = load_after_sales_policy()
    found = normalise_reason(policy, reason)
    if found is None:
        raise InvalidOrderChange(
            "Please give the reason for cancelling: "
            + " or ".join(repr(r) for r in policy.order_changes.cancel_reasons)
            + "."
        )
    return found


def _check_cancellable(order: Order) -> None:
    if not may_cancel(load_after_sales_policy(), order.status):
        refuse_for_status(order.id, order.status, "be cancelled", cancelling=True)


def preview_cancel_order(session: Session, customer_id: str, order_id: str, reason: str) -> CancellationQuote:
    """The cancellation the customer would confirm, or the refusal `cancel_order` would raise; writes nothing."""
    order = get_owned_order(session, customer_id, order_id)
    _check_cancellable(order)
    found = check_reason(reason)
    return CancellationQuote(
        order_id=order.id, reason=found, total_cents=order.total_cents, refunds=refunds_of_order(session, order.id)
    )


def cancel_order(
    session: Session,
    customer_id: str,
    order_id: str,
    reason: str,
    idempotency_key: str,
    now: datetime,
    session_id: str | None = None,
) -> OrderChange:
    """Cancel the customer's order and refund it, or return what an earlier call with this key did."""

    def write(order: Order | None) -> tuple[dict, list[MoneyMove]]:
        assert order is not None
        _check_cancellable(order)  # first, as the card checks: a shipped order is refused with tracking offered
        found = check_reason(reason)
        moved = session.execute(
            update(Order)
            .where(
                col(Order.id) == order.id,
                col(Order.status).in_(load_after_sales_policy().order_changes.cancellable_statuses),
            )
            .values(status="cancelled", cancelled_at=now)
        )
        # only if the row changed under our lock, e.g. edited by hand
        if moved.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
            raise InvalidOrderChange(f"Order {order.id} has just changed; please check its status again.")
        refunds = [
            move
            for method, cents in paid_by_method(session, order.id)
            if (
                move := settle(
                    session, order_id=order.id, method=method, amount_cents=-cents, note="order cancelled", now=now
                )
            )
            is not None
        ]
        lines = session.exec(
            select(OrderItem).where(OrderItem.order_id == order.id).order_by(col(OrderItem.variant_id))
        ).all()  # the lock order stock is taken in
        for line in lines:
            put_back_stock(session, line.variant_id, line.quantity)
        return {"reason": found, "total_cents": order.total_cents}, refunds

    return run_change(
        session,
        customer_id=customer_id,
        order_id=order_id,
        kind="cancel_order",
        idempotency_key=idempotency_key,
        now=now,
        session_id=session_id,
        write=write,
    )
