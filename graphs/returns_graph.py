"""The ReturnDesk graph: wiring only. Node logic lives in `agent.nodes`.

    START -> agent --(reply)--------------------------> END
               |  --(tool call)----------> tools -> agent
               |  --(sensitive tool call)-> confirm --(yes)--> tools
                                                    --(no / refused)--> agent
"""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode

from agent.nodes import call_model, confirm_sensitive_action, route_after_model
from agent.state import ReturnDeskState
from tools.deps import ToolDeps
from tools.registry import TOOLS


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    builder = StateGraph(ReturnDeskState, context_schema=ToolDeps)
    builder.add_node("agent", call_model)
    builder.add_node("confirm", confirm_sensitive_action)
    builder.add_node("tools", ToolNode(TOOLS))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", route_after_model)
    builder.add_edge("tools", "agent")
    return builder.compile(checkpointer=checkpointer, name="returndesk")


# For `langgraph dev` / LangGraph Server (langgraph.json), which brings its own checkpointer.
graph = build_graph()
