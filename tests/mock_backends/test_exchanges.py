"""Exchanging delivered items for another variant of the same product, on SQLite and PostgreSQL:
the swap, its price difference, every refusal (which changes nothing), idempotency, cancelling."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mock_backends.orders import repository
from mock_backends.orders.after_sales_models import ExchangeRequest
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.errors import (
    ExchangeNotCancellable,
    ExchangeNotFound,
    InsufficientBalance,
    InvalidSwap,
    NotEligible,
    OrderNotFound,
    OrderSystemError,
    OutOfStock,
    PaymentMethodNotFound,
)
from mock_backends.orders.exchange_lifecycle import cancel_exchange, exchange_view
from mock_backends.orders.exchanges import exchange_items, preview_exchange
from mock_backends.orders.models import AuditEvent, Payment, PaymentMethod, utcnow
from mock_backends.orders.return_lifecycle import cancel_return
from mock_backends.orders.returns import ReturnLine, create_return
from mock_backends.orders.seed import seed_demo
from tests.mock_backends.after_sales import ALICE, BOB, CAROL, WANG, balance, everything, item_id, line, stock
from tests.postgres import temporary_database


def exchange(
    engine: Engine,
    customer: str,
    order_id: str,
    items: list[tuple[int, str, int]],
    payment_method_id: str | None = None,
    key: str = "exchange-1",
):
    with Session(engine) as db:
        return exchange_items(db, customer, order_id, items, payment_method_id, key, utcnow())


def test_an_exchange_takes_stock_counts_the_units_and_shows_on_the_order(demo_engine: Engine) -> None:
    tshirt = item_id(demo_engine, "#W1000033")
    before = stock(demo_engine, "P-TSHIRT-BLACK-M")

    view = exchange(demo_engine, CAROL, "#W1000033", [(tshirt, "P-TSHIRT-BLACK-M", 1)])

    assert view.created and view.number.startswith("EXC-") and view.status == "requested" and view.cancellable
    [swapped] = view.items
    assert (swapped.old_options, swapped.new_options) == (
        {"colour": "white", "size": "M"},
        {"colour": "black", "size": "M"},
    )
    assert (view.price_difference_cents, view.payment) == (0, None)
    assert stock(demo_engine, "P-TSHIRT-BLACK-M") == before - 1
    assert line(demo_engine, tshirt).quantity_exchanged == 1
    with Session(demo_engine) as db:
        detail = repository.get_order_detail(db, CAROL, "#W1000033")
        audited = db.exec(select(AuditEvent).where(AuditEvent.tool == "exchange_items")).all()
    assert detail.order.status == "exchange_requested"
    assert [(a.actor, a.outcome, a.order_id) for a in audited] == [(CAROL, "ok", "#W1000033")]


def test_a_dearer_variant_is_charged_to_the_gift_card_at_once(demo_engine: Engine) -> None:
    gift_card = f"gift_card_{ALICE}"

    dearer = exchange(
        demo_engine, ALICE, "#W1000001", [(item_id(demo_engine, "#W1000001"), "P-HEADPHONES-ANC", 1)], gift_card
    )

    assert dearer.price_difference_cents == 2000 == dearer.items[0].difference_cents
    assert (dearer.payment.direction, dearer.payment.amount_cents, dearer.payment.timing) == ("charge", 2000, None)
    assert balance(demo_engine, gift_card) == 2500 - 2000


def test_a_cheaper_variant_is_refunded_to_the_card_with_when_it_arrives(demo_engine: Engine) -> None:
    cheaper = exchange(
        demo_engine, WANG, "#W1000011", [(item_id(demo_engine, "#W1000011"), "P-HEADPHONES-WHITE", 1)], f"card_{WANG}"
    )

    assert cheaper.price_difference_cents == -1000 and cheaper.payment.direction == "refund"
    assert (cheaper.payment.timing.min_days, cheaper.payment.timing.max_days) == (5, 7)
    with Session(demo_engine) as db:
        refunds = db.exec(select(Payment).where(Payment.order_id == "#W1000011", Payment.direction == "refund")).all()
    assert [(r.payment_method_id, r.amount_cents, r.note) for r in refunds] == [
        (f"card_{WANG}", 1000, f"exchange {cheaper.number}")
    ]


@dataclass(frozen=True)
class Refusal:
    customer: str
    order_id: str
    position: int
    variant: str
    quantity: int
    payment_method_id: str | None
    error: type[OrderSystemError]
    says: str


REFUSALS: dict[str, Refusal] = {
    "out of stock": Refusal(CAROL, "#W1000033", 0, "P-TSHIRT-RED-M", 1, None, OutOfStock, "out of stock"),
    "another product": Refusal(CAROL, "#W1000033", 0, "P-CABLE-STD", 1, None, InvalidSwap, "same product"),
    "the same variant": Refusal(CAROL, "#W1000033", 0, "P-TSHIRT-STD", 1, None, InvalidSwap, "already ordered"),
    "no such variant": Refusal(CAROL, "#W1000033", 0, "P-TSHIRT-GOLD-XXL", 1, None, InvalidSwap, "no such variant"),
    "more units than bought": Refusal(CAROL, "#W1000033", 0, "P-TSHIRT-BLACK-M", 2, None, InvalidSwap, "Only 1"),
    "gift card without the balance": Refusal(
        CAROL, "#W1000034", 0, "P-HEADPHONES-ANC", 1, f"gift_card_{CAROL}", InsufficientBalance, "does not cover 20.00"
    ),
    "no payment method for the difference": Refusal(
        CAROL, "#W1000034", 0, "P-HEADPHONES-ANC", 1, None, InvalidSwap, "price difference of 20.00"
    ),
    "another customer's payment method": Refusal(
        ALICE,
        "#W1000001",
        0,
        "P-HEADPHONES-ANC",
        1,
        f"gift_card_{BOB}",
        PaymentMethodNotFound,
        "can't find payment method",
    ),
    "final sale": Refusal(ALICE, "#W1000003", 0, "P-SUNGLASSES-BLACK", 1, None, NotEligible, "final sale"),
    "expired window": Refusal(ALICE, "#W1000002", 0, "P-SHOES-43", 1, None, NotEligible, "30-day window"),
    "not delivered yet": Refusal(ALICE, "#W1000004", 0, "P-LAMP-WHITE", 1, None, NotEligible, "once the order"),
    "another customer's order": Refusal(
        ALICE, "#W1000033", 0, "P-TSHIRT-BLACK-M", 1, None, OrderNotFound, "can't find order #W1000033"
    ),
}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def shared_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One demo database per backend for the refusals: each must leave it exactly as it was."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('refusals') / 'returndesk.db'}"
        engine = make_engine(url)
        create_tables(engine)
        seed_demo(engine)
        yield engine
        engine.dispose()
        return
    with temporary_database() as url:
        engine = make_engine(url)
        create_tables(engine)
        seed_demo(engine)
        yield engine
        engine.dispose()


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_each_refusal_is_typed_explained_the_same_by_the_preview_and_changes_nothing(
    shared_engine: Engine,
    case: Refusal,
) -> None:
    items = [(item_id(shared_engine, case.order_id, case.position), case.variant, case.quantity)]
    before = everything(shared_engine)

    with Session(shared_engine) as db, pytest.raises(case.error, match=case.says) as previewed:
        preview_exchange(db, case.customer, case.order_id, items, case.payment_method_id, utcnow())
    with pytest.raises(case.error) as refused:
        exchange(shared_engine, case.customer, case.order_id, items, case.payment_method_id, key="refused")

    assert str(refused.value) == str(previewed.value)
    assert refused.value.hint
    assert everything(shared_engine) == before


def test_listing_an_item_twice_or_one_not_on_the_order_is_refused(demo_engine: Engine) -> None:
    tshirt = item_id(demo_engine, "#W1000033")
    with pytest.raises(InvalidSwap, match="listed twice"):
        exchange(demo_engine, CAROL, "#W1000033", [(tshirt, "P-TSHIRT-BLACK-M", 1), (tshirt, "P-TSHIRT-WHITE-L", 1)])
    with pytest.raises(InvalidSwap, match="not on order"):
        exchange(demo_engine, CAROL, "#W1000033", [(item_id(demo_engine, "#W1000001"), "P-HEADPHONES-ANC", 1)])
    with pytest.raises(InvalidSwap, match="at least one"):
        exchange(demo_engine, CAROL, "#W1000033", [])


def test_the_same_key_twice_makes_one_exchange(demo_engine: Engine) -> None:
    tshirt = item_id(demo_engine, "#W1000033")
    first = exchange(demo_engine, CAROL, "#W1000033", [(tshirt, "P-TSHIRT-BLACK-M", 1)], key="same")
    again = exchange(demo_engine, CAROL, "#W1000033", [(tshirt, "P-TSHIRT-BLACK-M", 1)], key="same")

    assert (first.created, again.created, again.number) == (True, False, first.number)
    with Session(demo_engine) as db:
        assert len(db.exec(select(ExchangeRequest)).all()) == 1
    assert stock(demo_engine, "P-TSHIRT-BLACK-M") == 6 and line(demo_engine, tshirt).quantity_exchanged == 1


def test_cancelling_gives_back_the_stock_the_units_and_the_difference(demo_engine: Engine) -> None:
    headphones, gift_card = item_id(demo_engine, "#W1000001"), f"gift_card_{ALICE}"
    made = exchange(demo_engine, ALICE, "#W1000001", [(headphones, "P-HEADPHONES-ANC", 1)], gift_card)

    with Session(demo_engine) as db:
        cancelled = cancel_exchange(db, ALICE, made.number.lower(), "cancel-1", utcnow())
        replayed = cancel_exchange(db, ALICE, made.number, "cancel-1", utcnow())
        with pytest.raises(ExchangeNotCancellable, match="cancelled"):
            cancel_exchange(db, ALICE, made.number, "cancel-2", utcnow())
        status = repository.get_order_detail(db, ALICE, "#W1000001").order.status

    assert (cancelled.status, cancelled.created, cancelled.payment_reversed) == ("cancelled", True, True)
    assert (replayed.status, replayed.created) == ("cancelled", False)
    assert balance(demo_engine, gift_card) == 2500
    assert stock(demo_engine, "P-HEADPHONES-ANC") == 2
    assert line(demo_engine, headphones).quantity_exchanged == 0
    assert status == "delivered"


def test_an_exchange_whose_old_item_shipped_cannot_be_cancelled(demo_engine: Engine) -> None:
    made = exchange(demo_engine, CAROL, "#W1000033", [(item_id(demo_engine, "#W1000033"), "P-TSHIRT-BLACK-M", 1)])
    with Session(demo_engine) as db:
        db.execute(update(ExchangeRequest).values(status="in_transit"))
        db.commit()
    before = everything(demo_engine)

    with Session(demo_engine) as db, pytest.raises(ExchangeNotCancellable, match="on its way"):
        cancel_exchange(db, CAROL, made.number, "cancel-late", utcnow())
    assert everything(demo_engine) == before


def test_another_customers_exchange_is_not_found(demo_engine: Engine) -> None:
    made = exchange(demo_engine, CAROL, "#W1000033", [(item_id(demo_engine, "#W1000033"), "P-TSHIRT-BLACK-M", 1)])
    with Session(demo_engine) as db:
        with pytest.raises(ExchangeNotFound):
            exchange_view(db, ALICE, made.number)
        with pytest.raises(ExchangeNotFound):
            cancel_exchange(db, ALICE, made.number, "not-hers", utcnow())
        assert exchange_view(db, CAROL, made.number).status == "requested"


def test_a_refund_already_spent_from_the_gift_card_stops_the_cancellation_and_changes_nothing(
    demo_engine: Engine,
) -> None:
    gift_card = f"gift_card_{ALICE}"
    made = exchange(
        demo_engine, ALICE, "#W1000001", [(item_id(demo_engine, "#W1000001"), "P-HEADPHONES-WHITE", 1)], gift_card
    )
    assert balance(demo_engine, gift_card) == 2500 + 1000  # refunded at once
    with Session(demo_engine) as db:
        db.execute(update(PaymentMethod).where(PaymentMethod.id == gift_card).values(balance_cents=0))  # spent
        db.commit()
    before = everything(demo_engine)

    with Session(demo_engine) as db, pytest.raises(InsufficientBalance):
        cancel_exchange(db, ALICE, made.number, "cancel-spent", utcnow())
    assert everything(demo_engine) == before


def test_one_order_can_have_an_exchange_and_a_return_of_other_units(demo_engine: Engine) -> None:
    """ReturnDesk allows several partial returns and exchanges of one order (tau-bench: one)."""
    tshirts = item_id(demo_engine, "#W1000003", 1)  # two bought

    def return_tshirts(quantity: int, key: str) -> str:
        return create_return(
            demo_engine,
            customer_id=ALICE,
            order_id="#W1000003",
            lines=[ReturnLine(tshirts, quantity)],
            refund_method="original_payment",
            reason="",
            idempotency_key=key,
        ).rma

    def status() -> str:
        with Session(demo_engine) as db:
            return repository.get_order_detail(db, ALICE, "#W1000003").order.status

    exchange(demo_engine, ALICE, "#W1000003", [(tshirts, "P-TSHIRT-BLACK-M", 1)])
    with pytest.raises(NotEligible, match="Only 1"):  # one of the two went back in the exchange
        return_tshirts(2, "return-2")
    rma = return_tshirts(1, "return-1")
    assert status() == "return_requested"
    with pytest.raises(NotEligible, match="already been returned or exchanged"):
        exchange(demo_engine, ALICE, "#W1000003", [(tshirts, "P-TSHIRT-WHITE-L", 1)], key="exchange-2")

    cancel_return(demo_engine, customer_id=ALICE, rma=rma)

    assert status() == "exchange_requested"
    assert (line(demo_engine, tshirts).quantity_returned, line(demo_engine, tshirts).quantity_exchanged) == (0, 1)


def test_the_demo_has_a_last_unit_and_a_sold_out_variant(demo_engine: Engine) -> None:
    assert stock(demo_engine, "P-TSHIRT-WHITE-L") == 1
    assert stock(demo_engine, "P-TSHIRT-RED-M") == 0
