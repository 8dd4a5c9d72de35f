"""The graph's tool node gives exactly what LangGraph's ToolNode gives, without its per-step thread pool."""

from __future__ import annotations

import dataclasses
import json
import threading

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, ToolRuntime

from agent.tool_node import RUNTIME_FIELDS, InlineToolNode
from tools.base import AnyRuntime

seen_threads: list[int] = []


@tool
def whoami(greeting: str, runtime: AnyRuntime) -> str:
    """Echo the greeting with what the runtime carries."""
    seen_threads.append(threading.get_ident())
    return json.dumps(
        {
            "greeting": greeting,
            "call": runtime.tool_call_id,
            "thread": runtime.config["configurable"]["thread_id"],
            "messages": len(runtime.state["messages"]),
            "context": runtime.context,
        }
    )


def run_node(node: ToolNode) -> list[ToolMessage]:
    builder = StateGraph(MessagesState, context_schema=str)
    builder.add_node("tools", node)
    builder.add_edge(START, "tools")
    graph = builder.compile(checkpointer=InMemorySaver())
    calls = [
        {"name": "whoami", "args": {"greeting": "hi"}, "id": "c1", "type": "tool_call"},
        {"name": "whoami", "args": {}, "id": "c2", "type": "tool_call"},  # missing argument
        {"name": "no_such_tool", "args": {}, "id": "c3", "type": "tool_call"},
    ]
    out = graph.invoke(
        {"messages": [AIMessage("", tool_calls=calls)]}, {"configurable": {"thread_id": "t-1"}}, context="deps"
    )
    return [m for m in out["messages"] if isinstance(m, ToolMessage)]


def test_same_results_as_toolnode_in_the_callers_thread() -> None:
    ours, theirs = run_node(InlineToolNode([whoami])), run_node(ToolNode([whoami]))
    assert [(m.tool_call_id, m.status, m.content) for m in ours] == [
        (m.tool_call_id, m.status, m.content) for m in theirs
    ]
    assert json.loads(ours[0].content) == {
        "greeting": "hi",
        "call": "c1",
        "thread": "t-1",
        "messages": 1,
        "context": "deps",
    }
    assert ours[1].status == ours[2].status == "error" and "no_such_tool" in ours[2].content
    del seen_threads[:]
    run_node(InlineToolNode([whoami]))
    assert seen_threads == [threading.get_ident()]  # graph.invoke runs a single task in the caller's thread


def test_fills_every_toolruntime_field() -> None:
    """A field LangGraph adds to ToolRuntime must be passed on by InlineToolNode too."""
    assert set(RUNTIME_FIELDS) == {f.name for f in dataclasses.fields(ToolRuntime)}
