"""The output check on claims: no action reported as done and no order number unless a tool (or the
customer) is behind it. The scripted model stands in for a small model that makes things up."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.reply_claims import claimed_actions, unsupported_actions, unsupported_order_ids
from tests.fakes.chat_models import tool_call
from tests.graph.conftest import GraphRun
from tests.graph.helpers import item_id


@pytest.mark.parametrize(
    "claim",
    [
        "Good news: your return has been cancelled.",
        "I've refunded the headphones to your card.",
        "Your item was returned and you've been refunded.",
        "I have processed your refund.",
        "The exchange has been completed.",
        "已为您取消退货。",
        "退款已到账,请查收。",
        "您的商品已退货。",
        "换货成功!",
    ],
)
def test_an_action_no_tool_did_is_written_again_then_replaced(run: GraphRun, claim: str) -> None:
    run.model.steps = [claim, claim]

    run.say("what happened to my return?")

    reply = run.reply()
    assert reply.response_metadata["returndesk_guardrail"] == "replaced"
    assert claim not in reply.content
    assert run.returns() == [], "and nothing was written"
    assert "no tool in this conversation produced" in run.model.system_prompts()[1], "the retry is told why"


@pytest.mark.parametrize(
    "text",
    [
        "Items can be returned within 30 days of delivery.",
        "It has not been refunded yet.",
        "Final sale items cannot be returned or exchanged.",
        "Refunds are issued to the original payment method.",
        "该商品尚未退款,可以申请退货。",
        "Would you like me to cancel it?",
    ],
)
def test_policy_words_and_offers_are_not_claims(text: str) -> None:
    assert claimed_actions(text) == []


def test_a_cancellation_the_tool_did_may_be_reported(run: GraphRun) -> None:
    items = [{"order_item_id": item_id(run.deps.engine, "#W1000001", "Wireless Headphones"), "quantity": 1}]
    run.model.steps = [
        tool_call("check_return_eligibility", order_id="#W1000001", items=items),
        tool_call("create_return", order_id="#W1000001", items=items, refund_method="original_payment"),
    ]
    run.say("return the headphones from #W1000001")
    run.model.steps = ["Your return is created."]
    run.answer(approved=True)
    [created] = run.returns()
    run.model.steps = [tool_call("cancel_return", rma=created.rma)]
    run.say(f"please cancel {created.rma}")
    run.model.steps = [f"Done: return {created.rma} has been cancelled."]

    run.answer(approved=True)

    assert run.reply().content == f"Done: return {created.rma} has been cancelled."
    assert [r.status for r in run.returns()] == ["cancelled"]


def test_a_state_a_tool_reported_may_be_repeated() -> None:
    status = ToolMessage(
        content='{"rma": "RMA-1A2B3C", "status": "refunded"}', tool_call_id="c1", name="get_return_status"
    )
    assert unsupported_actions("Return RMA-1A2B3C has been refunded.", [status]) == []
    assert unsupported_actions("It has been cancelled.", [status]) == ["has been cancelled"]


def test_help_centre_prose_backs_no_claim() -> None:
    passage = ToolMessage(
        content='{"passages": [{"text": "Orders cancelled before shipping are refunded."}]}',
        tool_call_id="c1",
        name="search_help_centre",
    )
    assert unsupported_actions("Your order has been cancelled and refunded.", [passage]) == [
        "has been cancelled and refunded"[: len("has been cancelled")]
    ]


def test_a_help_centre_passage_quoted_word_for_word_is_no_claim_but_words_around_it_are() -> None:
    policy = "A cancelled order or a price difference is refunded when you confirm."
    passage = ToolMessage(
        content=json.dumps({"ok": True, "passages": [{"heading": "When the refund arrives", "text": policy}]}),
        tool_call_id="c1",
        name="search_help_centre",
    )
    assert unsupported_actions(f"From our help centre:\n{policy}", [passage]) == []
    assert unsupported_actions(f"{policy} Your order has been refunded.", [passage]) == ["has been refunded"]


def test_a_sentence_of_a_passage_quoted_word_for_word_is_no_claim() -> None:
    """The model may read a passage trimmed to some sentences (tools/model_view.py) and quote one."""
    policy = "Cancelled orders are refunded at once. A price difference is refunded when you confirm."
    passage = ToolMessage(
        content=json.dumps({"ok": True, "passages": [{"text": f"Read this first.\n- {policy}"}]}),
        tool_call_id="c1",
        name="search_help_centre",
    )
    quoted = "Our help centre says: A price difference is refunded when you confirm."
    assert unsupported_actions(quoted, [passage]) == []
    assert unsupported_actions("Your price difference is refunded.", [passage]) == ["is refunded"]


def test_a_refused_action_tool_backs_no_claim() -> None:
    refused = ToolMessage(content='{"ok": false, "code": "not_cancellable"}', tool_call_id="c1", name="cancel_return")
    assert unsupported_actions("I've cancelled your return.", [refused]) == ["I've cancelled"]


@pytest.mark.parametrize(
    "reply",
    [
        "Your order #10248963 is on its way.",
        "Order #W7654321 was delivered.",
        "I checked order 10248963 for you.",
        "订单 #W7654321 已发货。",
    ],
)
def test_an_order_number_nobody_wrote_is_written_again_then_replaced(run: GraphRun, reply: str) -> None:
    run.model.steps = [reply, reply]

    run.say("where is my parcel?")

    assert run.reply().response_metadata["returndesk_guardrail"] == "replaced"


def test_order_numbers_the_customer_or_a_tool_wrote_pass(run: GraphRun) -> None:
    assert (
        unsupported_order_ids(
            "Order #W1000001 and #W1000002.",
            [
                HumanMessage("is #W1000001 here?"),
                ToolMessage('{"order_id": "#W1000002"}', tool_call_id="c", name="x"),
            ],
        )
        == []
    )
    run.model.steps = [tool_call("list_orders"), lambda messages: "Order #W1000001 was delivered."]
    run.say("which orders do I have?")
    assert run.reply().content == "Order #W1000001 was delivered."


def test_a_guided_menu_with_its_sample_order_passes(run: GraphRun) -> None:
    run.model.steps = [
        AIMessage(
            content='Try: "return the headphones from order #W1000001".',
            response_metadata={"returndesk_mode": "guided"},
        )
    ]

    run.say("hello")

    assert "#W1000001" in run.reply().content
