"""TEMPLATE: a tool exercised inside the compiled graph, with a scripted chat model (no GPU).

Copy this file to tests/tools/test_<your_tool>.py, then change the script (what the "model" says
and which tool calls it makes) and the assertions (what the customer would notice). Everything
else is real: graphs/returns_graph.py's graph, the confirm node and its interrupt, ToolNode, your
tool, the SQLite order database from the `engine` fixture.

The model is a fake: langchain-core's `GenericFakeChatModel` answers each call to the model with
the next message of the script. It is injected through `ToolDeps.chat_model`, the same seam the
real Qwen endpoint and guided mode use.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from graphs.returns_graph import DURABILITY, build_graph
from mock_backends.orders.models import OrderItem, ReturnRequest
from mock_backends.orders.returns import ReturnLine, create_return
from tools.deps import ToolDeps

ALICE = "alice_chen_1001"


def tool_call(name: str, **args: Any) -> AIMessage:
    """What the model says when it calls a tool (ids must be unique within the conversation)."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call-{name}", "type": "tool_call"}])


class Conversation:
    """One signed-in customer talking to the real graph, whose model follows `script`."""

    def __init__(self, engine: Engine, settings: Settings, *script: AIMessage, customer_id: str = ALICE) -> None:
        fake_model = GenericFakeChatModel(messages=iter(script))
        self.deps = ToolDeps(engine=engine, settings=settings, chat_model=fake_model)
        self.graph = build_graph(InMemorySaver())
        self.config = {"configurable": {"thread_id": "thread-template"}}
        self.customer_id = customer_id

    def say(self, text: str) -> None:
        self.graph.invoke(
            {"messages": [HumanMessage(text)], "customer_id": self.customer_id, "language": "en"},
            self.config,
            context=self.deps,
            durability=DURABILITY,
        )

    def answer_card(self, *, approved: bool) -> None:
        card = self.pending_card()
        assert card is not None, "no confirmation card is pending"
        self.graph.invoke(
            Command(resume={"approved": approved, "action_id": card["action_id"]}),
            self.config,
            context=self.deps,
            durability=DURABILITY,
        )

    def pending_card(self) -> dict[str, Any] | None:
        interrupts = self.graph.get_state(self.config).interrupts
        return interrupts[0].value if interrupts else None

    def tool_results(self, name: str) -> list[dict[str, Any]]:
        messages = self.graph.get_state(self.config).values["messages"]
        return [json.loads(m.content) for m in messages if isinstance(m, ToolMessage) and m.name == name]

    def last_reply(self) -> str:
        return str(self.graph.get_state(self.config).values["messages"][-1].content)


# --- Set-up for the examples below: Alice has returned her headphones (replace with your own). ---


@pytest.fixture
def rma(engine: Engine) -> str:
    with Session(engine) as db:
        headphones = db.exec(
            select(OrderItem).where(OrderItem.order_id == "#W1000001").order_by(col(OrderItem.id))
        ).first()
    assert headphones is not None and headphones.id is not None
    return create_return(
        engine,
        customer_id=ALICE,
        order_id="#W1000001",
        lines=[ReturnLine(headphones.id, 1)],
        refund_method="original_payment",
        reason="too big",
        idempotency_key="template-1",
    ).rma


def return_status(engine: Engine, rma: str) -> str:
    with Session(engine) as db:
        return db.exec(select(ReturnRequest).where(ReturnRequest.rma == rma)).one().status


# --- A read-only tool: the model calls it, the graph runs it, the model answers. ---


def test_the_model_reads_a_return_status_through_the_graph(engine: Engine, settings: Settings, rma: str) -> None:
    chat = Conversation(
        engine,
        settings,
        tool_call("get_return_status", rma=rma),
        AIMessage("Your return is waiting for you to send the parcel."),
    )

    chat.say(f"What is happening with my return {rma}?")

    [result] = chat.tool_results("get_return_status")
    assert result["ok"] and (result["rma"], result["status"]) == (rma, "requested")
    assert chat.last_reply() == "Your return is waiting for you to send the parcel."


# --- A sensitive tool: the graph shows a card and runs the tool only after "yes". ---


def test_a_sensitive_tool_runs_only_after_the_customer_confirms(engine: Engine, settings: Settings, rma: str) -> None:
    chat = Conversation(engine, settings, tool_call("cancel_return", rma=rma), AIMessage("Your return is cancelled."))

    chat.say(f"Please cancel return {rma}")
    card = chat.pending_card()
    assert card is not None and card["tool"] == "cancel_return" and rma in card["title"]
    assert return_status(engine, rma) == "requested", "nothing may change before the customer confirms"

    chat.answer_card(approved=True)

    [result] = chat.tool_results("cancel_return")
    assert result["ok"] and result["status"] == "cancelled"
    assert return_status(engine, rma) == "cancelled"


def test_a_declined_card_changes_nothing(engine: Engine, settings: Settings, rma: str) -> None:
    chat = Conversation(engine, settings, tool_call("cancel_return", rma=rma), AIMessage("Fine, I kept it."))

    chat.say(f"Cancel return {rma}")
    chat.answer_card(approved=False)

    assert [r["code"] for r in chat.tool_results("cancel_return")] == ["declined"]
    assert return_status(engine, rma) == "requested"
