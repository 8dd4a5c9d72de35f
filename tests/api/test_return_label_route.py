"""GET /labels/{token}.png: the signed, expiring label link a customer clicks, served by the web app."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from core.settings import Settings
from service.conversation import ConversationService
from tests.api.conftest import RETURN_HEADPHONES
from tests.conftest import sign_in
from tests.logistics.server import running_carrier
from ui.server import create_app


@pytest.fixture
def carrier_settings(settings: Settings, engine: Engine) -> Iterator[Settings]:
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


def label_link_in(client: TestClient, session_id: str) -> str:
    """The label link the assistant's last answer gave the customer (a path on the web app)."""
    reply = client.get(f"/v1/sessions/{session_id}/messages").json()[-1]["content"]
    [link] = re.findall(r"https?://\S+/labels/\S+\.png", reply)
    return link


def test_the_link_in_the_reply_opens_the_label_with_no_session_and_no_cache(
    labelled: tuple[TestClient, str, str], settings: Settings
) -> None:
    client, session_id, rma = labelled
    link = label_link_in(client, session_id)
    assert link.startswith(f"{settings.public_url}/labels/")
    assert session_id not in link, "the session id is the conversation's credential: never in a URL"
    client.cookies.clear()
    png = client.get(link.removeprefix(settings.public_url))  # no session, no cookie: the link is enough
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG") and png.headers["cache-control"] == "private, no-store"
    gone = client.get(f"/v1/sessions/{session_id}/returns/{rma}/label.png")
    assert gone.status_code == 404, "the old route with the session id in it is gone"


def test_a_tampered_or_foreign_link_is_not_found_with_the_api_error_shape(
    labelled: tuple[TestClient, str, str], settings: Settings
) -> None:
    client, session_id, _ = labelled
    path = label_link_in(client, session_id).removeprefix(settings.public_url)
    token = path.removeprefix("/labels/").removesuffix(".png")
    payload, stamp, signature = token.split(".")

    def flip_first(text: str) -> str:
        # The first base64 character carries six bits of the first byte; the last one may carry only
        # padding bits, which decode to the same bytes (this test once "tampered" with those alone).
        return ("A" if text[0] != "A" else "B") + text[1:]

    cases = {
        "signature": f"/labels/{payload}.{stamp}.{flip_first(signature)}.png",
        "payload": f"/labels/{flip_first(payload)}.{stamp}.{signature}.png",
        "garbage": "/labels/not-a-token-at-all.png",
    }
    for name, tampered in cases.items():
        response = client.get(tampered)
        assert response.status_code == 404, name
        assert response.json()["error"]["code"] == "label_not_found", name


def test_an_expired_link_is_gone_and_says_how_to_get_a_new_one(carrier_settings: Settings) -> None:
    short = carrier_settings.model_copy(update={"label_link_ttl_s": 1})
    with TestClient(create_app(short, ConversationService(short))) as client:
        session_id = sign_in(client)
        card = client.post(f"/v1/sessions/{session_id}/messages", json={"text": RETURN_HEADPHONES}).json()
        client.post(f"/v1/sessions/{session_id}/confirm", json={"action_id": card["pending"]["action_id"]})
        path = label_link_in(client, session_id).removeprefix(short.public_url)
        deadline = time.monotonic() + 10
        while (response := client.get(path)).status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.2)  # until the link's age passes its 1 s lifetime
    assert response.status_code == 410 and response.json()["error"]["code"] == "label_link_expired"
    assert "ask about your return again" in response.json()["error"]["message"]


def test_a_cancelled_returns_label_is_gone(labelled: tuple[TestClient, str, str], settings: Settings) -> None:
    client, session_id, rma = labelled
    path = label_link_in(client, session_id).removeprefix(settings.public_url)
    card = client.post(f"/v1/sessions/{session_id}/messages", json={"text": f"Cancel my return {rma}"}).json()
    done = client.post(f"/v1/sessions/{session_id}/confirm", json={"action_id": card["pending"]["action_id"]}).json()
    assert "is cancelled" in done["reply"] and "don't use" in done["reply"]
    gone = client.get(path)
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "label_voided"
    status = client.post(f"/v1/sessions/{session_id}/messages", json={"text": f"What is the status of {rma}?"}).json()
    [result] = [t["result"] for t in status["tool_trace"] if t["tool"] == "get_return_status"]
    assert result["label"]["status"] == "voided" and "/labels/" not in status["reply"]


def test_a_link_made_by_one_server_process_opens_on_another(carrier_settings: Settings) -> None:
    """Without RETURNDESK_SECRET_KEY the first start writes one into the data dir; a second process
    with that data dir reads the same key back, so either serves the other's links."""
    assert carrier_settings.secret_key is None
    with TestClient(create_app(carrier_settings, ConversationService(carrier_settings))) as first:
        session_id = sign_in(first)
        card = first.post(f"/v1/sessions/{session_id}/messages", json={"text": RETURN_HEADPHONES}).json()
        first.post(f"/v1/sessions/{session_id}/confirm", json={"action_id": card["pending"]["action_id"]})
        path = label_link_in(first, session_id).removeprefix(carrier_settings.public_url)
    key_file = carrier_settings.data_dir / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    with TestClient(create_app(carrier_settings, ConversationService(carrier_settings))) as second:
        assert second.get(path).status_code == 200
    other_key = carrier_settings.model_copy(update={"secret_key": SecretStr("another-deployment")})
    with TestClient(create_app(other_key, ConversationService(other_key))) as foreign:
        assert foreign.get(path).status_code == 404
