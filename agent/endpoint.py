"""The endpoint's settings that need no client library: Qwen's sampling and the served model's name.

Apart from `agent.vllm_client` so the server, the recorder and replay can read them without importing
LangChain's `ChatOpenAI` (langchain_openai and openai: a second or more of every start in guided mode).
"""

from __future__ import annotations

import logging

import httpx

from core.settings import DEFAULT_MODEL, Settings

log = logging.getLogger(__name__)

# Qwen3-4B-Instruct-2507 model card, "Best Practices" / "Sampling Parameters".
QWEN_SAMPLING: dict[str, float] = {"temperature": 0.7, "top_p": 0.8}
QWEN_EXTRA_BODY: dict[str, float] = {"top_k": 20, "min_p": 0.0}


def discover_model_name(base_url: str, api_key: str, timeout_s: float) -> str | None:
    """The first model id the endpoint's `/models` lists, or None (logged) when it cannot say."""
    url = base_url.rstrip("/") + "/models"
    try:
        response = httpx.get(url, headers={"Authorization": f"Bearer {api_key}"}, timeout=timeout_s)
        response.raise_for_status()
        models = response.json().get("data") or []
        return str(models[0]["id"])
    except (httpx.HTTPError, ValueError, LookupError, TypeError, AttributeError) as error:
        log.warning(
            "Could not read the model name from %s (%s); using %s. Set RETURNDESK_LLM_MODEL to choose.",
            url,
            error,
            DEFAULT_MODEL,
        )
        return None


def resolve_model_name(settings: Settings) -> str:
    if settings.llm_model:
        return settings.llm_model
    assert settings.llm_base_url, "only called when an endpoint is configured"
    found = discover_model_name(settings.llm_base_url, settings.llm_api_key, settings.llm_discovery_timeout_s)
    return found or DEFAULT_MODEL
