"""The model endpoint fails mid-conversation, seen through the HTTP API (the customer's side).

The API runs with its model path pointed at a FAKE vLLM server (tests/fakes/vllm_server.py, the GPU
edge only). Each case: a turn the model answers, then a turn during which the endpoint fails, then a
turn after it recovered. The failing turn is answered in guided mode, nothing is lost from the
history, and the next turn is the model's again. (tests/agent/test_vllm_conversation.py covers a
failure inside a return flow at the service level.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from service.conversation import ConversationService
from tests.conftest import sign_in
from tests.fakes.vllm_server import FakeVLLMServer, Reply
from ui.server import create_app

MODEL_SAYS = "Model here: how can I help with your order?"
TIMEOUT_S = 1.0
TURNS = ["Hi there", "What is the status of order #W1000001?", "Thanks, one more question"]


class RestartableFake:
    """The fake on a fixed port, so it can go away (connection refused) and come back."""

    def __init__(self) -> None:
        self.server = FakeVLLMServer(responder=lambda body: Reply.text(MODEL_SAYS)).start()
        self.port = self.server.port
        self.base_url = self.server.base_url

    def go_down(self) -> None:
        self.server.stop()

    def come_back(self) -> None:
        self.server = FakeVLLMServer(responder=lambda body: Reply.text(MODEL_SAYS), port=self.port).start()

    def chat_requests(self) -> int:
        return len(self.server.chat_requests)


@pytest.fixture
def fake() -> Iterator[RestartableFake]:
    fake = RestartableFake()
    yield fake
    fake.server.stop()


@pytest.fixture
def api(settings: Settings, engine: Any, fake: RestartableFake) -> Iterator[TestClient]:
    endpoint = settings.model_copy(
        update={
            "llm_base_url": fake.base_url,
            "llm_model": "Qwen/Qwen3-4B-Instruct-2507",
            "llm_timeout_s": TIMEOUT_S,
            "llm_max_retries": 0,
        }
    )
    with TestClient(create_app(endpoint, ConversationService(endpoint))) as client:
        yield client


def script(reply: Reply) -> Callable[[RestartableFake], None]:
    return lambda fake: fake.server.script(reply)


FAULTS: dict[str, Callable[[RestartableFake], None]] = {
    "connection_refused": RestartableFake.go_down,
    "hangs_past_the_timeout": script(Reply.hang(10 * TIMEOUT_S)),
    "http_500": script(Reply.error(500)),
    "malformed_json": script(Reply.malformed_json()),
    "broken_tool_call": script(Reply.tool_call("lookup_order", '{"order_id": "#W10')),
}


def send_json(client: TestClient, session_id: str, text: str) -> dict[str, Any]:
    response = client.post(f"/v1/sessions/{session_id}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    return response.json()


def send_stream(client: TestClient, session_id: str, text: str) -> dict[str, Any]:
    """The SSE route: the `done` event carries the same body as the JSON route."""
    done: dict[str, Any] | None = None
    event = None
    with client.stream("POST", f"/v1/sessions/{session_id}/messages/stream", json={"text": text}) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
                assert event != "error", "a model failure must not end the stream with an error"
            elif line.startswith("data:") and event == "done":
                done = json.loads(line.removeprefix("data:"))
    assert done is not None, "the stream ended without its done event"
    return done


@pytest.mark.parametrize("route", [send_json, send_stream], ids=["json", "sse"])
@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
def test_model_failing_mid_conversation_is_answered_in_guided_mode_then_the_model_returns(
    api: TestClient, fake: RestartableFake, fault: str, route: Callable[..., dict[str, Any]]
) -> None:
    session_id = sign_in(api)

    first = route(api, session_id, TURNS[0])
    FAULTS[fault](fake)
    during = route(api, session_id, TURNS[1])
    if fault == "connection_refused":
        fake.come_back()
    before_recovery = fake.chat_requests()
    after = route(api, session_id, TURNS[2])

    assert (first["mode"], first["reply"]) == ("model", MODEL_SAYS)
    assert during["mode"] == "guided" and "#W1000001" in during["reply"], "guided mode answered the question"
    assert (after["mode"], after["reply"]) == ("model", MODEL_SAYS), "the next turn went back to the model"
    assert fake.chat_requests() == before_recovery + 1
    history = api.get(f"/v1/sessions/{session_id}/messages").json()
    assert [h["content"] for h in history if h["role"] == "user"] == TURNS, "no customer turn was lost"
    assert [(h["content"], h["mode"]) for h in history if h["role"] == "assistant"] == [
        (first["reply"], "model"),
        (during["reply"], "guided"),
        (after["reply"], "model"),
    ]
