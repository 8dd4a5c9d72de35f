"""The graph's node functions, small enough to test alone. `graphs/` wires them together."""

from __future__ import annotations

import json
from typing import Literal

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from agent.llm import build_chat_model, model_for_turn
from agent.prompts import system_prompt
from agent.state import ReturnDeskState
from mock_backends.orders.errors import OrderSystemError
from tools.base import failure
from tools.deps import ToolDeps, deps_of
from tools.registry import SENSITIVE_TOOLS, TOOLS, spec_for

HANDOFF_TEXT = {
    "en": "I'm sorry, I couldn't finish this on my own. Let me pass you to a colleague who can help.",
    "zh": "很抱歉,这个问题我暂时无法独立完成,我会为您转接人工客服。",
}


def _chat_model(deps: ToolDeps):  # noqa: ANN202
    if deps.chat_model is None:
        deps.chat_model = build_chat_model(deps.settings, TOOLS)
    return deps.chat_model


def tool_rounds_this_turn(messages: list) -> int:
    rounds = 0
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        if isinstance(message, AIMessage) and message.tool_calls:
            rounds += 1
    return rounds


def call_model(state: ReturnDeskState, runtime: Runtime[ToolDeps]) -> dict:
    """Ask the model (or guided mode) for the next step: a reply or a tool call."""
    deps = deps_of(runtime)
    language = state.get("language") or "en"
    messages = state.get("messages", [])
    if tool_rounds_this_turn(messages) >= deps.settings.max_tool_rounds:
        return {"messages": [AIMessage(content=HANDOFF_TEXT.get(language, HANDOFF_TEXT["en"]),
                                       response_metadata={"returndesk_handoff": "tool_round_limit"})]}
    system = SystemMessage(content=system_prompt(language, state.get("customer_name")))
    response = model_for_turn(deps, messages).invoke([system, *messages])
    return {"messages": [response]}


def route_after_model(state: ReturnDeskState) -> Literal["confirm", "tools", "__end__"]:
    last = state["messages"][-1]
    if not isinstance(last, AIMessage) or not last.tool_calls:
        return "__end__"
    if any(call["name"] in SENSITIVE_TOOLS for call in last.tool_calls):
        return "confirm"
    return "tools"


def _answer(call: dict, result: dict) -> ToolMessage:
    return ToolMessage(content=json.dumps(result, ensure_ascii=False), tool_call_id=call["id"], name=call["name"])


def confirm_sensitive_action(state: ReturnDeskState, runtime: Runtime[ToolDeps]) -> Command[Literal["tools", "agent"]]:
    """Guard, then ask the customer: a sensitive call runs only if code allows it and they say yes."""
    deps = deps_of(runtime)
    calls = state["messages"][-1].tool_calls  # type: ignore[union-attr]
    if len(calls) > 1:
        result = {"ok": False, "code": "one_at_a_time", "error": "Propose one action at a time.",
                  "hint": "Call the sensitive tool alone, after the checks it needs."}
        return Command(goto="agent", update={"messages": [_answer(c, result) for c in calls]})
    call = calls[0]
    spec = spec_for(call["name"])
    try:
        if spec is None or spec.preview is None:
            raise OrderSystemError(f"{call['name']} cannot be confirmed.")
        pending = spec.preview(call["args"], dict(state), deps).model_copy(update={"action_id": call["id"]})
    except OrderSystemError as error:
        return Command(goto="agent", update={"messages": [_answer(call, failure(error))]})

    # Everything above re-runs when the graph resumes; it is read-only, so that is safe.
    decision = interrupt(pending.model_dump())
    approved = isinstance(decision, dict) and decision.get("approved") is True \
        and decision.get("action_id") == pending.action_id
    if approved:
        return Command(goto="tools")
    declined = {"ok": False, "code": "declined", "error": "The customer did not confirm; nothing was changed.",
                "hint": "Acknowledge, and ask what else you can help with."}
    return Command(goto="agent", update={"messages": [_answer(call, declined)]})
