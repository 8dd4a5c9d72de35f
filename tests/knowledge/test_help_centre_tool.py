"""search_help_centre as the agent uses it: before sign-in, inside the graph, never raising."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from sqlalchemy.engine import Engine

from core.settings import Settings
from graphs.returns_graph import build_graph
from tests.knowledge.policy_drift import SECTIONS
from tools.deps import ToolDeps
from tools.help_centre import search_help_centre
from tools.registry import SENSITIVE_TOOLS, spec_for


def scripted_model(*replies: AIMessage) -> GenericFakeChatModel:
    """A chat model that answers with these messages in turn: a script, not an LLM."""
    return GenericFakeChatModel(messages=iter(replies))


def call(name: str, **args: Any) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"call-{name}", "type": "tool_call"}])


def test_a_customer_who_has_not_signed_in_gets_policy_passages(settings: Settings, engine: Engine) -> None:
    model = scripted_model(
        call("search_help_centre", query="how long do I have to return headphones"),
        AIMessage(content="Electronics can be returned within the window (Returns policy)."),
    )
    deps = ToolDeps(engine=engine, settings=settings, chat_model=model)

    # No customer_id in the state: nobody is verified.
    final = build_graph().invoke({"messages": [HumanMessage("How long do I have to return headphones?")]}, context=deps)

    [answer] = [m for m in final["messages"] if isinstance(m, ToolMessage)]
    result = json.loads(answer.content)
    assert answer.name == "search_help_centre" and result["ok"] is True
    assert (result["passages"][0]["doc_id"], result["passages"][0]["heading"]) == SECTIONS["en"]["windows"]
    assert final["messages"][-1].content.startswith("Electronics")


def test_registered_as_a_tool_that_needs_no_confirmation() -> None:
    spec = spec_for("search_help_centre")

    assert spec is not None and not spec.sensitive and "search_help_centre" not in SENSITIVE_TOOLS


def test_passages_carry_their_document_and_heading_for_citation() -> None:
    result = search_help_centre.invoke({"query": "退款到礼品卡"})

    passage = result["passages"][0]
    assert (passage["doc_id"], passage["heading"]) == SECTIONS["zh"]["refund_methods"]
    assert {"title", "heading", "language", "source", "text", "score"} <= passage.keys()


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_question_is_a_clear_refusal(query: str) -> None:
    result = search_help_centre.invoke({"query": query})

    assert result["ok"] is False and result["code"] == "empty_query" and result["hint"]


def test_a_question_the_help_centre_cannot_answer_returns_no_passages_and_says_so() -> None:
    result = search_help_centre.invoke({"query": "qwzx blorf"})

    assert result["ok"] is True and result["passages"] == []
    assert "do not guess" in result["hint"]


@pytest.mark.parametrize(("language", "expected"), [("zh-CN", "zh"), ("Chinese", "zh"), ("English", "en")])
def test_language_names_a_model_may_send_are_understood(language: str, expected: str) -> None:
    result = search_help_centre.invoke({"query": "PayPal", "language": language})

    assert result["ok"] is True and {p["language"] for p in result["passages"]} == {expected}


def test_a_language_without_documents_is_a_clear_refusal() -> None:
    result = search_help_centre.invoke({"query": "refund", "language": "fr"})

    assert result["ok"] is False and result["code"] == "unsupported_language"


def test_a_broken_index_is_a_structured_error_not_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_index() -> None:
        raise OSError("documents missing")

    monkeypatch.setattr("tools.help_centre.help_centre_index", broken_index)

    result = search_help_centre.invoke({"query": "refund"})

    assert result["ok"] is False and result["code"] == "internal_error" and result["hint"]
