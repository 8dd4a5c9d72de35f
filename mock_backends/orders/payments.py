"""Money movements of after-sales operations: charges and refunds on a customer's own payment methods.

Every movement is a `Payment` row on the order. A gift card's balance moves at once, by a guarded
UPDATE that cannot take it below zero (the database's CHECK backs it up); a card or PayPal refund is
recorded now and reaches the customer within the policy's `refund_timing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from mock_backends.orders.after_sales_policy import RefundTiming, load_after_sales_policy
from mock_backends.orders.errors import InsufficientBalance, PaymentMethodNotFound
from mock_backends.orders.models import Payment, PaymentMethod
from mock_backends.orders.swaps import covers


@dataclass(frozen=True)
class MoneyMove:
    """One charge or refund as the customer sees it."""

    direction: str  # 'charge' or 'refund'
    amount_cents: int
    payment_method_id: str
    payment_method: str  # its label: 'Visa ending 4242', 'Gift card'
    kind: str
    timing: RefundTiming | None  # refunds only: when the money arrives


def owned_payment_method(session: Session, customer_id: str, payment_method_id: str) -> PaymentMethod:
    """The customer's payment method; another customer's (or an unknown id) is 'not found'."""
    method = session.get(PaymentMethod, payment_method_id.strip())
    if method is None or method.customer_id != customer_id:
        raise PaymentMethodNotFound(f"I can't find payment method {payment_method_id!r} on your account.")
    return method


def check_covers(method: PaymentMethod, charge_cents: int) -> None:
    """Raise InsufficientBalance when a gift card's balance is below the charge."""
    if not covers(method.kind, method.balance_cents, charge_cents):
        raise InsufficientBalance(
            f"The balance of {method.label} ({(method.balance_cents or 0) / 100:.2f}) does not cover "
            f"{charge_cents / 100:.2f}; choose another payment method."
        )


def planned_move(method: PaymentMethod, amount_cents: int) -> MoneyMove | None:
    """What settling `amount_cents` (> 0 charge, < 0 refund) on `method` would do; None for 0."""
    if amount_cents == 0:
        return None
    refund = amount_cents < 0
    return MoneyMove(
        direction="refund" if refund else "charge",
        amount_cents=abs(amount_cents),
        payment_method_id=method.id,
        payment_method=method.label,
        kind=method.kind,
        timing=load_after_sales_policy().timing(method.kind) if refund else None,
    )


def settle(
    session: Session, *, order_id: str, method: PaymentMethod, amount_cents: int, note: str, now: datetime
) -> MoneyMove | None:
    """Charge (> 0) or refund (< 0) `amount_cents` on `method` in the caller's transaction."""
    move = planned_move(method, amount_cents)
    if move is None:
        return None
    if method.kind == "gift_card":
        _move_gift_card_balance(session, method, -amount_cents)
    session.add(
        Payment(
            order_id=order_id,
            payment_method_id=method.id,
            direction=move.direction,
            amount_cents=move.amount_cents,
            created_at=now,
            note=note[:100],
        )
    )
    return move


def _move_gift_card_balance(session: Session, method: PaymentMethod, delta_cents: int) -> None:
    table = PaymentMethod.__table__  # type: ignore[attr-defined]
    balance = func.coalesce(table.c.balance_cents, 0)
    stmt = update(table).where(table.c.id == method.id).values(balance_cents=balance + delta_cents)
    if delta_cents < 0:  # a charge: only if the balance still covers it (it may have been spent meanwhile)
        stmt = stmt.where(balance >= -delta_cents)
    if session.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
        raise InsufficientBalance(
            f"The balance of {method.label} no longer covers {-delta_cents / 100:.2f}; choose another payment method."
        )


def paid_by_method(session: Session, order_id: str) -> list[tuple[PaymentMethod, int]]:
    """What each payment method has paid for the order so far, net of refunds, first charged first."""
    net: dict[str, int] = {}
    for payment in session.exec(select(Payment).where(Payment.order_id == order_id).order_by(col(Payment.id))).all():
        sign = 1 if payment.direction == "charge" else -1
        net[payment.payment_method_id] = net.get(payment.payment_method_id, 0) + sign * payment.amount_cents
    methods = {m.id: m for m in session.exec(select(PaymentMethod).where(col(PaymentMethod.id).in_(list(net)))).all()}
    return [(methods[method_id], cents) for method_id, cents in net.items() if cents > 0 and method_id in methods]


def refunds_of_order(session: Session, order_id: str) -> list[MoneyMove]:
    """The refunds that cancelling the order would make: what each method paid, back to it."""
    return [
        move
        for method, cents in paid_by_method(session, order_id)
        if (move := planned_move(method, -cents)) is not None
    ]
