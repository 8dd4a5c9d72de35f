"""The ReturnDesk graph: wiring only. Node logic lives in `agent/`.

Every node and every place it may go is declared here: nodes that route with `Command(goto=...)`
name their `destinations`, the others have edges. `graph.get_graph().draw_mermaid()` is therefore the
whole state diagram; the README's copy is generated from it (`python -m graphs.diagram --write README.md`)
and a test checks that the two match.
"""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Durability

from agent.guard import confirm, guard
from agent.guardrails import check_reply, screen_input
from agent.handoff import hand_off
from agent.nodes import call_model, identify, route_after_model, route_after_tools
from agent.state import ReturnDeskState
from agent.tool_node import InlineToolNode
from tools.deps import ToolDeps
from tools.registry import IDENTIFY_TOOLS, TOOLS

# The nodes whose model output is customer-facing text (interfaces stream their tokens).
REPLY_NODES = frozenset({"identify", "assist"})

# How a turn is checkpointed (pass it to `stream` / `invoke`): once, when the turn ends or stops at a
# confirmation card. A turn is then stored whole or not at all: a crash mid-turn never leaves a tool
# call without its result in the history, and `create_return`'s idempotency key (session + tool call
# id) makes the retried confirmation return the same RMA. It also saves a checkpoint write per step.
DURABILITY: Durability = "exit"


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    builder = StateGraph(ReturnDeskState, context_schema=ToolDeps)
    reasoners = ("identify", "assist")  # agent.state.reasoner_for: identify until the customer is verified
    builder.add_node("screen_input", screen_input, destinations=(*reasoners, "handoff", END))
    builder.add_node("identify", identify)
    builder.add_node("identify_tools", InlineToolNode(IDENTIFY_TOOLS))
    builder.add_node("assist", call_model)
    builder.add_node("tools", InlineToolNode(TOOLS))
    builder.add_node("guard", guard, destinations=("confirm", "assist", "handoff"))
    builder.add_node("confirm", confirm, destinations=("tools", "assist", "handoff"))
    builder.add_node("handoff", hand_off)
    builder.add_node("check_reply", check_reply, destinations=(*reasoners, END))

    builder.add_edge(START, "screen_input")
    after_model = ("handoff", "check_reply", "guard", "tools", "identify_tools")
    builder.add_conditional_edges("identify", route_after_model, after_model)
    builder.add_conditional_edges("assist", route_after_model, after_model)
    builder.add_conditional_edges("identify_tools", route_after_tools, ("handoff", *reasoners))
    builder.add_conditional_edges("tools", route_after_tools, ("handoff", *reasoners))
    builder.add_edge("handoff", END)
    return builder.compile(checkpointer=checkpointer, name="returndesk")


# For `langgraph dev` / LangGraph Server (langgraph.json), which brings its own checkpointer.
graph = build_graph()
