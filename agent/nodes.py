"""The model nodes (identify, assist) and the routing around them. `graphs/` wires them together.

Guard and confirmation live in `agent.guard`, hand-off in `agent.handoff`, input and output
checks in `agent.guardrails`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, get_args

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.tools import BaseTool
from langgraph.runtime import Runtime

from agent.guided_handlers import GuidedHandler
from agent.handoff import repeated_failure
from agent.llm import model_for_turn
from agent.model_output import answer_of
from agent.prompts import customer_context, system_prompt
from agent.state import ReturnDeskState, is_verified, reasoner_for
from tools.deps import ToolDeps, deps_of
from tools.registry import SENSITIVE_TOOLS, TOOLS

Phase = Literal["identify", "assist"]
ModelRoute = Literal["handoff", "check_reply", "guard", "tools", "identify_tools"]
MODEL_ROUTES: tuple[str, ...] = get_args(ModelRoute)  # where route_after_model may go (the graph's path map)


def tool_rounds_this_turn(messages: Sequence[BaseMessage]) -> int:
    rounds = 0
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        if isinstance(message, AIMessage) and message.tool_calls:
            rounds += 1
    return rounds


def call_model(
    state: ReturnDeskState,
    runtime: Runtime[ToolDeps],
    phase: Phase = "assist",
    *,
    tools: Sequence[BaseTool] = TOOLS,
    guided: Mapping[str, GuidedHandler] | None = None,
) -> dict:
    """Ask the model (or guided mode) for the next step: a reply or a tool call.

    `tools` are bound to the model and `guided` (tool name -> handler; default: guided mode's own)
    plans guided mode's steps: both come from the graph's registry. The system message carries the
    phase in its metadata so guided mode plans like the prompt says; after the tool-round limit the
    graph hands off instead of asking again.

    The request is laid out for the model server's prefix cache: the same rules (and tools) for every
    customer first, then a short note on this customer and step, then the conversation (agent/prompts.py).
    """
    deps = deps_of(runtime)
    language = state.get("language") or "en"
    messages = state.get("messages", [])
    if tool_rounds_this_turn(messages) >= deps.settings.max_tool_rounds:
        return {"handoff_reason": "tool_round_limit"}
    # The phase and the language ride along for guided mode, which plans and speaks as the prompt says.
    system = SystemMessage(
        content=system_prompt(language), response_metadata={"returndesk_phase": phase, "returndesk_language": language}
    )
    note = SystemMessage(
        content=customer_context(language, state.get("customer_name"), phase, state.get("reply_feedback"))
    )
    # A per-node cap travels with the call; without one the client's RETURNDESK_LLM_MAX_TOKENS applies.
    cap = deps.settings.llm_node_max_tokens.get(phase)
    response = answer_of(
        model_for_turn(deps, messages, tools, guided), [system, note, *messages], **({"max_tokens": cap} if cap else {})
    )
    return {"messages": [response], "reply_feedback": None}


def identify(
    state: ReturnDeskState,
    runtime: Runtime[ToolDeps],
    *,
    tools: Sequence[BaseTool] = TOOLS,
    guided: Mapping[str, GuidedHandler] | None = None,
) -> dict:
    """The model before the customer is verified: identification and help-centre questions only."""
    return call_model(state, runtime, phase="identify", tools=tools, guided=guided)


def route_after_model(state: ReturnDeskState, sensitive: frozenset[str] = SENSITIVE_TOOLS) -> ModelRoute:
    """A sensitive call (a name in `sensitive`, the graph's registry) goes to the guard, never straight to tools."""
    if state.get("handoff_reason"):
        return "handoff"
    last = state["messages"][-1]
    if not isinstance(last, AIMessage) or not last.tool_calls:
        return "check_reply"
    if not is_verified(state):
        return "identify_tools"  # runs identification tools only; anything else is refused by name
    if any(call["name"] in sensitive for call in last.tool_calls):
        return "guard"
    return "tools"


def route_after_tools(state: ReturnDeskState) -> Literal["handoff", "identify", "assist"]:
    """Back to the model of the current phase, unless the same failure keeps repeating."""
    if repeated_failure(state.get("messages", [])):
        return "handoff"
    return reasoner_for(state)
