"""A customer changes an item of a pending order for another variant: the card, the refusals, the change."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from mock_backends.orders.errors import InsufficientBalance, InvalidSwap, OrderAlreadyShipped, OutOfStock
from mock_backends.orders.models import Order, OrderItem, PaymentMethod
from tests.tools.toolcall import audit_rows, invoke_tool
from tools.deps import ToolDeps
from tools.registry import spec_for

CAROL = "carol_davis_1004"


@pytest.fixture
def deps(settings: Settings, engine: Engine) -> ToolDeps:
    return ToolDeps(engine=engine, settings=settings)


def items_of(engine: Engine, order_id: str) -> list[int]:
    with Session(engine) as db:
        return list(
            db.exec(select(OrderItem.id).where(OrderItem.order_id == order_id).order_by(col(OrderItem.id))).all()
        )  # type: ignore[arg-type]


def change(deps: ToolDeps, order_id: str, variant: str, index: int = 0, **extra: str) -> dict:
    return {
        "order_id": order_id,
        "items": [{"order_item_id": items_of(deps.engine, order_id)[index], "new_variant_id": variant}],
        **extra,
    }


def card(deps: ToolDeps, args: dict, language: str = "en"):
    return spec_for("change_order_items").preview(  # type: ignore[union-attr,misc]
        args, {"customer_id": CAROL, "language": language}, deps
    )


def test_the_card_shows_the_swap_and_the_difference_charged_to_the_card_that_paid(deps: ToolDeps) -> None:
    shown = card(deps, change(deps, "#W1000032", "P-SERUM-50ML", index=1))

    assert shown.title == "Change items of order #W1000032"
    assert [(line.label, line.value) for line in shown.lines] == [("Face Serum × 1", "size: 30 ml → size: 50 ml")]
    assert [(a.label, a.cents) for a in shown.amounts] == [("Charge to Visa ending 4242", 1100)]


def test_the_card_reads_chinese_for_a_chinese_customer(deps: ToolDeps) -> None:
    shown = card(deps, change(deps, "#W1000032", "P-TSHIRT-WHITE-L"), language="zh")

    assert shown.title == "修改订单 #W1000032 的商品" and shown.amounts == []


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("#W1000032", "P-TSHIRT-RED-M", 0, {}), OutOfStock),  # sold out
        (("#W1000032", "P-HEADPHONES-STD", 0, {}), InvalidSwap),  # another product
        (("#W1000032", "P-SERUM-50ML", 1, {"payment_method_id": "gift_card"}), InsufficientBalance),  # empty gift card
        (("#W1000033", "P-TSHIRT-WHITE-L", 0, {}), OrderAlreadyShipped),  # delivered: an exchange instead
    ],
)
def test_what_cannot_be_changed_is_refused_before_the_customer_is_asked(
    deps: ToolDeps, args: tuple, error: type[Exception]
) -> None:
    order_id, variant, index, extra = args
    with pytest.raises(error):
        card(deps, change(deps, order_id, variant, index, **extra))


def test_a_confirmed_change_charges_the_difference_once_and_the_order_cannot_change_again(deps: ToolDeps) -> None:
    args = change(deps, "#W1000032", "P-SERUM-50ML", index=1)

    first = invoke_tool("change_order_items", args, deps=deps, customer_id=CAROL, call_id="call-7")
    replay = invoke_tool("change_order_items", args, deps=deps, customer_id=CAROL, call_id="call-7")
    again = invoke_tool("change_order_items", args, deps=deps, customer_id=CAROL, call_id="call-8")

    assert first["ok"] and first["status"] == "items_modified" and first["price_difference"] == "11.00"
    assert first["payment"]["direction"] == "charge" and first["payment"]["payment_method"] == "Visa ending 4242"
    assert first["items"][0]["new_options"] == {"size": "50 ml"}
    assert replay == first  # the same confirmed call: no second charge
    assert again["ok"] is False and again["code"] == "order_not_modifiable"
    with Session(deps.engine) as db:
        assert db.get(Order, "#W1000032").total_cents == 1800 + 3950  # type: ignore[union-attr]
    assert [row.outcome for row in audit_rows(deps.engine, "change_order_items", CAROL)] == ["ok", "refused"]


def test_a_chinese_customer_reads_the_refusal_in_chinese(deps: ToolDeps) -> None:
    with Session(deps.engine) as db:
        balance = db.get(PaymentMethod, f"gift_card_{CAROL}").balance_cents  # type: ignore[union-attr]
    refused = invoke_tool(
        "change_order_items",
        change(deps, "#W1000032", "P-SERUM-50ML", index=1, payment_method_id="gift_card"),
        deps=deps,
        customer_id=CAROL,
        language="zh",
    )

    assert balance == 0 and refused["code"] == "insufficient_balance"
    assert "礼品卡余额不足" in refused["error"]
