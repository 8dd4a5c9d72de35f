"""Fakes at the model edge: a scripted chat model the graph calls instead of the LLM."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

Step = AIMessage | str | Callable[[list[BaseMessage]], AIMessage]


def tool_call(name: str, **args: Any) -> AIMessage:
    """An AI message proposing one tool call, as the LLM would write it."""
    tool_call.count += 1  # type: ignore[attr-defined]
    return AIMessage(
        content="",
        tool_calls=[
            {
                "name": name,
                "args": args,
                "id": f"call-{tool_call.count}",  # type: ignore[attr-defined]
                "type": "tool_call",
            }
        ],
    )


tool_call.count = 0  # type: ignore[attr-defined]


class FakeScriptedChatModel(BaseChatModel):
    """Answers each call with the next scripted step (a message, a text, or a function of the
    messages it was given) and records what it was shown. Running out of steps fails the test:
    a node called the model when the test says it must not."""

    steps: list[Any] = Field(default_factory=list)
    seen: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "fake-scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> FakeScriptedChatModel:  # type: ignore[override]
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.seen.append(list(messages))
        if not self.steps:
            raise AssertionError("the scripted model was called more often than the script says")
        step = self.steps.pop(0)
        message = step(conversation_of(messages)) if callable(step) else step
        message = AIMessage(content=message) if isinstance(message, str) else message.model_copy()
        return ChatResult(generations=[ChatGeneration(message=message)])

    @property
    def phases(self) -> list[str]:
        """The graph phase ('identify' / 'assist') of each call, from the system message."""
        return [
            str(next(m for m in call if isinstance(m, SystemMessage)).response_metadata.get("returndesk_phase"))
            for call in self.seen
        ]

    def system_prompts(self) -> list[str]:
        """Each call's system text: the rules, then the late note on the customer (agent/prompts.py)."""
        return ["\n\n".join(str(m.content) for m in call if isinstance(m, SystemMessage)) for call in self.seen]


def conversation_of(messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """What a scripted step reads: the messages without the system note on the customer (agent/prompts.py)."""
    return [m for i, m in enumerate(messages) if i == 0 or not isinstance(m, SystemMessage)]
