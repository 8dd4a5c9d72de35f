"""The client for Qwen3-4B-Instruct-2507 on vLLM: LangChain's `ChatOpenAI`, configured and hardened.

- Sampling: the model card's "Best Practices" (temperature 0.7, top_p 0.8, top_k 20, min_p 0);
  top_k / min_p are vLLM extensions of the OpenAI API, so they travel in `extra_body`.
- The served model name is read once from `/v1/models` when RETURNDESK_LLM_MODEL is unset.
- Tool rounds are not streamed (vLLM #19056 / #28297 garble streamed hermes tool calls); setting
  RETURNDESK_LLM_STREAM=true streams anyway, and both shapes recover hermes blocks left in text.
- A reply whose tool call cannot be parsed raises `BrokenToolCall`, so the caller's fallback
  (guided mode) answers instead of a half-understood tool call.
- HTML character references in the text (`&#39;`, `&amp;`) are decoded once, streamed or not
  (`agent.model_output`).
- Tool results are sent as their compact rendering (`tools.model_view`): fewer new tokens for the
  server to prefill; the graph's state keeps the whole results.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolCall, ToolMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI

# The light half (sampling, model-name discovery) lives in agent.endpoint, which needs no langchain_openai.
from agent.endpoint import QWEN_EXTRA_BODY, QWEN_SAMPLING, discover_model_name, resolve_model_name
from agent.hermes import BrokenToolCall, HermesStreamFilter, has_hermes_block, split_hermes
from agent.model_output import EntityStreamDecoder, decode_entities
from core.settings import DEFAULT_MODEL, Settings
from tools.model_view import model_content

__all__ = [
    "DEFAULT_MODEL",
    "QWEN_EXTRA_BODY",
    "QWEN_SAMPLING",
    "discover_model_name",
    "endpoint_model",
    "resolve_model_name",
]

log = logging.getLogger(__name__)


def endpoint_model(settings: Settings, *, compact_tool_results: bool = True) -> QwenChatOpenAI:
    """The endpoint model as ReturnDesk configures it (no tools bound, no fallback); with
    `compact_tool_results=False` it sends tool results as the tools returned them."""
    return QwenChatOpenAI(
        compact_tool_results=compact_tool_results,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        model=resolve_model_name(settings),
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        max_tokens=settings.llm_max_tokens,  # a runaway generation must not hold the customer (or the GPU)
        extra_body=QWEN_EXTRA_BODY,
        streaming=settings.llm_stream,
        stream_usage=True,  # the server's token counts for streamed calls too (metrics, traces)
        # With streaming off, a tool round never streams even when LangGraph streams messages.
        disable_streaming=False if settings.llm_stream else "tool_calling",
        **QWEN_SAMPLING,
    )


def recover_tool_calls(message: BaseMessage) -> BaseMessage:
    """Hermes blocks left in the text become tool calls; an unparseable tool call raises; HTML
    character references in the text are decoded."""
    if not isinstance(message, AIMessage):
        return message
    if message.invalid_tool_calls:
        raise BrokenToolCall(f"the model returned a tool call that is not valid JSON: {message.invalid_tool_calls[0]}")
    if isinstance(message.content, str) and has_hermes_block(message.content):
        text, calls = split_hermes(message.content)
        message = message.model_copy(update={"content": text, "tool_calls": [*message.tool_calls, *calls]})
    if isinstance(message.content, str) and "&" in message.content:
        message = message.model_copy(update={"content": decode_entities(message.content)})
    return message


class QwenChatOpenAI(ChatOpenAI):
    """`ChatOpenAI` for Qwen3 on vLLM: recovers hermes tool calls and logs failed calls."""

    compact_tool_results: bool = False  # send tool results as `tools.model_view` renders them

    def _get_request_payload(self, input_: LanguageModelInput, *, stop: list[str] | None = None, **kwargs: Any) -> dict:
        # The one place ChatOpenAI turns messages into a request, streamed or not.
        messages = self._convert_input(input_).to_messages()
        if self.compact_tool_results:
            messages = [
                m.model_copy(update={"content": model_content(m.name, m.content)}) if isinstance(m, ToolMessage) else m
                for m in messages
            ]
        return super()._get_request_payload(messages, stop=stop, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        try:
            result = super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)
            for generation in result.generations:
                generation.message = recover_tool_calls(generation.message)
            return result
        except Exception as error:
            _log_failure(error)
            raise

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        try:
            result = await super()._agenerate(messages, stop=stop, run_manager=run_manager, **kwargs)
            for generation in result.generations:
                generation.message = recover_tool_calls(generation.message)
            return result
        except Exception as error:
            _log_failure(error)
            raise

    # LangChain's base class reports each chunk we yield to the callbacks (LangGraph's "messages"
    # stream), so only filtered text ever reaches a customer's screen.
    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        recovery = _StreamRecovery()
        try:
            for chunk in super()._stream(messages, stop=stop, **kwargs):
                yield recovery.filter(chunk)
            yield from recovery.finish()
        except Exception as error:
            _log_failure(error)
            raise

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        recovery = _StreamRecovery()
        try:
            async for chunk in super()._astream(messages, stop=stop, **kwargs):
                yield recovery.filter(chunk)
            for tail in recovery.finish():
                yield tail
        except Exception as error:
            _log_failure(error)
            raise


class _StreamRecovery:
    """State of one streamed reply: the hermes filter and what the stream said so far."""

    def __init__(self) -> None:
        self.hermes = HermesStreamFilter()
        self.entities = EntityStreamDecoder()
        self.last_tool_index = -1
        self.aggregate: AIMessageChunk | None = None

    def filter(self, chunk: ChatGenerationChunk) -> ChatGenerationChunk:
        message = chunk.message
        if isinstance(message, AIMessageChunk):
            for call in message.tool_call_chunks:
                index = call.get("index")
                if isinstance(index, int):
                    self.last_tool_index = max(self.last_tool_index, index)
            if isinstance(message.content, str) and message.content:
                message = message.model_copy(update={"content": self.entities.feed(self.hermes.feed(message.content))})
                chunk = ChatGenerationChunk(message=message, generation_info=chunk.generation_info)
            self.aggregate = message if self.aggregate is None else self.aggregate + message
        return chunk

    def finish(self) -> list[ChatGenerationChunk]:
        text, calls = self.hermes.finish()
        text = self.entities.feed(text) + self.entities.finish()
        if self.aggregate is not None:
            _check_streamed_arguments(self.aggregate)
        if not text and not calls:
            return []
        return [
            ChatGenerationChunk(
                message=AIMessageChunk(
                    content=text,
                    tool_call_chunks=[
                        _as_chunk(call, self.last_tool_index + 1 + offset) for offset, call in enumerate(calls)
                    ],
                )
            )
        ]


def _check_streamed_arguments(message: AIMessageChunk) -> None:
    """Strict JSON for every streamed tool call: LangChain parses partial JSON leniently, which
    would turn arguments cut off mid-stream into a call with half its arguments."""
    for call in message.tool_call_chunks:
        try:
            json.loads(call.get("args") or "{}")
        except ValueError as error:
            raise BrokenToolCall(f"the model streamed tool call arguments that are not valid JSON: {call}") from error


def _as_chunk(call: ToolCall, index: int) -> Any:
    return tool_call_chunk(
        name=call["name"], args=json.dumps(call["args"], ensure_ascii=False), id=call["id"], index=index
    )


def _log_failure(error: Exception) -> None:
    log.warning("Model call failed (%s: %s); guided mode answers the rest of this turn.", type(error).__name__, error)
