"""ReturnDesk end to end against a REAL model: llama-server on the CPU with SmolLM2-135M-Instruct.

The tiny model cannot do the job (it rarely calls tools and writes poor text). What these tests
hold is that the product stays safe and honest around a real model whatever it writes: nothing
is written without a confirmed card, no invented RMA or order number or claimed action reaches
the customer, `mode` says truthfully who answered, and nothing answers 500. Faults the real model
will not produce on demand (a blank answer, a broken tool call) are injected on the wire by
tests/llm/edge_proxy.py, in front of the real server.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from agent.vllm_client import resolve_model_name
from core import languages
from core.messages import t
from core.settings import Settings
from deploy.llama_server import LlamaServer
from mock_backends.orders.models import ReturnRequest
from service.conversation import ConversationService
from tests.conftest import sign_in
from tests.llm.edge_proxy import EdgeProxy, blank_reply, garbage_tool_call, unconfirmed_write

SAFE_REPLIES = {t("guardrail.safe_reply", code) for code in languages.codes()}  # the output check's words

pytestmark = pytest.mark.llm

RETURN_HEADPHONES = "I want to return the headphones from order #W1000001"
# Numbers a reply may carry in these conversations: the customer's order, and nothing a tool did not produce.
INVENTED = re.compile(r"RMA-[0-9A-Z]{4,}|#\s?W?\d{5,}", re.IGNORECASE)


def returns_in(service: ConversationService) -> list[ReturnRequest]:
    with Session(service.deps.engine) as db:
        return list(db.exec(select(ReturnRequest)).all())


def written_by_the_model(reply: str, proxy: EdgeProxy, start: int = 0) -> bool:
    """The reply is (part of) what the real model answered in one of the calls since `start`."""
    texts = [
        html.unescape(str(e.response["choices"][0]["message"].get("content") or ""))
        for e in proxy.chat[start:]
        if e.response
    ]
    return any(reply.strip() and reply.strip() in text for text in texts)


def assert_honest(turn: dict[str, Any], proxy: EdgeProxy, start: int, tool_results: str = "") -> None:
    """`mode` says who wrote the reply; the reply carries no number nobody produced."""
    reply = turn["reply"]
    assert reply.strip(), "never a blank reply"
    if turn["mode"] == "model":
        assert len(proxy.chat) > start, "a 'model' reply needs a model call"
        if not turn.get("pending"):  # a card's text is the card's summary, written by code
            assert reply in SAFE_REPLIES or written_by_the_model(reply, proxy, start), reply
    for number in INVENTED.findall(reply):
        assert number.replace(" ", "").lstrip("#").upper() in ("W1000001", *re.findall(r"RMA-\w+", tool_results)), reply


# --- discovery and readiness ---------------------------------------------------------------------
def test_the_served_model_is_discovered_and_readiness_names_it(
    llm_settings: Settings, llm_client: TestClient, llama: LlamaServer
) -> None:
    listed = httpx.get(llama.base_url + "/models", timeout=10).json()["data"][0]["id"]

    assert resolve_model_name(llm_settings) == listed
    ready = llm_client.get("/readyz").json()
    assert (ready["mode"], ready["checks"]["model"]["ok"]) == ("model", True)
    assert listed in ready["checks"]["model"]["detail"]
    assert llm_client.get("/healthz").json()["mode"] == "model"


# --- a turn on each route ------------------------------------------------------------------------
def test_a_turn_through_the_json_route_is_safe_and_honest(
    llm_client: TestClient, llm_service: ConversationService, proxy: EdgeProxy, llm_settings: Settings
) -> None:
    session = sign_in(llm_client)

    response = llm_client.post(f"/v1/sessions/{session}/messages", json={"text": RETURN_HEADPHONES})

    assert response.status_code == 200, response.text
    turn = response.json()
    assert_honest(turn, proxy, 0, json.dumps(turn.get("tool_trace")))
    assert [body.request["model"] for body in proxy.chat] == [resolve_model_name(llm_settings)] * len(proxy.chat)
    assert all(body.request["max_completion_tokens"] == 64 for body in proxy.chat), "the cap rides on every call"
    assert returns_in(llm_service) == [], "nothing is written before a card is confirmed"
    if turn["pending"]:  # the model (or guided mode) got as far as a card: saying no changes nothing
        declined = llm_client.post(f"/v1/sessions/{session}/cancel", json={"action_id": turn["pending"]["action_id"]})
        assert declined.status_code == 200 and returns_in(llm_service) == []


def test_the_sse_route_streams_only_checked_text(llm_live: str, proxy: EdgeProxy) -> None:
    with httpx.Client(base_url=llm_live, timeout=300) as http:
        session = http.post("/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001"}).json()
        events: list[tuple[str, Any]] = []
        with http.stream(
            "POST",
            f"/v1/sessions/{session['session_id']}/messages/stream",
            json={"text": "Hello! What can you do for me?"},
        ) as response:
            assert response.status_code == 200
            name = ""
            for line in response.iter_lines():
                if line.startswith("event:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("data:"):
                    events.append((name, json.loads(line.split(":", 1)[1])))

    names = [n for n, _ in events]
    assert "error" not in names and names[-1] == "done", names
    done = events[-1][1]
    assert_honest(done, proxy, 0)
    streamed = "".join(data["text"] for n, data in events if n == "token")
    assert not INVENTED.search(streamed), streamed
    if done["reply"] not in SAFE_REPLIES:
        assert streamed == done["reply"], "what streamed is what the customer is left with"


def test_the_openai_route_streams_a_whole_answer(llm_live: str, proxy: EdgeProxy) -> None:
    with (
        httpx.Client(base_url=llm_live, timeout=300) as http,
        http.stream(
            "POST",
            "/v1/chat/completions",
            json={
                "model": "returndesk",
                "stream": True,
                "messages": [{"role": "user", "content": "Hi, how do returns work here?"}],
            },
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["x-session-id"]
        lines = [line.removeprefix("data: ") for line in response.iter_lines() if line.startswith("data: ")]

    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    assert all("error" not in chunk for chunk in chunks)
    text = "".join(chunk["choices"][0]["delta"].get("content") or "" for chunk in chunks)
    assert text.strip() and not INVENTED.search(text)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


# --- limits and faults ---------------------------------------------------------------------------
def test_the_token_cap_holds_on_the_real_server(llm_settings: Settings, proxy: EdgeProxy) -> None:
    service = ConversationService(llm_settings.model_copy(update={"llm_max_tokens": 8}))
    session = service.sign_in(email="alice@example.com", order_id="#W1000001").session_id

    turn = service.send(session, "Please tell me a long story about your return policy.")

    assert turn.reply.strip()
    answered = [e.response for e in proxy.chat if e.response]
    assert answered and all(r["usage"]["completion_tokens"] <= 8 for r in answered)


def test_a_timeout_hands_the_turn_to_guided_mode_labelled(llm_settings: Settings, proxy: EdgeProxy) -> None:
    service = ConversationService(llm_settings.model_copy(update={"llm_timeout_s": 0.01}))
    session = service.sign_in(email="alice@example.com", order_id="#W1000001").session_id

    turn = service.send(session, RETURN_HEADPHONES)

    assert turn.mode == "guided"
    assert turn.pending is not None and turn.pending.tool == "create_return", "guided mode did the job"
    assert returns_in(service) == []
    assert b"returndesk_guided_fallbacks_total 1.0" in service.metrics.exposition()


def test_a_blank_answer_is_asked_again_then_guided_mode_answers(
    llm_service: ConversationService, proxy: EdgeProxy
) -> None:
    session = llm_service.sign_in(email="alice@example.com", order_id="#W1000001").session_id
    proxy.mangle = [blank_reply, blank_reply]

    turn = llm_service.send(session, "Hello")

    assert len(proxy.chat) == 2, "asked once more, then no further model call this turn"
    assert turn.mode == "guided" and turn.reply.strip()


@pytest.mark.parametrize("fault", [garbage_tool_call, unconfirmed_write], ids=["broken_json", "unchecked_write"])
def test_a_bad_tool_call_never_writes(llm_service: ConversationService, proxy: EdgeProxy, fault: Any) -> None:
    session = llm_service.sign_in(email="alice@example.com", order_id="#W1000001").session_id
    proxy.mangle = [fault]

    turn = llm_service.send(session, RETURN_HEADPHONES)

    assert returns_in(llm_service) == [], "no write without a confirmed card"
    assert turn.reply.strip()
    if fault is garbage_tool_call:
        assert turn.mode == "guided", "a broken tool call hands the turn to guided mode"
    assert "<tool_call>" not in turn.reply


def test_a_conversation_with_the_real_model_stays_safe(llm_service: ConversationService, proxy: EdgeProxy) -> None:
    session = llm_service.sign_in(email="alice@example.com", order_id="#W1000001").session_id
    for text in ("Hi", RETURN_HEADPHONES, "Has my refund been issued yet?", "Cancel it please"):
        if llm_service.pending(session) is not None:
            text = "no"
        start = len(proxy.chat)
        turn = llm_service.send(session, text)
        assert_honest({"reply": turn.reply, "mode": turn.mode, "pending": turn.pending}, proxy, start)
        assert returns_in(llm_service) == []
        assert not re.search(r"has been (refunded|cancelled|returned)|已(退款|取消|退货)", turn.reply)
