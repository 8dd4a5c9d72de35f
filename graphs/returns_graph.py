"""The ReturnDesk graph: wiring only. Node logic lives in `agent/`.

Every node and every place it may go is declared here: nodes that route with `Command(goto=...)`
name their `destinations`, the others have edges. `graph.get_graph().draw_mermaid()` is therefore the
whole state diagram; the README's copy is generated from it (`python -m graphs.diagram --write README.md`)
and a test checks that the two match.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import get_args

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Durability

from agent.guard import ConfirmRoute, GuardRoute, confirm, guard
from agent.guardrails import check_reply, screen_input
from agent.guided_handlers import GUIDED_HANDLERS, GuidedHandler
from agent.handoff import hand_off
from agent.nodes import MODEL_ROUTES, ModelRoute, call_model, identify, route_after_model, route_after_tools
from agent.state import ReturnDeskState
from agent.tool_node import InlineToolNode
from tools.deps import ToolDeps
from tools.registry import REGISTRY, ToolRegistry

# The nodes whose model output is customer-facing text (interfaces stream their tokens).
REPLY_NODES = frozenset({"identify", "assist"})

# How a turn is checkpointed (pass it to `stream` / `invoke`): once, when the turn ends or stops at a
# confirmation card. A turn is then stored whole or not at all: a crash mid-turn never leaves a tool
# call without its result in the history, and `create_return`'s idempotency key (session + tool call
# id) makes the retried confirmation return the same RMA. It also saves a checkpoint write per step.
DURABILITY: Durability = "exit"


def build_graph(
    checkpointer: BaseCheckpointSaver | None = None,
    *,
    registry: ToolRegistry = REGISTRY,
    guided_handlers: Mapping[str, GuidedHandler] = GUIDED_HANDLERS,
) -> CompiledStateGraph[ReturnDeskState, ToolDeps, ReturnDeskState, ReturnDeskState]:
    """The graph over `registry`'s tools (the model's tool list, the tool nodes, the guard), with
    guided mode continuing after each of them by `guided_handlers` (keyed by tool name)."""
    builder = StateGraph(ReturnDeskState, context_schema=ToolDeps)
    reasoners = ("identify", "assist")  # agent.state.reasoner_for: identify until the customer is verified
    builder.add_node("screen_input", screen_input, destinations=(*reasoners, "handoff", END))
    builder.add_node("identify", partial(identify, tools=registry.tools, guided=guided_handlers))
    builder.add_node("identify_tools", InlineToolNode(registry.identify_tools))
    builder.add_node("assist", partial(call_model, tools=registry.tools, guided=guided_handlers))
    builder.add_node("tools", InlineToolNode(registry.tools))
    builder.add_node("guard", partial(guard, registry=registry), destinations=get_args(GuardRoute))
    builder.add_node("confirm", confirm, destinations=get_args(ConfirmRoute))
    builder.add_node("handoff", hand_off)  # type: ignore[arg-type]  # no stub protocol for (state, runtime, config)
    builder.add_node("check_reply", check_reply, destinations=(*reasoners, END))

    builder.add_edge(START, "screen_input")

    def after_model(state: ReturnDeskState) -> ModelRoute:  # a def, not a partial: get_graph() draws its routes
        return route_after_model(state, sensitive=registry.sensitive)

    builder.add_conditional_edges("identify", after_model, list(MODEL_ROUTES))
    builder.add_conditional_edges("assist", after_model, list(MODEL_ROUTES))
    builder.add_conditional_edges("identify_tools", route_after_tools, ["handoff", *reasoners])
    builder.add_conditional_edges("tools", route_after_tools, ["handoff", *reasoners])
    builder.add_edge("handoff", END)
    return builder.compile(checkpointer=checkpointer, name="returndesk")


# For `langgraph dev` / LangGraph Server (langgraph.json), which brings its own checkpointer.
graph = build_graph()
