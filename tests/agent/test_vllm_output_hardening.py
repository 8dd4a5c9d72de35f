"""What the model writes is capped, never shown blank, and never shown with HTML entities.

ConversationService -> graph -> ChatOpenAI -> a FAKE vLLM server (tests/fakes/vllm_server.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.settings import Settings
from service.conversation import ConversationService
from service.streaming import Token, TurnDone
from tests.fakes.vllm_server import FakeVLLMServer, Reply


@pytest.fixture
def fake() -> Iterator[FakeVLLMServer]:
    with FakeVLLMServer() as server:
        yield server


def service_on(settings: Settings, fake: FakeVLLMServer, **overrides: Any) -> ConversationService:
    values = {"llm_base_url": fake.base_url, "llm_timeout_s": 5.0, "llm_max_retries": 0} | overrides
    return ConversationService(settings.model_copy(update=values))


def alice(service: ConversationService) -> str:
    return service.sign_in(email="alice@example.com", order_id="#W1000001").session_id


# --- max tokens --------------------------------------------------------------------------------
def test_every_model_call_carries_the_token_cap(settings: Settings, engine: Any, fake: FakeVLLMServer) -> None:
    fake.script(Reply.tool_call("lookup_order", {"order_id": "#W1000001"}), Reply.text("It was delivered."))
    service = service_on(settings, fake)

    service.send(alice(service), "Where is order #W1000001?")

    assert [body.get("max_completion_tokens") for body in fake.chat_requests] == [512, 512]


def test_a_node_can_have_its_own_cap(settings: Settings, engine: Any, fake: FakeVLLMServer) -> None:
    fake.script(Reply.text("Please send your email and an order number."), Reply.text("Happy to help."))
    service = service_on(settings, fake, llm_max_tokens=300, llm_node_max_tokens={"identify": 64})

    service.send(service.start_anonymous().session_id, "Hello")  # not verified: the identify node
    service.send(alice(service), "Hello")  # verified: the assist node

    assert [body["max_completion_tokens"] for body in fake.chat_requests] == [64, 300]


def test_the_cap_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETURNDESK_LLM_MAX_TOKENS", "128")
    monkeypatch.setenv("RETURNDESK_LLM_NODE_MAX_TOKENS", '{"assist": 700}')
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.llm_max_tokens, settings.llm_node_max_tokens) == (128, {"assist": 700})


# --- blank replies -----------------------------------------------------------------------------
@pytest.mark.parametrize("stream", [False, True], ids=["json", "streamed"])
def test_a_blank_reply_is_asked_for_once_more(
    settings: Settings, engine: Any, fake: FakeVLLMServer, stream: bool
) -> None:
    fake.script(Reply.text("  \n "), Reply.text("Your order was delivered."))
    service = service_on(settings, fake, llm_stream=stream)

    turn = service.send(alice(service), "Hello")

    assert (turn.mode, turn.reply) == ("model", "Your order was delivered.")
    assert len(fake.chat_requests) == 2


@pytest.mark.parametrize("stream", [False, True], ids=["json", "streamed"])
def test_a_reply_blank_twice_is_answered_by_guided_mode_and_labelled(
    settings: Settings, engine: Any, fake: FakeVLLMServer, stream: bool
) -> None:
    fake.script(Reply.text(""), Reply.text("   "), Reply.text("never asked for"))
    service = service_on(settings, fake, llm_stream=stream)
    session = alice(service)

    turn = service.send(session, "I want to return the headphones from order #W1000001")

    assert turn.mode == "guided" and turn.reply.strip()
    assert turn.pending is not None and turn.pending.tool == "create_return", "guided mode finished the job"
    assert len(fake.chat_requests) == 2, "guided mode keeps the rest of the turn"


# --- HTML entities -----------------------------------------------------------------------------
@pytest.mark.parametrize("stream", [False, True], ids=["json", "streamed"])
def test_html_entities_are_decoded_once_before_the_customer_sees_them(
    settings: Settings, engine: Any, fake: FakeVLLMServer, stream: bool
) -> None:
    fake.script(Reply.text("Tom &amp; Jerry&#39;s order: write &amp;lt;b&amp;gt; for bold."))
    service = service_on(settings, fake, llm_stream=stream)

    events = list(service.stream(alice(service), "Hello"))

    shown = "".join(e.text for e in events if isinstance(e, Token))
    [done] = [e for e in events if isinstance(e, TurnDone)]
    assert done.result.reply == "Tom & Jerry's order: write &lt;b&gt; for bold."
    assert shown == done.result.reply, "the streamed tokens say the same"
