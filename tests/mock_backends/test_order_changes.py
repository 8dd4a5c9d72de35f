"""Changing a pending order (address, items, payment method) and the default address, on SQLite and
PostgreSQL: what changes, the money it moves, each refusal typed and changing nothing, idempotency."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mock_backends.orders.errors import (
    InsufficientBalance,
    InvalidOrderChange,
    InvalidSwap,
    OrderAlreadyShipped,
    OrderNotFound,
    OrderNotModifiable,
    OrderSystemError,
    OutOfStock,
    PaymentMethodNotFound,
)
from mock_backends.orders.models import Address, Order, OrderItem, Payment, utcnow
from mock_backends.orders.order_cancellation import cancel_order
from mock_backends.orders.order_changes import (
    change_default_address,
    change_order_address,
    change_order_payment,
    preview_order_payment_change,
)
from mock_backends.orders.order_item_changes import change_order_items, preview_order_items_change
from tests.mock_backends.after_sales import ALICE, CAROL, balance, everything, item_id, stock

SEATTLE = {"line1": "1 Pike St", "line2": "Apt 4", "city": "Seattle", "region": "WA", "postcode": "98101"}


def order(engine: Engine, order_id: str) -> Order:
    with Session(engine) as db:
        found = db.get(Order, order_id)
        assert found is not None
        return found


def test_a_pending_orders_address_is_changed_once_per_key(demo_engine: Engine) -> None:
    with Session(demo_engine) as db:
        first = change_order_address(db, CAROL, "#W1000032", SEATTLE, "addr-1", utcnow())
        again = change_order_address(db, CAROL, "#W1000032", {**SEATTLE, "line1": "9 Elsewhere"}, "addr-1", utcnow())

    assert (first.created, again.created, again.summary["ship_to"]) == (True, False, "1 Pike St, Apt 4, Seattle 98101")
    assert order(demo_engine, "#W1000032").ship_to == "1 Pike St, Apt 4, Seattle 98101"


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ({**SEATTLE, "postcode": "9810"}, "5 digits"),
        ({**SEATTLE, "country": "CN"}, "6 digits"),
        ({**SEATTLE, "city": "  "}, "city"),
        ({**SEATTLE, "line1": "1 Pike St\x07"}, "control characters"),
        ({**SEATTLE, "phone": "555"}, "phone"),
    ],
)
def test_a_malformed_address_is_refused_by_field_and_changes_nothing(
    demo_engine: Engine, address: dict[str, Any], says: str
) -> None:
    before = everything(demo_engine)
    with Session(demo_engine) as db, pytest.raises(InvalidOrderChange, match=says):
        change_order_address(db, CAROL, "#W1000032", address, "addr-bad", utcnow())
    assert everything(demo_engine) == before


def test_items_change_for_another_variant_charges_the_difference_and_moves_stock(demo_engine: Engine) -> None:
    serum = item_id(demo_engine, "#W1000032", 1)
    old, new = stock(demo_engine, "P-SERUM-STD"), stock(demo_engine, "P-SERUM-50ML")
    with Session(demo_engine) as db:
        quote = preview_order_items_change(db, CAROL, "#W1000032", [(serum, "P-SERUM-50ML")], f"card_{CAROL}")
        done = change_order_items(
            db, CAROL, "#W1000032", [(serum, "P-SERUM-50ML")], f"card_{CAROL}", "items-1", utcnow()
        )

    assert quote.price_difference_cents == 1100 == done.summary["price_difference_cents"]
    assert (done.order_status, [(m.direction, m.amount_cents) for m in done.money]) == (
        "items_modified",
        [("charge", 1100)],
    )
    assert (stock(demo_engine, "P-SERUM-STD"), stock(demo_engine, "P-SERUM-50ML")) == (old + 1, new - 1)
    assert order(demo_engine, "#W1000032").total_cents == 1800 + 3950
    with Session(demo_engine) as db:
        line = db.get(OrderItem, serum)
    assert line is not None and (line.variant_id, line.unit_price_cents) == ("P-SERUM-50ML", 3950)


def test_part_of_a_line_changes_into_a_line_of_its_own(demo_engine: Engine) -> None:
    with Session(demo_engine) as db:  # Alice's pending serum order, one unit: add a second unit to split
        serum = db.exec(select(OrderItem).where(OrderItem.order_id == "#W1000007")).one()
        serum.quantity = 2
        db.add(serum)
        db.commit()
        change_order_items(
            db, ALICE, "#W1000007", [(serum.id, "P-SERUM-50ML", 1)], f"gift_card_{ALICE}", "split", utcnow()
        )
        lines = db.exec(select(OrderItem).where(OrderItem.order_id == "#W1000007").order_by(col(OrderItem.id))).all()
    assert [(i.variant_id, i.quantity) for i in lines] == [("P-SERUM-STD", 1), ("P-SERUM-50ML", 1)]
    assert balance(demo_engine, f"gift_card_{ALICE}") == 2500 - 1100


ITEM_REFUSALS = {  # order, its line, the variant wanted, payment method, refusal, what it says
    "out of stock": ("#W1000031", 0, "P-SHOES-44", None, OutOfStock, "out of stock"),
    "another product": ("#W1000031", 0, "P-LAMP-STD", None, InvalidSwap, "same product"),
    "the same variant": ("#W1000031", 0, "P-SHOES-STD", None, InvalidSwap, "already ordered"),
    "gift card without the balance": (
        "#W1000032",
        1,
        "P-SERUM-50ML",
        f"gift_card_{CAROL}",
        InsufficientBalance,
        "does not cover 11.00",
    ),
    "no payment method for the difference": ("#W1000032", 1, "P-SERUM-50ML", None, InvalidSwap, "11.00"),
    "another customer's order": ("#W1000007", 0, "P-SERUM-50ML", f"card_{CAROL}", OrderNotFound, "can't find"),
}


@pytest.mark.parametrize(
    ("order_id", "position", "variant", "method", "error", "says"), ITEM_REFUSALS.values(), ids=ITEM_REFUSALS.keys()
)
def test_each_item_change_refusal_is_typed_and_changes_nothing(
    demo_engine: Engine,
    order_id: str,
    position: int,
    variant: str,
    method: str | None,
    error: type[OrderSystemError],
    says: str,
) -> None:
    items = [(item_id(demo_engine, order_id, position), variant)]
    before = everything(demo_engine)
    with Session(demo_engine) as db, pytest.raises(error, match=says):
        change_order_items(db, CAROL, order_id, items, method, "refused-change", utcnow())
    assert everything(demo_engine) == before


def test_items_can_be_changed_once_then_the_order_can_still_be_cancelled(demo_engine: Engine) -> None:
    serum, tshirt = item_id(demo_engine, "#W1000032", 1), item_id(demo_engine, "#W1000032", 0)
    with Session(demo_engine) as db:
        change_order_items(db, CAROL, "#W1000032", [(serum, "P-SERUM-50ML")], f"card_{CAROL}", "first", utcnow())
        before = everything(demo_engine)
        with pytest.raises(OrderNotModifiable, match="already changed once"):
            change_order_items(db, CAROL, "#W1000032", [(tshirt, "P-TSHIRT-BLACK-M")], None, "second", utcnow())
        assert everything(demo_engine) == before
        cancelled = cancel_order(db, CAROL, "#W1000032", "no longer needed", "cancel", utcnow())
    # ReturnDesk differs from tau-bench here on purpose: nothing has shipped, so it can still be cancelled.
    assert cancelled.order_status == "cancelled"
    assert sum(m.amount_cents for m in cancelled.money) == 1800 + 3950  # the charge and the difference


def test_a_shipped_orders_items_or_address_cannot_change(demo_engine: Engine) -> None:
    with Session(demo_engine) as db:
        with pytest.raises(OrderAlreadyShipped):
            change_order_items(
                db,
                ALICE,
                "#W1000004",
                [(item_id(demo_engine, "#W1000004"), "P-LAMP-WHITE")],
                None,
                "late-items",
                utcnow(),
            )
        with pytest.raises(OrderAlreadyShipped):
            change_order_address(db, ALICE, "#W1000004", SEATTLE, "late-address", utcnow())


def test_paying_with_another_method_refunds_the_first_and_charges_the_new(demo_engine: Engine) -> None:
    with Session(demo_engine) as db:
        quote = preview_order_payment_change(db, CAROL, "#W1000032", f"paypal_{CAROL}")
        done = change_order_payment(db, CAROL, "#W1000032", f"paypal_{CAROL}", "pay-1", utcnow())
        payments = db.exec(select(Payment).where(Payment.order_id == "#W1000032").order_by(col(Payment.id))).all()

    assert (quote.charge.amount_cents, [r.kind for r in quote.refunds]) == (4650, ["credit_card"])
    assert [(m.direction, m.kind, m.amount_cents) for m in done.money] == [
        ("refund", "credit_card", 4650),
        ("charge", "paypal", 4650),
    ]
    assert [(p.direction, p.payment_method_id) for p in payments] == [
        ("charge", f"card_{CAROL}"),
        ("refund", f"card_{CAROL}"),
        ("charge", f"paypal_{CAROL}"),
    ]


@pytest.mark.parametrize(
    ("method", "error", "says"),
    [
        (f"card_{CAROL}", InvalidOrderChange, "already paid with"),
        (f"gift_card_{CAROL}", InsufficientBalance, "does not cover 46.50"),
        (f"card_{ALICE}", PaymentMethodNotFound, "can't find payment method"),
    ],
)
def test_a_payment_change_that_breaks_a_rule_changes_nothing(
    demo_engine: Engine, method: str, error: type[OrderSystemError], says: str
) -> None:
    before = everything(demo_engine)
    with Session(demo_engine) as db, pytest.raises(error, match=says):
        change_order_payment(db, CAROL, "#W1000032", method, "pay-bad", utcnow())
    assert everything(demo_engine) == before


def test_the_default_address_changes_for_future_orders_only(demo_engine: Engine) -> None:
    ship_to = order(demo_engine, "#W1000032").ship_to
    with Session(demo_engine) as db:
        done = change_default_address(db, CAROL, SEATTLE, "default-1", utcnow())
        defaults = db.exec(select(Address).where(Address.customer_id == CAROL, col(Address.is_default))).all()

    assert done.created and done.summary["old_address"] == "1201 3rd Ave, Seattle 98101"
    assert [(a.line1, a.line2, a.postcode) for a in defaults] == [("1 Pike St", "Apt 4", "98101")]
    assert order(demo_engine, "#W1000032").ship_to == ship_to
