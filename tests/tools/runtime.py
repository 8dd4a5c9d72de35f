"""Calling a tool as the graph does, for one signed-in customer (the runtime LangGraph would inject)."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool
from langgraph.prebuilt import ToolRuntime

from tools.deps import ToolDeps


def call_tool(
    tool: BaseTool,
    deps: ToolDeps,
    *,
    customer_id: str,
    language: str = "en",
    session_id: str = "test-session",
    tool_call_id: str = "call-1",
    **args: Any,
) -> dict[str, Any]:
    runtime = ToolRuntime(
        state={"customer_id": customer_id, "language": language, "messages": []},
        context=deps,
        config={"configurable": {"thread_id": session_id}},
        stream_writer=lambda _chunk: None,
        tool_call_id=tool_call_id,
        store=None,
    )
    # As ToolNode does: the model's arguments are validated against the schema, the runtime is injected.
    return tool.invoke({**args, "runtime": runtime})
