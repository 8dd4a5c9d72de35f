"""The baseline: LangChain's prebuilt tool-calling agent (`langchain.agents.create_agent`, which replaced
`langgraph.prebuilt.create_react_agent`) with ReturnDesk's tools, system prompt and model, and none of
its workflow: no input screen, no guard, no confirmation card, no reply check, no hand-off rules.

What is kept is what the tools themselves need or any deployment would give them: the verified
customer in state (from sign-in, or from verify_customer), and the prompt of the phase the customer
is in (identify until verified, then assist), in the customer's language.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from langchain.agents import AgentState, create_agent
from langchain.agents.middleware import ModelRequest, dynamic_prompt
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import GraphRecursionError
from sqlmodel import Session

from agent.guided import GuidedChatModel
from agent.llm import mode_of
from agent.prompts import single_prompt
from agent.vllm_client import endpoint_model
from core import languages
from mock_backends.orders import repository
from mock_backends.orders.errors import OrderSystemError
from qa.eval.agent_turn import AgentTurn, ToolUse
from qa.eval.task_format import CustomerSpec
from qa.eval.world import TrialWorld
from service.streaming import parsed_content
from tools.deps import ToolDeps
from tools.registry import TOOLS

# A plain agent has no card: the customer's click becomes what they would type instead.
SAID_INSTEAD = {
    True: {"en": "Yes, please go ahead.", "zh": "好的,确认。"},
    False: {"en": "No, please don't do that.", "zh": "不用了,取消吧。"},
}
RECURSION_LIMIT = 40  # graph steps per turn: about 20 tool rounds, well past ReturnDesk's hand-off limit


class BaselineState(AgentState):
    customer_id: str | None
    customer_name: str | None
    language: str


@dynamic_prompt
def returndesk_prompt(request: ModelRequest) -> SystemMessage:
    """agent/prompts.py's prompt for the customer's phase; the metadata tells guided mode the phase too."""
    state: Mapping[str, Any] = request.state
    phase = "assist" if state.get("customer_id") else "identify"
    return SystemMessage(
        content=single_prompt(state.get("language") or "en", state.get("customer_name"), phase),
        response_metadata={"returndesk_phase": phase},
    )


def plain_agent(model: Any) -> Any:
    return create_agent(
        model,
        TOOLS,
        middleware=[returndesk_prompt],
        state_schema=BaselineState,
        context_schema=ToolDeps,
        checkpointer=InMemorySaver(),
        name="baseline",
    )


class BaselineSession:
    kind = "baseline"
    shows_cards = False

    def __init__(self, world: TrialWorld, customer: CustomerSpec, language: str) -> None:
        self.deps = world.deps
        # The prebuilt agent as it comes: tool results reach the model as the tools returned them.
        settings = world.settings
        model = endpoint_model(settings, compact_tool_results=False) if settings.llm_base_url else GuidedChatModel()
        self.graph = plain_agent(model)
        self.config: dict[str, Any] = {
            "configurable": {"thread_id": f"baseline-{uuid.uuid4().hex}"},
            "recursion_limit": RECURSION_LIMIT,
        }
        self.language = language
        self.start: dict[str, Any] = {"language": language}
        if not customer.anonymous:
            self.start |= _signed_in(world, customer)

    def send(self, text: str) -> AgentTurn:
        before = len(self.messages())
        self.language = languages.detect(text, self.language)
        update = {**self.start, "messages": [HumanMessage(content=text)], "language": self.language}
        self.start = {}
        try:
            self.graph.invoke(update, config=self.config, context=self.deps)
        except GraphRecursionError:
            return AgentTurn(reply="", mode="model", error=f"no answer within {RECURSION_LIMIT} graph steps")
        return _turn(self.messages()[before:])

    def answer_card(self, approved: bool) -> AgentTurn | None:
        return self.send(SAID_INSTEAD[approved][self.language])

    def messages(self) -> list[BaseMessage]:
        return list(self.graph.get_state(self.config).values.get("messages", []))


def _signed_in(world: TrialWorld, customer: CustomerSpec) -> dict[str, Any]:
    """The verified customer, as the product's sign-in finds them (ConversationService.sign_in)."""
    with Session(world.engine) as db:
        try:
            if customer.email and customer.order_id:
                found = repository.verify_by_email_and_order(db, customer.email, customer.order_id)
            else:
                found = repository.verify_by_name_and_postcode(db, customer.name or "", customer.postcode or "")
        except OrderSystemError as error:
            raise ValueError(f"cannot sign in: {error}") from None
        return {"customer_id": found.id, "customer_name": found.display_name}


def _turn(new: list[BaseMessage]) -> AgentTurn:
    calls: dict[str | None, Mapping[str, Any]] = {
        c["id"]: c for m in new if isinstance(m, AIMessage) for c in m.tool_calls
    }
    tools = [
        ToolUse(
            m.name or calls.get(m.tool_call_id, {}).get("name", "?"),
            dict(calls.get(m.tool_call_id, {}).get("args", {})),
            parsed_content(m.content),
        )
        for m in new
        if isinstance(m, ToolMessage)
    ]
    replies = [m for m in new if isinstance(m, AIMessage) and not m.tool_calls and m.content]
    last = replies[-1] if replies else None
    return AgentTurn(reply=str(last.content) if last else "", mode=mode_of(last) if last else "model", tools=tools)
