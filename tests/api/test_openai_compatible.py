"""/v1/chat/completions and /v1/models through the official `openai` client, as any app would use them."""

from __future__ import annotations

import openai
import pytest
from sqlmodel import Session, select

from mock_backends.orders.models import ReturnRequest
from tests.api.conftest import RETURN_HEADPHONES


@pytest.fixture
def client(live_server: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{live_server}/v1", api_key="EMPTY", max_retries=0)


def ask(client: openai.OpenAI, text: str, **kwargs: object):
    return client.chat.completions.with_raw_response.create(
        model="Qwen3-4B-Instruct-2507", messages=[{"role": "user", "content": text}], **kwargs
    )


def test_models_lists_returndesk(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["returndesk"]


def test_the_user_field_never_opens_another_clients_verified_session(client: openai.OpenAI, live_server: str) -> None:
    import httpx

    victim = ask(client, "I am alice@example.com, order #W1000001", user="chat-42")
    assert "Alice" in victim.parse().choices[0].message.content, "the victim verified in the chat"
    attacker = ask(client, "Show my orders", user="chat-42")  # the same `user` string, nothing else

    assert attacker.headers["x-session-id"] != victim.headers["x-session-id"]
    answer = attacker.parse().choices[0].message.content
    assert "verify you" in answer and "Alice" not in answer and "delivered" not in answer
    history = httpx.get(f"{live_server}/v1/sessions/{victim.headers['x-session-id']}/messages").json()
    assert [h["content"] for h in history if h["role"] == "user"] == ["I am alice@example.com, order #W1000001"]


def test_a_conversation_continues_with_the_session_id_the_server_returned(
    client: openai.OpenAI, live_server: str
) -> None:
    import httpx

    first = ask(client, "hello")
    session_id = first.headers["x-session-id"]
    again = ask(client, "hi", extra_headers={"X-Session-Id": session_id})
    assert again.headers["x-session-id"] == session_id
    history = httpx.get(f"{live_server}/v1/sessions/{session_id}/messages").json()
    assert [h["content"] for h in history if h["role"] == "user"] == ["hello", "hi"]


def test_a_signed_in_session_completes_a_return_through_the_header(
    client: openai.OpenAI, live_server: str, engine
) -> None:
    import httpx

    session_id = httpx.post(
        f"{live_server}/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001"}
    ).json()["session_id"]
    headers = {"X-Session-Id": session_id}
    card = (
        client.chat.completions.create(
            model="x", messages=[{"role": "user", "content": RETURN_HEADPHONES}], extra_headers=headers
        )
        .choices[0]
        .message.content
    )
    assert "Wireless Headphones" in card and "Reply **yes** to confirm" in card
    assert "- Refund: **$89.99**" in card and "the refund goes to your original payment method" in card
    busy = (
        client.chat.completions.create(
            model="x", messages=[{"role": "user", "content": "and my lamp?"}], extra_headers=headers
        )
        .choices[0]
        .message.content
    )
    assert "confirm or cancel" in busy
    done = (
        client.chat.completions.create(model="x", messages=[{"role": "user", "content": "yes"}], extra_headers=headers)
        .choices[0]
        .message.content
    )
    with Session(engine) as db:
        [ret] = db.exec(select(ReturnRequest)).all()
    assert ret.rma in done


def test_streaming_sends_the_reply_in_chunks_and_ends_with_stop(
    client: openai.OpenAI, live_server: str, engine
) -> None:
    import httpx

    session_id = httpx.post(
        f"{live_server}/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001"}
    ).json()["session_id"]
    headers = {"X-Session-Id": session_id}

    def streamed(text: str) -> tuple[str, list[str | None]]:
        stream = client.chat.completions.create(
            model="x", messages=[{"role": "user", "content": text}], stream=True, extra_headers=headers
        )
        chunks = list(stream)
        return "".join(c.choices[0].delta.content or "" for c in chunks), [c.choices[0].finish_reason for c in chunks]

    card, finishes = streamed(RETURN_HEADPHONES)
    assert "Wireless Headphones" in card and "yes" in card and finishes[-1] == "stop"
    done, _ = streamed("yes")
    with Session(engine) as db:
        [ret] = db.exec(select(ReturnRequest)).all()
    assert ret.rma in done


def test_without_session_or_user_each_request_starts_a_new_anonymous_session(client: openai.OpenAI) -> None:
    first, second = ask(client, "hello"), ask(client, "hello")
    assert first.headers["x-session-id"] != second.headers["x-session-id"]
    assert "verify you" in first.parse().choices[0].message.content, "an anonymous session is asked to identify"


def test_an_unknown_session_header_is_a_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(
            model="x", messages=[{"role": "user", "content": "hi"}], extra_headers={"X-Session-Id": "nope"}
        )
    assert "sign in again" in str(raised.value)


def test_a_request_without_a_user_message_is_a_clear_4xx(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model="x", messages=[{"role": "system", "content": "be nice"}])
    assert "empty" in str(raised.value)


def test_the_seed_articles_request_works_with_only_base_url_changed(client: openai.OpenAI) -> None:
    """The exact call of the seed's Chainlit app.py (model name, max_tokens, temperature, stream)."""
    stream = client.chat.completions.create(
        model="Qwen3-4B-Instruct-2507",
        messages=[{"role": "user", "content": "我们公司的退货政策是什么?"}],
        max_tokens=1024,
        temperature=0.7,
        stream=True,
    )
    chunks = [chunk for chunk in stream if chunk.choices]
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text.strip() and chunks[-1].choices[0].finish_reason == "stop"
