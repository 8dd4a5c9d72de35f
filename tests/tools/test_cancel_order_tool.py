"""A customer cancels a pending order: the card states each refund and when it arrives; once only."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.settings import Settings
from mock_backends.orders.errors import OrderAlreadyShipped, OrderNotCancellable
from mock_backends.orders.models import Order
from tests.tools.toolcall import invoke_tool
from tools.deps import ToolDeps
from tools.registry import spec_for

ALICE, CAROL, LI_NA = "alice_chen_1001", "carol_davis_1004", "li_na_1005"


@pytest.fixture
def deps(settings: Settings, engine: Engine) -> ToolDeps:
    return ToolDeps(engine=engine, settings=settings)


def card(deps: ToolDeps, customer: str, order_id: str, language: str = "en"):
    return spec_for("cancel_order").preview(  # type: ignore[union-attr,misc]
        {"order_id": order_id, "reason": "no longer needed"}, {"customer_id": customer, "language": language}, deps
    )


def test_the_card_names_the_items_the_reason_and_each_refund_with_its_timing(deps: ToolDeps) -> None:
    shown = card(deps, CAROL, "#W1000031")

    assert shown.title == "Cancel order #W1000031" and ("Reason", "no longer needed") in [
        (line.label, line.value) for line in shown.lines
    ]
    assert [(a.label, a.cents) for a in shown.amounts] == [
        ("Refund to Visa ending 4242 (within 5 to 7 business days)", 7450),
        ("Refund", 7450),
    ]
    assert shown.facts["refund_amount"] == "74.50"


def test_a_gift_card_refund_arrives_at_once_and_the_card_speaks_chinese(deps: ToolDeps) -> None:
    shown = card(deps, LI_NA, "#W1000041", language="zh")

    assert shown.title == "取消订单 #W1000041"
    assert shown.amounts[0].label == "退回礼品卡（立即到账）"


@pytest.mark.parametrize(
    ("customer", "order_id", "error"),
    [(ALICE, "#W1000004", OrderAlreadyShipped), (CAROL, "#W1000035", OrderNotCancellable)],
)
def test_an_order_that_left_or_is_leaving_the_warehouse_is_refused_before_asking(
    deps: ToolDeps, customer: str, order_id: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        card(deps, customer, order_id)


def test_the_confirmed_call_cancels_once_and_refunds_the_card(deps: ToolDeps) -> None:
    args = {"order_id": "#W1000031", "reason": "ordered by mistake"}

    first = invoke_tool("cancel_order", args, deps=deps, customer_id=CAROL)
    again = invoke_tool("cancel_order", args, deps=deps, customer_id=CAROL)

    assert first["ok"] and first["status"] == "cancelled" and first["refund_amount"] == "74.50"
    assert first["refunds"] == [
        {
            "direction": "refund",
            "amount": "74.50",
            "currency": "USD",
            "payment_method_id": "card_carol_davis_1004",
            "payment_method": "Visa ending 4242",
            "timing": "within 5 to 7 business days",
        }
    ]
    assert again == first, "the same confirmed call replayed changes nothing and answers the same"
    assert spec_for("cancel_order").committed(deps, {"customer_id": CAROL}, "session-test", "call-1")  # type: ignore[union-attr,misc]
    with Session(deps.engine) as db:
        assert db.get(Order, "#W1000031").status == "cancelled"  # type: ignore[union-attr]


def test_a_reason_outside_the_policy_never_reaches_the_order(deps: ToolDeps) -> None:
    result = invoke_tool(
        "cancel_order", {"order_id": "#W1000031", "reason": "found it cheaper"}, deps=deps, customer_id=CAROL
    )

    assert result["ok"] is False and result["code"] == "invalid_arguments"
