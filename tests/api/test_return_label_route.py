"""GET /v1/sessions/{id}/returns/{rma}/label.png: the label link a customer clicks, served by the web app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from core.settings import Settings
from tests.api.conftest import RETURN_HEADPHONES
from tests.conftest import sign_in
from tests.logistics.server import running_carrier
from service.conversation import ConversationService
from ui.server import create_app


@pytest.fixture
def carrier_settings(settings: Settings, engine: Engine) -> Iterator[Settings]:  # noqa: ARG001 (seeded first)
    with running_carrier(settings.resolved_database_url) as url:
        yield settings.model_copy(update={"carrier_url": url})


@pytest.fixture
def labelled(carrier_settings: Settings) -> Iterator[tuple[TestClient, str, str]]:
    """A client, Alice's session and the RMA of the return she just confirmed (with its label)."""
    with TestClient(create_app(carrier_settings, ConversationService(carrier_settings))) as client:
        session_id = sign_in(client)
        card = client.post(f"/v1/sessions/{session_id}/messages", json={"text": RETURN_HEADPHONES}).json()
        done = client.post(f"/v1/sessions/{session_id}/confirm", json={"action_id": card["pending"]["action_id"]})
        [rma] = [t["result"]["rma"] for t in done.json()["tool_trace"] if t["tool"] == "create_return"]
        yield client, session_id, rma


def label_path(session_id: str, rma: str) -> str:
    return f"/v1/sessions/{session_id}/returns/{rma}/label.png"


def test_the_customer_opens_the_link_in_the_reply_and_gets_the_label(labelled: tuple[TestClient, str, str],
                                                                     settings: Settings) -> None:
    client, session_id, rma = labelled
    history = client.get(f"/v1/sessions/{session_id}/messages").json()
    link = f"{settings.public_url}{label_path(session_id, rma)}"
    assert link in history[-1]["content"]
    png = client.get(label_path(session_id, rma.lower()))
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG") and "no-store" in png.headers["cache-control"]


def test_unknown_returns_and_sessions_are_not_found_with_the_api_error_shape(
        labelled: tuple[TestClient, str, str]) -> None:
    client, session_id, _ = labelled
    unknown_rma = client.get(label_path(session_id, "RMA-00000000"))
    unknown_session = client.get(label_path("f" * 32, "RMA-00000000"))
    assert unknown_rma.status_code == 404 and unknown_rma.json()["error"]["code"] == "return_not_found"
    assert unknown_session.status_code == 404 and unknown_session.json()["error"]["code"] == "session_not_found"


def test_a_cancelled_returns_label_is_gone(labelled: tuple[TestClient, str, str]) -> None:
    client, session_id, rma = labelled
    card = client.post(f"/v1/sessions/{session_id}/messages", json={"text": f"Cancel my return {rma}"}).json()
    done = client.post(f"/v1/sessions/{session_id}/confirm", json={"action_id": card["pending"]["action_id"]}).json()
    assert "is cancelled" in done["reply"] and "don't use" in done["reply"]
    gone = client.get(label_path(session_id, rma))
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "label_voided"
    status = client.post(f"/v1/sessions/{session_id}/messages", json={"text": f"What is the status of {rma}?"}).json()
    [result] = [t["result"] for t in status["tool_trace"] if t["tool"] == "get_return_status"]
    assert result["label"]["status"] == "voided" and "label.png" not in status["reply"]


def test_the_label_route_needs_the_api_key_when_one_is_set(carrier_settings: Settings) -> None:
    keyed = carrier_settings.model_copy(update={"api_key": "k-123"})
    with TestClient(create_app(keyed, ConversationService(keyed))) as client:
        refused = client.get(label_path("f" * 32, "RMA-00000000"))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
