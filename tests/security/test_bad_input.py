"""Bad input gets a clear, specific 4xx and changes nothing: never a 5xx, never a lost conversation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from mock_backends.orders.models import Order
from tests.conftest import sign_in
from tests.security.conftest import returns_in

JSON = {"content-type": "application/json"}


@pytest.fixture
def api(settings, engine):
    """The real app, with server errors returned as 500s (not raised) so a test sees what a client sees."""
    from service.conversation import ConversationService
    from ui.server import create_app

    with TestClient(create_app(settings, ConversationService(settings)), raise_server_exceptions=False) as client:
        yield client


def assert_clear_4xx(response, status: int | None = None) -> dict:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    if status is not None:
        assert response.status_code == status, response.text[:300]
    error = response.json()["error"]
    assert error["code"] and error["message"], error
    assert "Traceback" not in response.text
    return error


@pytest.mark.parametrize(
    "body, what",
    [
        ('{"text": "' + "a" * 1_000_000 + '"}', "1 MB message"),
        ('{"text": "\\u0000\\u0007\\u001b"}', "only control characters"),
        ('{"text": "   "}', "only spaces"),
        ('{"text": ', "malformed JSON"),
        ('["text", "hello"]', "a list instead of an object"),
        ('{"text": 42}', "a number instead of text"),
        ("{}", "no text"),
    ],
)
def test_bad_message_bodies_get_a_clear_4xx(api: TestClient, body: str, what: str) -> None:
    session_id = sign_in(api)
    assert_clear_4xx(api.post(f"/v1/sessions/{session_id}/messages", content=body, headers=JSON))
    assert api.get(f"/v1/sessions/{session_id}/messages").json() == [], f"{what} must not enter the conversation"


INVALID_UTF8 = b'{"text": "\xff\xfe return", "email": "\xc3\x28@x.com", "order_id": "#W1000001"}'


def test_invalid_utf8_is_refused_with_a_400_and_changes_nothing(api: TestClient) -> None:
    session_id = sign_in(api)
    for path in (f"/v1/sessions/{session_id}/messages", "/v1/sessions"):
        response = api.post(path, content=INVALID_UTF8, headers=JSON)
        assert response.status_code == 400 and "Traceback" not in response.text
    assert api.get(f"/v1/sessions/{session_id}/messages").json() == []


def test_invalid_utf8_error_uses_the_api_error_schema(api: TestClient) -> None:
    session_id = sign_in(api)
    assert_clear_4xx(api.post(f"/v1/sessions/{session_id}/messages", content=INVALID_UTF8, headers=JSON), 400)


def test_control_characters_inside_a_message_are_a_clear_4xx_that_changes_nothing(api: TestClient) -> None:
    session_id = sign_in(api)
    turn = api.post(
        f"/v1/sessions/{session_id}/messages", json={"text": "return the head\x01phones from #W1000001\x1b[31m"}
    )  # NUL: invalid_text
    assert turn.status_code == 422
    assert "control character" in turn.json()["error"]["message"]
    assert api.get(f"/v1/sessions/{session_id}/messages").json() == [], "the conversation is unchanged"


@pytest.mark.parametrize(
    "text",
    [
        "'; DROP TABLE orders; --",
        "#W1000001' OR '1'='1",
        "return order #W1000001; DELETE FROM returnrequest",
    ],
)
def test_sql_looking_messages_are_just_text(api: TestClient, engine, text: str) -> None:
    session_id = sign_in(api)
    with Session(engine) as db:
        orders = db.exec(select(func.count()).select_from(Order)).one()
    assert api.post(f"/v1/sessions/{session_id}/messages", json={"text": text}).status_code == 200
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(Order)).one() == orders > 0
    assert returns_in(engine) == []


@pytest.mark.parametrize(
    "body",
    [
        {"email": "alice@example.com' OR '1'='1", "order_id": "#W1000001"},
        {"email": "alice@example.com", "order_id": "' OR 1=1 --"},
        {"name": "x' OR 'a'='a", "postcode": "1' OR '1'='1"},
    ],
)
def test_sql_looking_sign_in_is_refused(api: TestClient, body: dict) -> None:
    assert_clear_4xx(api.post("/v1/sessions", json=body), 401)


# A NUL ("%00") is refused before any lookup, with 400 invalid_text: tests/security/test_invalid_text.py.
@pytest.mark.parametrize("session_id", ["nope", "' OR 1=1 --", "0" * 32, "x" * 300, "..%2F..%2Fetc"])
@pytest.mark.parametrize(
    "method, route",
    [
        ("POST", "messages"),
        ("GET", "messages"),
        ("GET", "pending"),
        ("POST", "confirm"),
        ("POST", "cancel"),
    ],
)
def test_unknown_session_ids_get_404_on_every_route(api: TestClient, session_id: str, method: str, route: str) -> None:
    body = {"text": "hello"} if route == "messages" else {}
    response = api.request(method, f"/v1/sessions/{session_id}/{route}", json=body if method == "POST" else None)
    assert response.status_code == 404, response.text[:200]
    error = response.json()["error"]  # every /v1 answer has the error shape, even where no route matched
    # "..%2F..%2Fetc" decodes to a path no route has: not_found; every other id is an unknown session.
    assert (error["code"], "sign in again" in error["message"]) in {("session_not_found", True), ("not_found", False)}


def test_a_stale_action_id_is_refused_and_the_pending_card_survives(api: TestClient, engine) -> None:
    session_id = sign_in(api)
    turn = api.post(f"/v1/sessions/{session_id}/messages", json={"text": "return the headphones from #W1000001"})
    action_id = turn.json()["pending"]["action_id"]
    assert_clear_4xx(api.post(f"/v1/sessions/{session_id}/confirm", json={"action_id": "forged"}), 409)
    assert returns_in(engine) == []
    assert api.get(f"/v1/sessions/{session_id}/pending").json()["pending"]["action_id"] == action_id
