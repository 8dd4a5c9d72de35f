"""The graph's tool node: LangGraph's `ToolNode`, with a step's tool calls run in the graph's own thread.

Why our own `_func`: `ToolNode` starts a fresh thread pool on every step, which cost about 2 ms a step
here, more than the database work of a lookup. Our tools are short database or carrier calls and a
step rarely holds more than one, so running them one after another loses nothing. Everything else
(argument validation, runtime injection, error handling, `Command` results) is `ToolNode`'s own.
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import get_config_list
from langgraph.prebuilt import ToolNode, ToolRuntime
from langgraph.runtime import Runtime

# The ToolRuntime fields this module fills in; tests/agent/test_tool_node.py fails when LangGraph adds one.
RUNTIME_FIELDS = (
    "state",
    "tool_call_id",
    "config",
    "context",
    "store",
    "stream_writer",
    "tools",
    "execution_info",
    "server_info",
)


class InlineToolNode(ToolNode):
    """A `ToolNode` that runs its tool calls in the calling thread, in the order the model gave them."""

    def _func(self, input: Any, config: RunnableConfig, runtime: Runtime) -> Any:
        tool_calls, input_type = self._parse_input(input)
        tools = list(self.tools_by_name.values())
        outputs = []
        for call, cfg in zip(tool_calls, get_config_list(config, len(tool_calls)), strict=True):
            tool_runtime = ToolRuntime(
                state=self._extract_state(input, cfg),
                tool_call_id=call["id"],
                config=cfg,
                context=runtime.context,
                store=runtime.store,
                stream_writer=runtime.stream_writer,
                tools=tools,
                execution_info=runtime.execution_info,
                server_info=runtime.server_info,
            )
            outputs.append(self._run_one(call, input_type, tool_runtime))  # type: ignore[arg-type]  # stub: state is a dict
        return self._combine_tool_outputs(outputs, input_type)
