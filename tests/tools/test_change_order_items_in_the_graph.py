"""change_order_items and an exchange's cancellation inside the compiled graph, with a scripted model:
the card comes before any write, a yes runs exactly that call, and a refusal reaches a Chinese
customer's model in Chinese."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from graphs.returns_graph import DURABILITY
from mock_backends.orders.models import Order, OrderItem
from tests.tools.test_tool_template import Conversation, tool_call

CAROL = "carol_davis_1004"


def serum_of(engine: Engine) -> int:
    with Session(engine) as db:
        return list(db.exec(select(OrderItem.id).where(OrderItem.order_id == "#W1000032").order_by(col(OrderItem.id))))[
            1
        ]  # type: ignore[return-value]


def status_of(engine: Engine, order_id: str) -> str:
    with Session(engine) as db:
        return db.get(Order, order_id).status  # type: ignore[union-attr]


def test_the_order_changes_only_after_the_customer_confirms_the_card(engine: Engine, settings: Settings) -> None:
    chat = Conversation(
        engine,
        settings,
        tool_call(
            "change_order_items",
            order_id="#W1000032",
            items=[{"order_item_id": serum_of(engine), "new_variant_id": "P-SERUM-50ML"}],
        ),
        AIMessage("Done: the serum is now 50 ml and 11.00 was charged to your Visa."),
        customer_id=CAROL,
    )

    chat.say("Please change the face serum on #W1000032 to 50 ml")
    card = chat.pending_card()
    assert card is not None and card["title"] == "Change items of order #W1000032"
    assert status_of(engine, "#W1000032") == "pending"  # nothing written while the card waits

    chat.answer_card(approved=True)
    [result] = chat.tool_results("change_order_items")
    assert result["ok"] and result["price_difference"] == "11.00"
    assert status_of(engine, "#W1000032") == "items_modified"


def test_a_refusal_at_the_card_reaches_a_chinese_customers_model_in_chinese(engine: Engine, settings: Settings) -> None:
    chat = Conversation(
        engine,
        settings,
        tool_call(
            "change_order_items",
            order_id="#W1000032",
            items=[{"order_item_id": serum_of(engine), "new_variant_id": "P-SERUM-50ML"}],
            payment_method_id="gift_card",
        ),
        AIMessage("抱歉，礼品卡余额不足。"),
        customer_id=CAROL,
    )
    chat.graph.invoke(
        {"messages": [HumanMessage("精华液改成 50 ml，用礼品卡付差价")], "customer_id": CAROL, "language": "zh"},
        chat.config,
        context=chat.deps,
        durability=DURABILITY,
    )

    [refused] = chat.tool_results("change_order_items")
    assert chat.pending_card() is None and refused["code"] == "insufficient_balance"
    assert refused["error"] == "您的礼品卡余额不足以支付这笔金额：请选择其他付款方式。"
    assert status_of(engine, "#W1000032") == "pending"
