"""The chat model the agent node calls: Qwen3-4B on vLLM when configured, guided mode otherwise.

The endpoint path is LangChain's `ChatOpenAI` (vLLM serves the OpenAI API); when it fails or
times out, `with_fallbacks` answers that call with the guided model, so a turn never dies with
the endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool

from agent.guided import GuidedChatModel
from agent.settings import Settings

DEFAULT_MODEL = "Qwen/Qwen3-4B-Instruct-2507"
# Sampling from the Qwen3-4B-Instruct-2507 model card ("Best Practices").
QWEN_SAMPLING = {"temperature": 0.7, "top_p": 0.8}
QWEN_EXTRA_BODY = {"top_k": 20, "min_p": 0.0}


def endpoint_model(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI  # imported here: guided-only runs never pay for it

    return ChatOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,  # type: ignore[arg-type]
        model=settings.llm_model or DEFAULT_MODEL,
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        extra_body=QWEN_EXTRA_BODY,
        **QWEN_SAMPLING,
    )


def build_chat_model(settings: Settings, tools: Sequence[BaseTool]) -> Runnable:
    """The model with `tools` bound: endpoint with guided fallback, or guided alone."""
    guided = GuidedChatModel()
    if not settings.llm_base_url:
        return guided
    return endpoint_model(settings).bind_tools(list(tools)).with_fallbacks([guided])


def mode_of(message: object) -> str:
    """'guided' or 'model': which of the two wrote this AI message."""
    metadata = getattr(message, "response_metadata", None) or {}
    return "guided" if metadata.get("returndesk_mode") == "guided" else "model"
