"""Whole conversations on the vLLM path: ConversationService -> graph -> ChatOpenAI -> FAKE vLLM.

The fake answers like a model following the prompt: it reads the tool results in each request
and proposes the next tool call, so nothing about the seeded orders is hard-coded here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from core.settings import Settings
from mock_backends.orders.models import ReturnRequest
from service.conversation import ConversationService
from tests.fakes.vllm_server import FakeVLLMServer, Reply


class ReturnsAgentScript:
    """A scripted stand-in for Qwen3 in a returns conversation (what the fake answers with)."""

    def __init__(self, hermes_for: str | None = None) -> None:
        self.hermes_for = hermes_for  # this tool's call arrives as a hermes block in content

    def __call__(self, body: dict[str, Any]) -> Reply:
        messages = body["messages"]
        last = messages[-1]
        if last["role"] == "user":
            order = re.search(r"#W\d{7}", last["content"])
            if "return" not in last["content"].lower() or not order:
                return Reply.text("Happy to help. Which order is it about?")
            return self.call("lookup_order", {"order_id": order.group(0)})
        data = json.loads(last["content"])
        name = self.tool_name(messages, last["tool_call_id"])
        if name == "lookup_order":
            items = [
                {"order_item_id": i["order_item_id"], "quantity": 1}
                for i in data["order"]["items"]
                if "headphones" in i["product"].lower()
            ]
            return self.call("check_return_eligibility", {"order_id": data["order"]["order_id"], "items": items})
        if name == "check_return_eligibility":
            eligible = [
                {"order_item_id": i["order_item_id"], "quantity": i["quantity"]} for i in data["items"] if i["eligible"]
            ]
            return self.call(
                "create_return",
                {
                    "order_id": data["order_id"],
                    "items": eligible,
                    "refund_method": "original_payment",
                    "reason": "changed my mind",
                },
            )
        if name == "create_return":
            return Reply.text(f"All set: your return {data['rma']} refunds {data['refund_amount']}.")
        return Reply.text("Sorry, something went wrong.")

    def call(self, name: str, arguments: dict[str, Any]) -> Reply:
        if name == self.hermes_for:
            return Reply.hermes_in_content(name, arguments)
        return Reply.tool_call(name, arguments)

    @staticmethod
    def tool_name(messages: list[dict[str, Any]], call_id: str) -> str:
        for message in messages:
            for call in message.get("tool_calls") or []:
                if call["id"] == call_id:
                    return call["function"]["name"]
        raise AssertionError(f"the client sent a tool result for an unknown call id {call_id}")


@pytest.fixture
def fake() -> Iterator[FakeVLLMServer]:
    with FakeVLLMServer() as server:
        yield server


def model_service(settings: Settings, fake: FakeVLLMServer) -> ConversationService:
    endpoint = settings.model_copy(update={"llm_base_url": fake.base_url, "llm_timeout_s": 5.0, "llm_max_retries": 0})
    return ConversationService(endpoint)


def returns_in(engine: Any) -> list[ReturnRequest]:
    with Session(engine) as db:
        return list(db.exec(select(ReturnRequest)).all())


@pytest.mark.parametrize("hermes_for", [None, "check_return_eligibility"], ids=["tool_calls", "hermes_in_content"])
def test_customer_completes_a_return_on_the_model_path(
    settings: Settings, engine: Any, fake: FakeVLLMServer, hermes_for: str | None
) -> None:
    fake.responder = ReturnsAgentScript(hermes_for=hermes_for)
    service = model_service(settings, fake)
    session = service.sign_in(email="alice@example.com", order_id="#W1000001")

    turn = service.send(session.session_id, "I want to return the headphones from order #W1000001")

    assert turn.mode == "model"
    assert [t.tool for t in turn.tool_trace] == ["lookup_order", "check_return_eligibility"]
    assert turn.pending is not None and turn.pending.tool == "create_return"
    assert "<tool_call>" not in turn.reply
    assert returns_in(engine) == []

    done = service.resolve(session.session_id, approved=True, action_id=turn.pending.action_id)

    [created] = returns_in(engine)
    assert done.mode == "model"
    assert created.rma in done.reply
    assert all("<tool_call>" not in entry["content"] for entry in service.history(session.session_id))
    assert len(fake.chat_requests) == 4  # lookup, eligibility, create (proposed), final reply


def test_model_failing_mid_conversation_hands_that_turn_to_guided_mode_then_recovers(
    settings: Settings, engine: Any, fake: FakeVLLMServer
) -> None:
    fake.responder = ReturnsAgentScript()
    service = model_service(settings, fake)
    session = service.sign_in(email="alice@example.com", order_id="#W1000001")

    first = service.send(session.session_id, "Hi there")
    assert (first.mode, first.reply) == ("model", "Happy to help. Which order is it about?")

    fake.script(Reply.error(500))  # the endpoint breaks on the next request only
    before = len(fake.chat_requests)
    turn = service.send(session.session_id, "I want to return the headphones from order #W1000001")

    assert turn.mode == "guided"
    assert turn.pending is not None and turn.pending.tool == "create_return", "guided mode finished the job"
    assert len(fake.chat_requests) == before + 1, "after the failure, the rest of the turn stays in guided mode"
    done = service.resolve(session.session_id, approved=True, action_id=turn.pending.action_id)
    [created] = returns_in(engine)
    assert (done.mode, created.rma in done.reply) == ("guided", True)
    assert len(fake.chat_requests) == before + 1

    later = service.send(session.session_id, "Thanks, one more question")
    assert (later.mode, later.reply) == ("model", "Happy to help. Which order is it about?")
