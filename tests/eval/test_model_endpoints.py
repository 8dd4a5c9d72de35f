"""The harness against OpenAI-compatible endpoints: a simulated customer, and a model under test.

Both endpoints are FAKE vLLM servers (tests/fakes/vllm_server.py): no machine here runs Qwen3-4B. The
real clients (ChatOpenAI, ReturnDesk's vLLM client), HTTP and the whole harness run against them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qa.eval.customers import STOP
from qa.eval.trial import EvalCase, TrialOptions, run_trial
from qa.eval.world import ModelEndpoint, Templates
from tests.eval.conftest import shipped
from tests.fakes.vllm_server import FakeVLLMServer, Reply


def test_a_simulated_customer_plays_the_instruction_answers_the_card_and_stops(
    templates: Templates, options: TrialOptions
) -> None:
    task = shipped("en-sim-return-headphones")
    with FakeVLLMServer() as customer:
        customer.script(
            Reply.text("I want to return the headphones from order #W1000001"),
            Reply.text("How much will I get back?"),  # not an answer to the waiting card
            Reply.text("yes"),
            Reply.text(STOP),
        )
        user = ModelEndpoint(customer.base_url, "fake-customer")
        record = run_trial(
            EvalCase(task), "returndesk", 1, TrialOptions(user_endpoint=user, out_dir=options.out_dir), templates
        )
        seen = customer.chat_requests

    assert record.status == "passed", record.reasons
    assert len(seen) == 4 and seen[0]["model"] == "fake-customer"
    system = seen[0]["messages"][0]["content"]
    assert task.instruction is not None and task.instruction.strip() in system and STOP in system
    assert "[Confirmation card:" in seen[1]["messages"][-1]["content"]
    assert "did not accept your message" in seen[2]["messages"][-1]["content"]
    assert "Your return is created" in seen[3]["messages"][-1]["content"]


def test_a_task_for_a_simulated_customer_is_skipped_without_one(templates: Templates, options: TrialOptions) -> None:
    record = run_trial(EvalCase(shipped("en-sim-return-headphones")), "returndesk", 1, options, templates)

    assert record.status == "skipped" and "--user-model-url" in record.reasons[0]


def returns_at_once(body: dict[str, Any]) -> Reply:
    """A FAKE model that, on the customer's first message, looks up the order, checks the headphones and
    proposes the return without asking, then just acknowledges."""
    messages = body["messages"]
    if sum(m["role"] == "user" for m in messages) > 1:
        return Reply.text("Understood, nothing was changed.")
    last_user = max(i for i, m in enumerate(messages) if m["role"] == "user")
    done = sum(m["role"] == "tool" for m in messages[last_user:])
    item = [{"order_item_id": 1, "quantity": 1}]
    steps = [
        Reply.tool_call("lookup_order", {"order_id": "#W1000001"}),
        Reply.tool_call("check_return_eligibility", {"order_id": "#W1000001", "items": item}),
        Reply.tool_call("create_return", {"order_id": "#W1000001", "items": item}),
    ]
    return steps[done] if done < len(steps) else Reply.text("Understood, nothing was changed.")


def test_with_the_same_model_the_card_keeps_a_cancelled_return_from_being_written(
    templates: Templates, options: TrialOptions
) -> None:
    task = shipped("en-return-cancel-card")  # the customer cancels at the confirmation card
    with FakeVLLMServer(responder=returns_at_once) as model:
        endpoint = ModelEndpoint(model.base_url, "Qwen/Qwen3-4B-Instruct-2507")
        with_options = TrialOptions(endpoint=endpoint, out_dir=options.out_dir)
        ours = run_trial(EvalCase(task), "returndesk", 1, with_options, templates)
        plain = run_trial(EvalCase(task), "baseline", 1, with_options, templates)
        tools_offered = {t["function"]["name"] for t in model.chat_requests[0]["tools"]}

    assert ours.status == "passed", ours.reasons
    assert ours.guided_replies == 0
    assert plain.status == "failed"
    assert any("returnrequest: only in actual" in r for r in plain.reasons)
    assert {"create_return", "check_return_eligibility", "transfer_to_human"} <= tools_offered
    trial = json.loads(Path(ours.file or "").read_text(encoding="utf-8"))
    assert trial["turns"][0]["card"].startswith("Return Wireless Headphones × 1")
