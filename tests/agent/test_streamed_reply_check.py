"""Streamed replies show only text the output check lets through (agent/held_reply.py).

ConversationService.stream -> graph -> ChatOpenAI -> a FAKE vLLM server, streamed and not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, ToolMessage

from agent.held_reply import HeldReply
from core.settings import Settings
from service.conversation import ConversationService
from service.streaming import Token, TurnDone
from tests.fakes.vllm_server import FakeVLLMServer, Reply


@pytest.fixture
def fake() -> Iterator[FakeVLLMServer]:
    with FakeVLLMServer() as server:
        yield server


def streamed_turn(settings: Settings, fake: FakeVLLMServer, text: str, stream: bool) -> tuple[list[str], str]:
    service = ConversationService(
        settings.model_copy(
            update={"llm_base_url": fake.base_url, "llm_timeout_s": 5.0, "llm_max_retries": 0, "llm_stream": stream}
        )
    )
    session = service.sign_in(email="alice@example.com", order_id="#W1000001").session_id
    events = list(service.stream(session, text))
    [done] = [e for e in events if isinstance(e, TurnDone)]
    return [e.text for e in events if isinstance(e, Token)], done.result.reply


@pytest.mark.parametrize("stream", [False, True], ids=["json", "streamed"])
@pytest.mark.parametrize(
    "invented",
    ["Your return RMA-DEADBEEF is created.", "I've refunded you $20.00 already.", "Order #W7654321 has shipped."],
)
def test_invented_facts_are_never_streamed_to_the_customer(
    settings: Settings, engine: Any, fake: FakeVLLMServer, stream: bool, invented: str
) -> None:
    fake.script(Reply.text(f"Thanks for waiting. {invented} Anything else?"), Reply.text("Let me look that up."))

    tokens, reply = streamed_turn(settings, fake, "Did my return go through?", stream)

    assert invented not in "".join(tokens)
    assert reply == "Let me look that up."
    assert "".join(tokens).endswith("Let me look that up.")


def test_a_checked_reply_still_streams_sentence_by_sentence(
    settings: Settings, engine: Any, fake: FakeVLLMServer
) -> None:
    fake.script(Reply.text("Happy to help. Which order is it about? I can also track a parcel."))

    tokens, reply = streamed_turn(settings, fake, "Hello", stream=True)

    assert "".join(tokens) == reply == "Happy to help. Which order is it about? I can also track a parcel."
    assert tokens[0] == "Happy to help.", "the first sentence is shown before the reply is finished"


def test_held_text_cites_tool_results_and_the_customer() -> None:
    held = HeldReply([HumanMessage("where is #W1000001?")])
    held.saw(ToolMessage('{"rma": "RMA-1A2B3C4D", "refund_amount": "89.99"}', tool_call_id="c", name="create_return"))

    shown = held.feed("Order #W1000001: return RMA-1A2B3C4D refunds $89.99. ") + held.feed("Your return has been")

    assert shown == "Order #W1000001: return RMA-1A2B3C4D refunds $89.99."
    assert held.feed(" created. Bye") == " Your return has been created."
    assert held.approved() == " Bye"
