"""The customer page lets a visitor ask a general question without signing in (the help centre says
general questions need none), in English and Chinese; looking at an order still needs the customer's
email and order number, asked for in the chat."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bench.page_client import PageLayout, PageTab, chat_text, run_handler


def turn(client: TestClient, tab: PageTab, elem_id: str, values: dict[str, Any]) -> dict[str, Any]:
    handler = tab.layout.handler(elem_id)
    done = run_handler(client, tab.payload(handler, values))  # type: ignore[arg-type]
    assert done["success"], done
    outputs = [tab.layout.elem_id(c) or str(c) for c in handler.outputs]
    return dict(zip(outputs, done["output"]["data"], strict=False))


@pytest.mark.parametrize(
    ("language", "question", "window", "asks_for"),
    [
        ("English", "what is your return policy?", "30 days", "email"),
        ("中文", "退货政策是什么？", "30 天", "邮箱"),
    ],
)
def test_a_visitor_asks_about_the_return_policy_without_signing_in(
    client: TestClient, language: str, question: str, window: str, asks_for: str
) -> None:
    layout = PageLayout.read(client.get("/config").json())
    tab = PageTab(client, layout, session_hash=f"anon-{len(question)}")  # type: ignore[arg-type]
    if language != "English":
        turn(client, tab, "language-switch", {"language-switch": language})

    opened = turn(client, tab, "ask-anonymously-button", {})
    assert opened["sign-in-error"] in ("", None), opened["sign-in-error"]
    greeting = chat_text(opened)
    assert "Hi" in greeting or "您好" in greeting

    answer = chat_text(turn(client, tab, "send-button", {"message": question}))
    assert window in answer, answer
    assert "⚠️" not in answer, "answered, not refused for want of a sign-in"

    order = chat_text(turn(client, tab, "send-button", {"message": "I want to return order #W1000001"}))
    assert asks_for in order or "email" in order, order  # the chat asks who they are; no order is shown
    assert "Wireless Headphones" not in order and "无线耳机" not in order


def test_the_button_reads_the_pages_language(client: TestClient) -> None:
    layout = PageLayout.read(client.get("/config").json())
    tab = PageTab(client, layout, session_hash="anon-label")  # type: ignore[arg-type]
    switched = turn(client, tab, "language-switch", {"language-switch": "中文"})
    assert "不登录" in json.dumps(switched, ensure_ascii=False)
