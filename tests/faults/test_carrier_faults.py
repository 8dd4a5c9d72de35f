"""The carrier service fails during a conversation (its own fault injection, FaultConfig), seen through the API.

The carrier runs as the real service on a loopback port, wrapped in a request counter so the tests
can see how many times ReturnDesk knocked. Budgets are small so the suite stays fast.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.settings import Settings
from mock_backends.logistics.faults import FaultConfig
from mock_backends.orders.models import ReturnRequest
from service.conversation import ConversationService
from tests.conftest import sign_in
from tests.faults.conftest import counted_carrier
from ui.server import create_app

BUDGET_S, ATTEMPT_S, ATTEMPTS = 1.0, 0.3, 3
RETURN_HEADPHONES = "I want to return the headphones from order #W1000001"


@pytest.fixture(params=["errors", "hangs"])
def carrier_down(request: pytest.FixtureRequest, settings: Settings, engine: Any) -> Iterator[tuple[str, Counter[str]]]:
    """A carrier answering every request 503, or holding every request past our attempt timeout."""
    faults = FaultConfig(error_rate=1.0) if request.param == "errors" else FaultConfig(timeout_rate=1.0, hang_s=3)
    with counted_carrier(settings.resolved_database_url, faults) as carrier:
        yield carrier


@pytest.fixture
def api(settings: Settings, carrier_down: tuple[str, Counter[str]]) -> Iterator[TestClient]:
    custom = settings.model_copy(
        update={
            "carrier_url": carrier_down[0],
            "carrier_timeout_s": BUDGET_S,
            "carrier_attempt_timeout_s": ATTEMPT_S,
            "carrier_max_attempts": ATTEMPTS,
        }
    )
    with TestClient(create_app(custom, ConversationService(custom))) as client:
        yield client


def test_tracking_during_an_outage_answers_clearly_within_the_budget_with_bounded_retries(
    api: TestClient, carrier_down: tuple[str, Counter[str]]
) -> None:
    _, requests = carrier_down
    session_id = sign_in(api)

    started = time.monotonic()
    turn = api.post(f"/v1/sessions/{session_id}/messages", json={"text": "Where is my order #W1000004?"})
    elapsed = time.monotonic() - started
    follow_up = api.post(f"/v1/sessions/{session_id}/messages", json={"text": "hello"})

    assert turn.status_code == 200, turn.text
    body = turn.json()
    [call] = body["tool_trace"]
    assert (call["tool"], call["result"]["code"]) == ("track_shipment", "carrier_unavailable")
    assert "carrier" in body["reply"].lower() and "try again" in body["reply"].lower(), body["reply"]
    assert 2 <= requests["tracking"] <= ATTEMPTS, f"retried, and bounded: {requests}"
    assert elapsed < BUDGET_S + 2.0, "one carrier budget plus the turn itself (generous: shared machine)"
    assert follow_up.status_code == 200, "the conversation goes on"


def test_a_return_confirmed_while_the_carrier_is_down_is_created_once_and_its_label_will_follow(
    api: TestClient, carrier_down: tuple[str, Counter[str]], engine: Any
) -> None:
    _, requests = carrier_down
    session_id = sign_in(api)
    card = api.post(f"/v1/sessions/{session_id}/messages", json={"text": RETURN_HEADPHONES}).json()
    action_id = card["pending"]["action_id"]

    done = api.post(f"/v1/sessions/{session_id}/confirm", json={"action_id": action_id})
    again = api.post(f"/v1/sessions/{session_id}/confirm", json={"action_id": action_id})

    assert done.status_code == 200 and again.status_code == 409
    with Session(engine) as db:
        [ret] = db.exec(select(ReturnRequest)).all()
    assert ret.rma in done.json()["reply"] and ret.label_ref is None
    assert "label will follow" in done.json()["reply"]
    assert 2 <= requests["labels"] <= ATTEMPTS, f"retried, and bounded: {requests}"
