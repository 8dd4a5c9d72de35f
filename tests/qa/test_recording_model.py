"""Recording on the MODEL path: a session against the FAKE vLLM server replays with the server stopped.

The fake stands in for Qwen3 on vLLM (the GPU edge only): it reads the tool results in each request
and proposes the next call, like a model following the prompt. Everything else is real.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from core.settings import Settings
from mock_backends.logistics.background import running_carrier
from qa.replay import replay_file, rerecord_file
from qa.session_recording import SessionRecorder
from qa.spec import load_spec
from service.conversation import ConversationService
from tests.fakes.vllm_server import FakeVLLMServer, Reply

RETURN_TEXT = "I want to return the headphones from order #W1000001"
PHONE, CARD = "415-555-0188", "4111 1111 1111 1111"
PII_TEXT = f"Before that: call me on {PHONE}, and refund to my card {CARD} please"


class ScriptedReturnsModel:
    """What the FAKE vLLM server answers: lookup, eligibility, create_return, then `done` with the RMA.
    A message without an order number gets a reply that repeats the phone number it contains."""

    def __init__(self, done: str = "All set: your return {rma} refunds {amount}.") -> None:
        self.done = done

    def __call__(self, body: dict[str, Any]) -> Reply:
        messages = body["messages"]
        last = messages[-1]
        if last["role"] == "user":
            order = re.search(r"#W\d{7}", last["content"])
            if not order:
                phone = re.search(r"[\d-]{12}|\[phone\]", last["content"])
                return Reply.text(f"Noted, I will call {phone.group(0) if phone else 'you'}. Which order is it?")
            return Reply.tool_call("lookup_order", {"order_id": order.group(0)})
        data = json.loads(last["content"])
        name = next(
            c["function"]["name"]
            for m in messages
            for c in m.get("tool_calls") or []
            if c["id"] == last["tool_call_id"]
        )
        if name == "lookup_order":
            items = [
                {"order_item_id": i["order_item_id"], "quantity": 1}
                for i in data["order"]["items"]
                if "headphones" in i["product"].lower()
            ]
            return Reply.tool_call("check_return_eligibility", {"order_id": data["order"]["order_id"], "items": items})
        if name == "check_return_eligibility":
            eligible = [
                {"order_item_id": i["order_item_id"], "quantity": i["quantity"]} for i in data["items"] if i["eligible"]
            ]
            return Reply.tool_call(
                "create_return",
                {
                    "order_id": data["order_id"],
                    "items": eligible,
                    "refund_method": "original_payment",
                    "reason": "changed my mind",
                },
            )
        return Reply.text(self.done.format(rma=data["rma"], amount=data["refund_amount"]))


@pytest.fixture
def carrier_url(settings: Settings, engine: Engine) -> Iterator[str]:
    with running_carrier(settings.resolved_database_url) as url:
        yield url


def record_on_the_model_path(settings: Settings, carrier_url: str, root: Path, turns: list[str]) -> Path:
    """A staff member records a session against the (fake) model server, which then stops."""
    with FakeVLLMServer(responder=ScriptedReturnsModel()) as fake:
        service = ConversationService(
            settings.model_copy(
                update={
                    "llm_base_url": fake.base_url,
                    "llm_timeout_s": 5.0,
                    "llm_max_retries": 0,
                    "record_dir": root,
                    "carrier_url": carrier_url,
                }
            ),
            recorder=SessionRecorder,
        )
        session = service.sign_in(email="alice@example.com", order_id="#W1000001", record=True, staff=True).session_id
        for text in turns:
            result = service.send(session, text)
            assert result.mode == "model", result.reply
        done = service.resolve(session, approved=True)
        assert done.mode == "model" and "All set: your return RMA-" in done.reply
    [directory] = root.iterdir()
    return directory / "conversation.yaml"


def test_a_model_session_replays_offline_from_its_cassette(
    settings: Settings, carrier_url: str, tmp_path: Path
) -> None:
    path = record_on_the_model_path(settings, carrier_url, tmp_path / "recordings", [RETURN_TEXT])
    spec = load_spec(path)
    assert spec.recording is not None and spec.recording.llm_model == "Qwen/Qwen3-4B-Instruct-2507"
    assert [t.expect.mode for t in spec.turns] == ["model", "model"]
    assert spec.turns[1].expect.reply == "All set: your return RMA-######## refunds 89.99."
    cassette = (path.parent / "cassette.yaml").read_text(encoding="utf-8")
    assert cassette.count("/v1/chat/completions") == 4, "lookup, eligibility, create (proposed), final reply"
    assert "/labels" in cassette

    outcome = replay_file(path)  # the fake server is stopped: every answer comes from the cassette

    assert outcome.passed, outcome.divergences


def test_a_changed_reply_in_the_recording_diverges_at_its_turn(
    settings: Settings, carrier_url: str, tmp_path: Path
) -> None:
    path = record_on_the_model_path(settings, carrier_url, tmp_path / "recordings", [RETURN_TEXT])
    cassette = path.parent / "cassette.yaml"
    cassette.write_text(
        cassette.read_text(encoding="utf-8").replace("All set: your return", "Sorted: return"), encoding="utf-8"
    )

    outcome = replay_file(path)

    [first] = outcome.divergences
    assert (first.turn, first.turn_label, first.what) == (2, "[confirm]", "reply")
    assert "-All set: your return RMA-########" in first.diff and "+Sorted: return RMA-########" in first.diff


def test_a_changed_tool_result_diverges_where_the_model_is_asked_about_it(
    settings: Settings, carrier_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = record_on_the_model_path(settings, carrier_url, tmp_path / "recordings", [RETURN_TEXT])
    monkeypatch.setattr("mock_backends.orders.returns.explain", lambda *_args, **_kw: "Eligible, says the new policy.")

    outcome = replay_file(path)

    first = outcome.divergences[0]
    assert (first.turn, first.turn_label, first.what) == (1, RETURN_TEXT, "recorded HTTP exchange")
    assert "POST /v1/chat/completions" in first.actual and "Eligible, says the new policy." in first.actual


def test_pii_typed_by_the_customer_is_in_no_recorded_file_and_the_recording_still_replays(
    settings: Settings, carrier_url: str, tmp_path: Path
) -> None:
    path = record_on_the_model_path(settings, carrier_url, tmp_path / "recordings", [PII_TEXT, RETURN_TEXT])
    spec = load_spec(path)
    assert spec.turns[0].user == "Before that: call me on [phone], and refund to my card [card] please"
    assert spec.turns[0].expect.reply == "Noted, I will call [phone]. Which order is it?"

    for written in path.parent.iterdir():
        text = written.read_text(encoding="utf-8")
        for secret in (PHONE, CARD, CARD.replace(" ", ""), "4111111111111111"):
            assert secret not in text, f"{secret} written to {written.name}"
        assert "[phone]" in text or written.name == "db_changes.json"
    assert "EMPTY" not in (path.parent / "cassette.yaml").read_text(encoding="utf-8"), "the API key header is filtered"

    outcome = replay_file(path)

    assert outcome.passed, outcome.divergences


def test_rerecord_against_the_model_server_rewrites_cassette_and_expectations(
    settings: Settings, carrier_url: str, tmp_path: Path
) -> None:
    path = record_on_the_model_path(settings, carrier_url, tmp_path / "recordings", [RETURN_TEXT])
    before = load_spec(path)
    kept = tmp_path / "before"
    shutil.copytree(path.parent, kept)

    with FakeVLLMServer(responder=ScriptedReturnsModel(done="Done: {rma}, {amount} back to your card.")) as fake:
        fresh = rerecord_file(path, llm_base_url=fake.base_url)  # the carrier runs for the re-recording too
        assert len(fake.chat_requests) == 4

    assert fresh.turns[1].expect.reply == "Done: RMA-########, 89.99 back to your card."
    assert load_spec(path).turns[1].expect.reply == fresh.turns[1].expect.reply
    assert fresh.recording is not None and before.recording is not None
    assert fresh.recording.llm_base_url == fake.base_url != before.recording.llm_base_url
    cassette = (path.parent / "cassette.yaml").read_text(encoding="utf-8")
    assert "Done: RMA-" in cassette and "All set" not in cassette
    transcript = (path.parent / "transcript.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(transcript) == 2 and "Done: RMA-" in transcript[1]
    assert replay_file(path).passed, "the fresh recording replays with the server stopped"
    assert not replay_file(kept / "conversation.yaml").divergences, "the old copy still replays on its own cassette"
