"""Assist, guard and confirm: the model proposes, code disposes, the customer decides."""

from __future__ import annotations

import json

from langchain_core.messages import ToolMessage
from sqlmodel import Session, select

from mock_backends.orders.models import AuditEvent
from tests.fakes.chat_models import tool_call
from tests.graph.conftest import GraphRun
from tests.graph.helpers import item_id


def headphones(run: GraphRun, quantity: int = 1) -> list[dict[str, int]]:
    return [{"order_item_id": item_id(run.deps.engine, "#W1000001", "Wireless Headphones"), "quantity": quantity}]


def test_a_tool_call_runs_the_tool_and_the_model_answers_from_its_result(run: GraphRun) -> None:
    run.model.steps = [tool_call("lookup_order", order_id="W1000001"), "Order #W1000001 was delivered."]

    run.say("what's the status of W1000001?")

    [result] = run.tool_results("lookup_order")
    assert result["ok"] and result["order"]["status"] == "delivered"
    assert run.reply().content == "Order #W1000001 was delivered."
    assert run.model.phases == ["assist", "assist"]


def test_return_waits_for_the_customer_and_runs_only_after_yes(run: GraphRun) -> None:
    items = headphones(run)
    run.model.steps = [
        tool_call("check_return_eligibility", order_id="#W1000001", items=items),
        tool_call("create_return", order_id="#W1000001", items=items, refund_method="original_payment"),
    ]
    run.say("return the headphones from #W1000001")

    pending = run.pending()
    assert pending["tool"] == "create_return"
    assert [(a["label"], a["cents"]) for a in pending["amounts"]] == [
        ("Wireless Headphones × 1", 8999),
        ("Refund", 8999),
    ]
    assert run.returns() == []

    run.model.steps = [lambda messages: f"Done: {[m for m in messages if isinstance(m, ToolMessage)][-1].content}"]
    run.answer(approved=True)

    [created] = run.returns()
    assert created.refund_amount_cents == 8999
    assert created.rma in run.reply().content  # the RMA came from the tool, so the output check keeps it
    assert run.pending() is None


def test_no_changes_nothing_and_the_model_hears_it_was_declined(run: GraphRun) -> None:
    items = headphones(run)
    run.model.steps = [
        tool_call("check_return_eligibility", order_id="#W1000001", items=items),
        tool_call("create_return", order_id="#W1000001", items=items),
    ]
    run.say("return the headphones from #W1000001")
    run.model.steps = ["OK, I left everything as it was."]

    run.answer(approved=False)

    assert run.returns() == []
    assert run.tool_results("create_return")[-1]["code"] == "declined"
    assert run.reply().content == "OK, I left everything as it was."


def test_guard_refuses_a_return_whose_eligibility_was_never_checked(run: GraphRun) -> None:
    run.model.steps = [
        tool_call("create_return", order_id="#W1000001", items=headphones(run)),
        "I need to check eligibility first.",
    ]

    run.say("just refund the headphones from #W1000001")

    assert run.pending() is None, "the customer is never asked to confirm an unchecked return"
    assert run.tool_results("create_return")[-1]["code"] == "refused_by_guard"
    assert run.returns() == []
    with Session(run.deps.engine) as db:  # the refusal is on the audit trail, like a refusal inside a tool
        [row] = db.exec(select(AuditEvent).where(AuditEvent.tool == "create_return")).all()
    assert (row.actor, row.outcome, row.order_id) == ("alice_chen_1001", "refused", "#W1000001")
    detail = json.loads(row.detail)
    assert (detail["stage"], detail["code"]) == ("confirmation", "refused_by_guard")


def test_guard_refuses_a_return_that_differs_from_what_was_checked(run: GraphRun) -> None:
    cable = [{"order_item_id": item_id(run.deps.engine, "#W1000001", "USB-C Cable"), "quantity": 2}]
    run.model.steps = [
        tool_call("check_return_eligibility", order_id="#W1000001", items=headphones(run)),
        tool_call("create_return", order_id="#W1000001", items=cable),  # other items than checked
        "Sorry, let me check those items first.",
    ]

    run.say("return the headphones from #W1000001")

    assert run.pending() is None
    assert run.tool_results("create_return")[-1]["code"] == "refused_by_guard"
    assert run.returns() == []


def test_a_yes_for_an_out_of_date_card_does_not_run_the_action(run: GraphRun) -> None:
    items = headphones(run)
    run.model.steps = [
        tool_call("check_return_eligibility", order_id="#W1000001", items=items),
        tool_call("create_return", order_id="#W1000001", items=items),
    ]
    run.say("return the headphones from #W1000001")
    run.model.steps = ["Nothing was changed."]

    run.answer(approved=True, action_id="an-older-card")

    assert run.returns() == []


def test_a_yes_given_for_one_card_never_runs_an_altered_call(run: GraphRun) -> None:
    items = headphones(run)
    run.model.steps = [
        tool_call("check_return_eligibility", order_id="#W1000001", items=items),
        tool_call("create_return", order_id="#W1000001", items=items),
    ]
    run.say("return the headphones from #W1000001")
    shown = run.pending()["action_id"]
    proposal = run.messages[-1]
    altered = proposal.model_copy(
        update={
            "tool_calls": [
                {**proposal.tool_calls[0], "args": {**proposal.tool_calls[0]["args"], "refund_method": "gift_card"}}
            ]
        }
    )
    # The proposal is rewritten (same call id, other arguments) while the first card is on screen.
    run.graph.update_state(run.config, {"messages": [altered]}, as_node="assist")

    run.answer(approved=True, action_id=shown)

    assert run.returns() == [], "the yes was for the first card"
    card = run.pending()
    assert card["action_id"] != shown, "the altered call needs its own yes"
    assert [line["value"] for line in card["lines"] if line["label"] == "Refund to"] == ["your gift card (Gift card)"]
