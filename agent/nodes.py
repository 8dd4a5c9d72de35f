"""The model nodes (identify, assist) and the routing around them. `graphs/` wires them together.

Guard and confirmation live in `agent.guard`, hand-off in `agent.handoff`, input and output
checks in `agent.guardrails`.
"""

from __future__ import annotations

from typing import Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from agent.handoff import repeated_failure
from agent.llm import model_for_turn
from agent.prompts import system_prompt
from agent.state import ReturnDeskState
from tools.deps import ToolDeps, deps_of
from tools.registry import SENSITIVE_TOOLS

Phase = Literal["identify", "assist"]


def is_verified(state: ReturnDeskState) -> bool:
    return bool(state.get("customer_id"))


def tool_rounds_this_turn(messages: list[BaseMessage]) -> int:
    rounds = 0
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        if isinstance(message, AIMessage) and message.tool_calls:
            rounds += 1
    return rounds


def call_model(state: ReturnDeskState, runtime: Runtime[ToolDeps], phase: Phase = "assist") -> dict:
    """Ask the model (or guided mode) for the next step: a reply or a tool call.

    The system message carries the phase in its metadata so guided mode plans like the prompt says;
    after the tool-round limit the graph hands off instead of asking again.
    """
    deps = deps_of(runtime)
    language = state.get("language") or "en"
    messages = state.get("messages", [])
    if tool_rounds_this_turn(messages) >= deps.settings.max_tool_rounds:
        return {"handoff_reason": "tool_round_limit"}
    prompt = system_prompt(language, state.get("customer_name"), phase)
    if state.get("reply_feedback"):
        prompt += "\n\n" + str(state["reply_feedback"])
    # The phase and the language ride along for guided mode, which plans and speaks as the prompt says.
    system = SystemMessage(content=prompt, response_metadata={"returndesk_phase": phase,
                                                              "returndesk_language": language})
    response = model_for_turn(deps, messages).invoke([system, *messages])
    return {"messages": [response], "reply_feedback": None}


def identify(state: ReturnDeskState, runtime: Runtime[ToolDeps]) -> dict:
    """The model before the customer is verified: identification and help-centre questions only."""
    return call_model(state, runtime, phase="identify")


def route_after_model(state: ReturnDeskState) -> Literal["handoff", "check_reply", "guard", "tools", "identify_tools"]:
    if state.get("handoff_reason"):
        return "handoff"
    last = state["messages"][-1]
    if not isinstance(last, AIMessage) or not last.tool_calls:
        return "check_reply"
    if not is_verified(state):
        return "identify_tools"  # runs identification tools only; anything else is refused by name
    if any(call["name"] in SENSITIVE_TOOLS for call in last.tool_calls):
        return "guard"
    return "tools"


def route_after_tools(state: ReturnDeskState) -> Literal["handoff", "identify", "assist"]:
    """Back to the model of the current phase, unless the same failure keeps repeating."""
    if repeated_failure(state.get("messages", [])):
        return "handoff"
    return "assist" if is_verified(state) else "identify"
