"""A customer exchanges a delivered item for another variant of the same product: the card, the refusals."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from mock_backends.orders.errors import InsufficientBalance, InvalidSwap, OutOfStock
from mock_backends.orders.models import OrderItem
from tools.deps import ToolDeps
from tools.registry import spec_for

CAROL = "carol_davis_1004"


@pytest.fixture
def deps(settings: Settings, engine: Engine) -> ToolDeps:
    return ToolDeps(engine=engine, settings=settings)


def item_of(engine: Engine, order_id: str) -> int:
    with Session(engine) as db:
        return db.exec(select(OrderItem.id).where(OrderItem.order_id == order_id).order_by(col(OrderItem.id))).first()  # type: ignore[return-value]


def card(deps: ToolDeps, order_id: str, new_variant_id: str, language: str = "en"):
    items = [{"order_item_id": item_of(deps.engine, order_id), "new_variant_id": new_variant_id}]
    return spec_for("exchange_items").preview(  # type: ignore[union-attr,misc]
        {"order_id": order_id, "items": items}, {"customer_id": CAROL, "language": language}, deps
    )


def test_the_card_shows_the_old_and_the_new_options_and_no_money_for_the_same_price(deps: ToolDeps) -> None:
    shown = card(deps, "#W1000033", "P-TSHIRT-WHITE-L")

    assert shown.title == "Exchange items of order #W1000033" and shown.amounts == []
    assert [(line.label, line.value) for line in shown.lines] == [
        ("Cotton T-Shirt × 1", "colour: white, size: M → colour: white, size: L")
    ]


@pytest.mark.parametrize(
    ("order_id", "variant", "error"),
    [
        ("#W1000033", "P-TSHIRT-RED-M", OutOfStock),  # sold out
        ("#W1000033", "P-HEADPHONES-STD", InvalidSwap),  # another product
        ("#W1000034", "P-HEADPHONES-ANC", InsufficientBalance),  # 20.00 more, paid by an empty gift card
    ],
)
def test_what_cannot_be_exchanged_is_refused_before_the_customer_is_asked(
    deps: ToolDeps, order_id: str, variant: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        card(deps, order_id, variant)
