"""Cancelling an order that has not shipped, on SQLite and PostgreSQL: refunds to the methods that
paid with when the money arrives, stock back, and every refusal typed and changing nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mock_backends.orders.after_sales_models import AccountChange
from mock_backends.orders.errors import (
    InvalidOrderChange,
    OrderAlreadyShipped,
    OrderNotCancellable,
    OrderNotFound,
    OrderSystemError,
)
from mock_backends.orders.models import AuditEvent, Order, Payment, utcnow
from mock_backends.orders.order_cancellation import cancel_order, preview_cancel_order
from tests.mock_backends.after_sales import ALICE, CAROL, LI_NA, balance, everything, stock


def cancel(engine: Engine, customer: str, order_id: str, reason: str = "no longer needed", key: str = "cancel-1"):
    with Session(engine) as db:
        return cancel_order(db, customer, order_id, reason, key, utcnow())


def test_a_card_paid_order_is_refunded_within_5_to_7_business_days_and_its_stock_comes_back(
    demo_engine: Engine,
) -> None:
    shoes = stock(demo_engine, "P-SHOES-STD")
    with Session(demo_engine) as db:
        quote = preview_cancel_order(db, CAROL, "#W1000031", "Ordered by mistake.")

    done = cancel(demo_engine, CAROL, "#W1000031", "Ordered by mistake.")

    assert (quote.reason, [(r.amount_cents, r.kind) for r in quote.refunds]) == (
        "ordered by mistake",
        [(7450, "credit_card")],
    )
    assert (done.order_status, done.created, done.summary["reason"]) == ("cancelled", True, "ordered by mistake")
    [refund] = done.money
    assert (refund.direction, refund.amount_cents, refund.payment_method) == ("refund", 7450, "Visa ending 4242")
    assert (refund.timing.text(), refund.timing.text("zh")) == ("within 5 to 7 business days", "5-7 个工作日内到账")
    assert stock(demo_engine, "P-SHOES-STD") == shoes + 1
    with Session(demo_engine) as db:
        order = db.get(Order, "#W1000031")
        refunds = db.exec(select(Payment).where(Payment.order_id == "#W1000031", Payment.direction == "refund")).all()
        audited = db.exec(select(AuditEvent).where(AuditEvent.tool == "cancel_order")).all()
    assert order is not None and order.status == "cancelled" and order.cancelled_at is not None
    assert [(r.amount_cents, r.note) for r in refunds] == [(7450, "order cancelled")]
    assert [(a.actor, a.outcome) for a in audited] == [(CAROL, "ok")]


def test_a_gift_card_paid_order_is_refunded_to_the_gift_card_at_once(demo_engine: Engine) -> None:
    gift_card = f"gift_card_{LI_NA}"
    before = balance(demo_engine, gift_card)

    done = cancel(demo_engine, LI_NA, "#W1000041")

    assert [(m.kind, m.timing.immediate, m.timing.text("zh")) for m in done.money] == [("gift_card", True, "立即到账")]
    assert balance(demo_engine, gift_card) == (before or 0) + 3499


def test_the_same_key_twice_cancels_and_refunds_once(demo_engine: Engine) -> None:
    first = cancel(demo_engine, CAROL, "#W1000031", key="same")
    again = cancel(demo_engine, CAROL, "#W1000031", key="same")

    assert (first.created, again.created) == (True, False)
    assert again.money == first.money and again.order_status == "cancelled"
    with Session(demo_engine) as db:
        assert (
            len(db.exec(select(Payment).where(Payment.order_id == "#W1000031", Payment.direction == "refund")).all())
            == 1
        )
        assert len(db.exec(select(AccountChange)).all()) == 1


REFUSED = {
    "shipped": (ALICE, "#W1000004", "no longer needed", OrderAlreadyShipped, "already shipped"),
    "delivered": (ALICE, "#W1000001", "no longer needed", OrderAlreadyShipped, "already shipped"),
    "being prepared": (CAROL, "#W1000035", "no longer needed", OrderNotCancellable, "being prepared"),
    "already cancelled": (ALICE, "#W1000006", "no longer needed", OrderNotCancellable, "is cancelled"),
    "a reason the policy has not": (CAROL, "#W1000031", "found it cheaper", InvalidOrderChange, "no longer needed"),
    "another customer's order": (ALICE, "#W1000031", "no longer needed", OrderNotFound, "can't find order"),
}


@pytest.mark.parametrize(("customer", "order_id", "reason", "error", "says"), REFUSED.values(), ids=REFUSED.keys())
def test_each_refusal_is_typed_the_same_as_the_card_and_changes_nothing(
    demo_engine: Engine,
    customer: str,
    order_id: str,
    reason: str,
    error: type[OrderSystemError],
    says: str,
) -> None:
    before = everything(demo_engine)
    with Session(demo_engine) as db, pytest.raises(error, match=says) as previewed:
        preview_cancel_order(db, customer, order_id, reason)
    with pytest.raises(error) as refused:
        cancel(demo_engine, customer, order_id, reason)
    assert str(refused.value) == str(previewed.value)
    assert everything(demo_engine) == before


def test_a_shipped_order_is_refused_with_a_hint_to_offer_tracking(demo_engine: Engine) -> None:
    with pytest.raises(OrderAlreadyShipped) as refused:
        cancel(demo_engine, ALICE, "#W1000004")
    assert refused.value.code == "order_shipped" and "track_shipment" in refused.value.hint
