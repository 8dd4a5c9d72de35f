"""A fake chat model for benchmarks and tests: zero latency, answers from a script, never a network.

`ScriptedChatModel(respond=...)` calls `respond(messages)` for the next AI message;
`steps(...)` builds the common script "these tool calls, then this reply", replayed on every
customer turn. It binds tools by ignoring them, so LangGraph's prebuilt agent accepts it too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult

Respond = Callable[[Sequence[BaseMessage]], AIMessage]
Step = str | tuple[str, dict[str, Any]]  # a reply, or (tool name, arguments)


class ScriptedChatModel(BaseChatModel):
    """Fake model: what it says next is `respond(messages)`; it takes no time and calls nothing."""

    respond: Respond

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:  # type: ignore[override]
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.respond(messages))])


def step_in_turn(messages: Sequence[BaseMessage]) -> int:
    """How many AI messages the model already wrote since the customer's last message."""
    count = 0
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        count += isinstance(message, AIMessage)
    return count


def tool_call(name: str, args: dict[str, Any], messages: Sequence[BaseMessage]) -> AIMessage:
    # Unique within a thread (the message count only grows), as real tool call ids are.
    call = {"name": name, "args": args, "id": f"scripted-{len(messages)}-{name}", "type": "tool_call"}
    return AIMessage(content="", tool_calls=[call])


def steps(*script: Step) -> Respond:
    """Each customer turn plays `script` from the start; after its end, the last reply repeats."""

    def respond(messages: Sequence[BaseMessage]) -> AIMessage:
        step = script[min(step_in_turn(messages), len(script) - 1)]
        if isinstance(step, str):
            return AIMessage(content=step)
        return tool_call(step[0], step[1], messages)

    return respond


def scripted(*script: Step) -> ScriptedChatModel:
    return ScriptedChatModel(respond=steps(*script))
