"""The chat model the agent node calls: Qwen3-4B on vLLM when configured, guided mode otherwise.

The endpoint path is `agent.vllm_client` (LangChain's `ChatOpenAI` against vLLM's OpenAI API);
when a call fails (connection refused, timeout, 5xx, malformed JSON, a broken tool call),
`with_fallbacks` answers it with the guided model, and `model_for_turn` keeps guided mode for the
rest of that customer turn, so one turn never mixes a half-finished model plan with guided steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool

from agent.endpoint import QWEN_EXTRA_BODY, QWEN_SAMPLING
from agent.guided import GUIDED, GuidedChatModel
from agent.guided_handlers import GuidedHandler
from agent.tool_schemas import model_tool_schemas
from core.settings import DEFAULT_MODEL, Settings
from tools.deps import ToolDeps
from tools.registry import TOOLS

if TYPE_CHECKING:
    from agent.vllm_client import QwenChatOpenAI

__all__ = [
    "DEFAULT_MODEL",
    "QWEN_EXTRA_BODY",
    "QWEN_SAMPLING",
    "build_chat_model",
    "endpoint_model",
    "guided_answered_this_turn",
    "mode_of",
    "model_for_turn",
]


def endpoint_model(settings: Settings) -> QwenChatOpenAI:
    """`agent.vllm_client.endpoint_model`, imported on first use: guided mode never loads langchain_openai."""
    from agent.vllm_client import endpoint_model as build

    return build(settings)


def build_chat_model(
    settings: Settings, tools: Sequence[BaseTool], guided_handlers: Mapping[str, GuidedHandler] | None = None
) -> Runnable:
    """The model with `tools` bound: endpoint with guided fallback, or guided alone (planning with
    `guided_handlers`, guided mode's own by default)."""
    guided = GuidedChatModel(handlers=guided_handlers)
    if not settings.llm_base_url:
        return guided
    # The compact schemas: the same tools, less what only their validators read (agent/tool_schemas.py).
    return endpoint_model(settings).bind_tools(model_tool_schemas(tools)).with_fallbacks([guided])


def guided_answered_this_turn(messages: Sequence[BaseMessage]) -> bool:
    """True when guided mode already wrote a message since the customer's last message."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return False
        if isinstance(message, AIMessage) and mode_of(message) == GUIDED:
            return True
    return False


def model_for_turn(
    deps: ToolDeps,
    messages: Sequence[BaseMessage],
    tools: Sequence[BaseTool] = TOOLS,
    guided_handlers: Mapping[str, GuidedHandler] | None = None,
) -> Runnable:
    """What answers the next step of this turn: guided mode once it has taken over, else the
    configured model with `tools` (built once per `deps`, or the one a test injected as `deps.chat_model`)."""
    if guided_answered_this_turn(messages):
        return GuidedChatModel(handlers=guided_handlers)
    if deps.chat_model is None:
        deps.chat_model = build_chat_model(deps.settings, tools, guided_handlers)
    return deps.chat_model


def mode_of(message: object) -> str:
    """'guided' or 'model': which of the two wrote this AI message."""
    metadata = getattr(message, "response_metadata", None) or {}
    return GUIDED if metadata.get("returndesk_mode") == GUIDED else "model"
