"""Charges and refunds (`payments.MoneyMove`) as tool results and card lines, in the customer's language."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from core.messages import t
from core.money import plain_amount
from mock_backends.orders.localized import payment_method_description
from mock_backends.orders.models import PaymentMethod
from mock_backends.orders.payments import MoneyMove


def method_name(session: Session, move: MoneyMove, language: str) -> str:
    """The payment method as the customer recognises it ("Visa ending 4242", "礼品卡")."""
    return (
        payment_method_description(session.get(PaymentMethod, move.payment_method_id), language) or move.payment_method
    )


def timing_text(move: MoneyMove, language: str) -> str:
    """When a refund arrives ("within 5 to 7 business days", "立即到账"); "" for a charge."""
    return move.timing.text(language) if move.timing is not None else ""


def move_summary(session: Session, move: MoneyMove, currency: str, language: str) -> dict[str, Any]:
    """One charge or refund in a tool result (the model and guided mode read these keys)."""
    return {
        "direction": move.direction,
        "amount": plain_amount(move.amount_cents, currency),
        "currency": currency,
        "payment_method_id": move.payment_method_id,
        "payment_method": method_name(session, move, language),
        "timing": timing_text(move, language),
    }


def move_label(session: Session, move: MoneyMove, language: str) -> str:
    """The card's label for the money: "Refund to Visa ending 4242 (within 5 to 7 business days)"."""
    key = "card.refund_move" if move.direction == "refund" else "card.charge_move"
    return t(key, language, method=method_name(session, move, language), timing=timing_text(move, language))
