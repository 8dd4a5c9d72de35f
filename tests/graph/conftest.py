"""A graph per test: seeded SQLite order DB, in-memory checkpoints, the scripted fake model."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.settings import Settings
from graphs.returns_graph import DURABILITY, build_graph
from mock_backends.orders.models import HandoffTicket, ReturnRequest
from tests.fakes.chat_models import FakeScriptedChatModel
from tools.deps import ToolDeps

ALICE = {"customer_id": "alice_chen_1001", "customer_name": "Alice Chen"}


@dataclass
class GraphRun:
    graph: CompiledStateGraph
    deps: ToolDeps
    model: FakeScriptedChatModel
    thread: str = "thread-1"
    customer: dict[str, Any] = field(default_factory=lambda: dict(ALICE))

    @property
    def config(self) -> dict[str, Any]:
        return {"configurable": {"thread_id": self.thread}}

    def say(self, text: str, language: str = "en", signed_in: bool = True) -> dict[str, Any]:
        graph_input: dict[str, Any] = {"messages": [HumanMessage(content=text)], "language": language}
        if signed_in:
            graph_input |= self.customer
        return self.graph.invoke(graph_input, config=self.config, context=self.deps, durability=DURABILITY)

    def answer(self, approved: bool, action_id: str | None = None) -> dict[str, Any]:
        action_id = action_id if action_id is not None else self.pending()["action_id"]
        return self.graph.invoke(
            Command(resume={"approved": approved, "action_id": action_id}),
            config=self.config,
            context=self.deps,
            durability=DURABILITY,
        )

    def pending(self) -> dict[str, Any] | None:
        interrupts = self.graph.get_state(self.config).interrupts
        return interrupts[0].value if interrupts else None

    @property
    def messages(self) -> list[Any]:
        return self.graph.get_state(self.config).values.get("messages", [])

    def reply(self) -> AIMessage:
        return next(m for m in reversed(self.messages) if isinstance(m, AIMessage) and not m.tool_calls)

    def tool_results(self, name: str | None = None) -> list[dict[str, Any]]:
        return [
            json.loads(m.content) if m.content.startswith("{") else {"raw": m.content}
            for m in self.messages
            if isinstance(m, ToolMessage) and (name is None or m.name == name)
        ]

    def returns(self) -> list[ReturnRequest]:
        with Session(self.deps.engine) as db:
            return list(db.exec(select(ReturnRequest)).all())

    def tickets(self) -> list[HandoffTicket]:
        with Session(self.deps.engine) as db:
            return list(db.exec(select(HandoffTicket)).all())


@pytest.fixture
def run(settings: Settings, engine: Engine) -> GraphRun:
    model = FakeScriptedChatModel()
    deps = ToolDeps(engine=engine, settings=settings, chat_model=model)
    return GraphRun(graph=build_graph(InMemorySaver()), deps=deps, model=model)
