"""Guided mode: a deterministic chat model that emits the same tool calls the LLM would.

It reads the conversation (the customer's messages, its own earlier replies and the tool results
since the last message), recognises plain patterns (order and RMA numbers, emails, keywords of
every language's table, the quick-reply buttons it offered) and plans the next step. Used when no
model endpoint is configured, and as the fallback when the endpoint fails.

Every message it writes carries, in `response_metadata`:
- `returndesk_mode`: "guided";
- `quick_replies`: list[str], button labels the UI may show; sending a label as the customer's
  message continues the conversation (may be empty);
- `guided`: {"intent", "awaiting"}: what it asked for, read back on the next turn.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from agent.guided_handlers import GUIDED_HANDLERS, GuidedHandler
from agent.guided_steps import Conversation, GuidedSteps
from agent.guided_text import detect_intent, find_order_id, menu_buttons
from core import languages
from core.messages import t

__all__ = ["GUIDED", "GuidedChatModel", "detect_intent", "find_order_id", "plan_next_step"]

GUIDED = "guided"
STREAM_CHUNK_CHARS = 4


class GuidedChatModel(BaseChatModel):
    """Deterministic stand-in for the LLM: same tools, same graph, answers from patterns.

    `handlers`: tool name -> its guided handler (default: `GUIDED_HANDLERS`); a graph with more
    tools passes its own (`agent.guided_handlers.with_handlers`)."""

    handlers: Mapping[str, GuidedHandler] | None = None

    @property
    def _llm_type(self) -> str:
        return "returndesk-guided"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> GuidedChatModel:
        return self  # it plans with the registry's tool names directly

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=guided_message(messages, self.handlers))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """The reply in small chunks (so the UI can show it as it comes); tool calls in the last chunk."""
        message = guided_message(messages, self.handlers)
        text = str(message.content)
        pieces = [text[i : i + STREAM_CHUNK_CHARS] for i in range(0, len(text), STREAM_CHUNK_CHARS)]
        for piece in pieces:
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
        tool_call_chunks = [
            {
                "name": c["name"],
                "args": json.dumps(c["args"], ensure_ascii=False),
                "id": c["id"],
                "index": i,
                "type": "tool_call_chunk",
            }
            for i, c in enumerate(message.tool_calls)
        ]
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                tool_call_chunks=tool_call_chunks,
                response_metadata=message.response_metadata,
                chunk_position="last",
            )
        )


def guided_message(messages: Sequence[BaseMessage], handlers: Mapping[str, GuidedHandler] | None = None) -> AIMessage:
    # Guided mode reads the first system message (phase, language); the model's note on the customer is not for it.
    messages = [m for i, m in enumerate(messages) if i == 0 or not isinstance(m, SystemMessage)]
    message = plan_next_step(messages, handlers)
    message.response_metadata = {"quick_replies": [], **message.response_metadata, "returndesk_mode": GUIDED}
    return message


def phase_of(messages: Sequence[BaseMessage]) -> str:
    """'identify' or 'assist', as the graph's system message says (the LLM reads the same prompt)."""
    for message in messages:
        if isinstance(message, SystemMessage):
            return str(message.response_metadata.get("returndesk_phase", "assist"))
    return "assist"


def language_of_turn(messages: Sequence[BaseMessage], texts: Sequence[str]) -> str:
    """The language to answer in: the graph's (its system message says it, as the prompt asks the LLM);
    without one, the newest customer message in words ("alice@example.com #W1000001" is in no language)."""
    for message in messages:
        if isinstance(message, SystemMessage) and message.response_metadata.get("returndesk_language"):
            return languages.get(str(message.response_metadata["returndesk_language"])).code
    return next((lang for text in reversed(texts) if (lang := languages.detect(text, None))), languages.DEFAULT)


def read_conversation(messages: Sequence[BaseMessage]) -> Conversation | None:
    humans = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if not humans:
        return None
    last = humans[-1]
    text = str(messages[last].content)
    earlier = list(messages[:last])
    previous_ai = next((m for m in reversed(earlier) if isinstance(m, AIMessage) and not m.tool_calls), None)
    previous = dict(previous_ai.response_metadata.get("guided") or {}) if previous_ai else {}
    texts = [str(messages[i].content) for i in humans]
    intent = detect_intent(text)
    request = text
    if intent is None and previous.get("awaiting"):
        intent = previous.get("intent")
        # the customer's words since the message that stated this intent
        for start in range(len(texts) - 2, -1, -1):
            request = f"{texts[start]}\n{request}"
            if detect_intent(texts[start]) == intent:
                break
    return Conversation(
        phase=phase_of(messages),
        text=text,
        lang=language_of_turn(messages, texts),
        intent=intent,
        request=request,
        order_id=find_order_id(texts),
        results=[m for m in messages[last + 1 :] if isinstance(m, ToolMessage)],
        earlier=earlier,
        previous=previous,
    )


def plan_next_step(messages: Sequence[BaseMessage], handlers: Mapping[str, GuidedHandler] | None = None) -> AIMessage:
    """The next message guided mode writes: a tool call, or a reply (with quick replies)."""
    conversation = read_conversation(messages)
    if conversation is None:
        return AIMessage(
            content=t("guided.menu", languages.DEFAULT),
            response_metadata={"quick_replies": menu_buttons(languages.DEFAULT), "guided": {"intent": None}},
        )
    return GuidedSteps(
        conversation, all_messages=list(messages), handlers=GUIDED_HANDLERS if handlers is None else handlers
    ).next_message()
