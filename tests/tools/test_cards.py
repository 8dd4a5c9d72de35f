"""Confirmation cards: what the customer reads before a return runs, in their language and money."""

from __future__ import annotations

import json

from langchain_core.messages import ToolMessage
from sqlalchemy.engine import Engine

from core.settings import Settings
from tests.tools.toolcall import invoke_tool
from tools.cards import ConfirmationCard, format_money
from tools.deps import ToolDeps
from tools.registry import spec_for
from ui.gradio_cards import confirmation_card

WANG = "wang_fang_1002"


def return_card(
    engine: Engine, settings: Settings, customer_id: str, order_id: str, language: str, **extra: object
) -> ConfirmationCard:
    """The card create_return's preview shows after the order's items were found eligible."""
    deps = ToolDeps(engine=engine, settings=settings)
    checked = invoke_tool("check_return_eligibility", {"order_id": order_id}, deps=deps, customer_id=customer_id)
    item = checked["items"][0]
    args = {"order_id": order_id, "items": [{"order_item_id": item["order_item_id"], "quantity": 1}], **extra}
    state = {
        "customer_id": customer_id,
        "language": language,
        "messages": [ToolMessage(json.dumps(checked), name="check_return_eligibility", tool_call_id="c0")],
    }
    return spec_for("create_return").preview(args, state, deps)  # type: ignore[union-attr,misc]


def test_money_reads_as_the_customers_locale_writes_it() -> None:
    assert (format_money(8999, "USD", "en"), format_money(8999, "USD", "zh")) == ("$89.99", "US$89.99")
    assert format_money(123456, "USD", "xx") == "$1,234.56"  # a language Babel does not know: English


def test_a_chinese_customers_return_card_is_in_chinese_with_the_chinese_product_name(
    engine: Engine, settings: Settings
) -> None:
    card = return_card(engine, settings, WANG, "#W1000011", "zh", damaged=True)

    assert (card.language, card.title) == ("zh", "退回订单 #W1000011 中的 无线耳机 × 1")
    assert [(a.label, a.cents) for a in card.amounts] == [("无线耳机 × 1", 8999), ("退款", 8999)]
    assert ("商品状况", "到货时已损坏或有缺陷") in [(line.label, line.value) for line in card.lines]
    assert "退回原支付方式" in card.on_confirm
    shown = confirmation_card(card, "zh")
    assert "### 请确认" in shown and "- **退款：** US$89.99" in shown


def test_the_card_names_where_the_refund_goes(engine: Engine, settings: Settings) -> None:
    card = return_card(engine, settings, "alice_chen_1001", "#W1000001", "en", refund_method="gift_card")

    assert [(line.label, line.value) for line in card.lines] == [("Refund to", "your gift card (Gift card)")]
    assert "the refund goes to your gift card" in card.on_confirm
    assert card.facts["refund_method"] == "gift_card" and card.facts["refund_amount"] == "89.99"


def test_a_card_checkpointed_by_an_earlier_version_still_shows_and_confirms() -> None:
    earlier = {
        "action_id": "guided-6-create_return~3f9a0c1d2e4b",
        "tool": "create_return",
        "order_id": "#W1000001",
        "items": [{"order_item_id": 1, "product": "Wireless Headphones", "quantity": 1, "refund": "89.99"}],
        "refund_method": "original_payment",
        "refund_amount": "89.99",
        "summary": "Return Wireless Headphones x1 from order #W1000001; refund 89.99.",
    }

    card = ConfirmationCard.model_validate(earlier)

    assert card.action_id == earlier["action_id"] and card.title == earlier["summary"]
    assert card.facts["refund_amount"] == "89.99" and card.facts["items"][0]["product"] == "Wireless Headphones"
