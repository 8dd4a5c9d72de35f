"""Staff record a live session (API flag, setting); the directory it leaves replays offline as "same"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from core.settings import Settings
from mock_backends.logistics.background import running_carrier
from qa.replay import replay_file
from qa.session_recording import SessionRecorder
from qa.spec import load_spec
from service.conversation import ConversationService

ORDER_TEXT = "I want to return the headphones from order #W1000001"
STAFF_TOKEN = "qa-staff-token"


def recording_client(settings: Settings, **overrides: object) -> Iterator[TestClient]:
    from ui.server import create_app

    with TestClient(create_app(settings.model_copy(update=overrides))) as client:
        yield client


@pytest.fixture
def carrier_url(settings: Settings, engine: Engine) -> Iterator[str]:
    """The real carrier service on the test's database: a recording needs its label exchange."""
    with running_carrier(settings.resolved_database_url) as url:
        yield url


@pytest.fixture
def staff(settings: Settings, carrier_url: str, tmp_path: Path) -> Iterator[TestClient]:
    for client in recording_client(
        settings, record_dir=tmp_path / "recordings", carrier_url=carrier_url, staff_token=SecretStr(STAFF_TOKEN)
    ):
        client.headers["X-Staff-Token"] = STAFF_TOKEN
        yield client


def the_recording(tmp_path: Path) -> Path:
    [directory] = (tmp_path / "recordings").iterdir()
    return directory


def test_a_session_recorded_through_the_api_replays_offline_as_the_same(staff: TestClient, tmp_path: Path) -> None:
    opened = staff.post("/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001", "record": True})
    assert opened.status_code == 201 and opened.json()["recording"] is True
    session = opened.json()["session_id"]
    turn = staff.post(f"/v1/sessions/{session}/messages", json={"text": ORDER_TEXT}).json()
    assert turn["pending"]["tool"] == "create_return"
    done = staff.post(f"/v1/sessions/{session}/confirm").json()
    assert "RMA-" in done["reply"]
    assert staff.post(f"/v1/sessions/{session}/confirm").status_code == 409

    directory = the_recording(tmp_path)
    spec = load_spec(directory / "conversation.yaml")
    assert spec.customer.email == "alice@example.com" and spec.customer.order_id == "#W1000001"
    assert [t.label for t in spec.turns] == [ORDER_TEXT, "[confirm]", "[confirm]"]
    assert spec.turns[0].expect.tools == ["lookup_order", "check_return_eligibility"]
    assert spec.turns[1].expect.reply and "RMA-########" in spec.turns[1].expect.reply
    assert spec.turns[2].expect.error == "There is nothing waiting for confirmation."
    assert spec.recording is not None and spec.recording.llm_base_url is None
    assert "POST" in (directory / "cassette.yaml").read_text(encoding="utf-8")  # the label request
    changes = json.loads((directory / "db_changes.json").read_text(encoding="utf-8"))
    [created] = changes["returns"]
    assert created["rma"] in done["reply"] and created["items"] == [{"product": "Wireless Headphones", "quantity": 1}]
    assert changes["tickets"] == []
    transcript = [json.loads(line) for line in (directory / "transcript.jsonl").read_text().splitlines()]
    assert [entry["tools"][0]["tool"] for entry in transcript[:2]] == ["lookup_order", "create_return"]
    assert transcript[1]["tools"][0]["result"]["rma"] == created["rma"]

    outcome = replay_file(directory / "conversation.yaml")  # no carrier for the replay: the cassette answers

    assert outcome.passed, outcome.divergences


def test_only_sessions_asked_for_are_recorded_unless_record_all(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    some = ConversationService(settings.model_copy(update={"record_dir": tmp_path / "some"}), recorder=SessionRecorder)
    every = ConversationService(
        settings.model_copy(update={"record_dir": tmp_path / "all", "record_all": True}), recorder=SessionRecorder
    )

    assert some.sign_in(email="alice@example.com", order_id="#W1000001").recording is False
    assert every.start_anonymous().recording is True

    assert not (tmp_path / "some").exists()
    [directory] = (tmp_path / "all").iterdir()
    assert yaml.safe_load((directory / "conversation.yaml").read_text())["customer"] == {"anonymous": True}


def test_recording_is_refused_when_the_server_does_not_allow_it(client: TestClient) -> None:
    response = client.post("/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001", "record": True})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "recording_not_enabled"
    assert "RETURNDESK_RECORD_DIR" in response.json()["error"]["message"]


def test_with_an_api_key_only_staff_holding_it_can_record(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    for client in recording_client(settings, record_dir=tmp_path / "recordings", api_key="staff-secret"):
        body = {"email": "alice@example.com", "order_id": "#W1000001", "record": True}

        assert client.post("/v1/sessions", json=body).status_code == 401
        assert not (tmp_path / "recordings").exists()
        allowed = client.post("/v1/sessions", json=body, headers={"X-API-Key": "staff-secret"})
        assert allowed.status_code == 201 and allowed.json()["recording"] is True


def test_without_staff_credentials_record_true_is_refused_and_records_nothing(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    body = {"email": "alice@example.com", "order_id": "#W1000001", "record": True}
    for client in recording_client(settings, record_dir=tmp_path / "recordings", staff_token=SecretStr(STAFF_TOKEN)):
        customer = client.post("/v1/sessions", json=body)
        wrong = client.post("/v1/sessions", json=body, headers={"X-Staff-Token": "guess"})
        anonymous = client.post("/v1/sessions", json={"record": True})
        staff = client.post("/v1/sessions", json=body, headers={"X-Staff-Token": STAFF_TOKEN})
    for refused in (customer, wrong, anonymous):
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "staff_only"
    assert staff.status_code == 201 and staff.json()["recording"] is True
    assert len(list((tmp_path / "recordings").iterdir())) == 1


def test_with_no_staff_token_configured_nobody_records_through_the_api(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    for client in recording_client(settings, record_dir=tmp_path / "recordings"):
        refused = client.post("/v1/sessions", json={"record": True}, headers={"X-Staff-Token": ""})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "staff_only"
    assert not (tmp_path / "recordings").exists()


def test_the_web_page_offers_customers_no_way_to_record(settings: Settings, engine: Engine, tmp_path: Path) -> None:
    from ui.gradio_app import build_blocks

    blocks = build_blocks(ConversationService(settings.model_copy(update={"record_dir": tmp_path / "recordings"})))
    elements = [c.get("props", {}) for c in blocks.config["components"]]
    assert not [p for p in elements if p.get("elem_id") == "record-session" or "Record" in str(p.get("label"))]
