"""/v1/sessions: what a program talking to ReturnDesk sees, including its mistakes."""

from __future__ import annotations

import json

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from mock_backends.orders.models import Feedback, ReturnRequest
from tests.api.conftest import RETURN_HEADPHONES
from tests.conftest import sign_in


def returns_in(engine) -> list[ReturnRequest]:
    with Session(engine) as db:
        return list(db.exec(select(ReturnRequest)).all())


def test_signing_in_by_name_and_postcode_opens_a_named_session(client: TestClient) -> None:
    body = client.post("/v1/sessions", json={"name": "Alice Chen", "postcode": "94107"}).json()
    assert (body["signed_in"], body["customer_name"], body["mode"]) == (True, "Alice Chen", "guided")


def test_an_empty_body_opens_an_anonymous_session(client: TestClient) -> None:
    response = client.post("/v1/sessions", json={"language": "zh"})
    assert response.status_code == 201
    assert (response.json()["signed_in"], response.json()["language"]) == (False, "zh")


def test_half_a_credential_is_refused_with_a_clear_message(client: TestClient) -> None:
    response = client.post("/v1/sessions", json={"email": "alice@example.com"})
    assert response.status_code == 422
    assert "email and order_id, or name and postcode" in response.json()["error"]["message"]


def test_history_and_pending_card_can_be_read_back(client: TestClient) -> None:
    session_id = sign_in(client)
    turn = client.post(f"/v1/sessions/{session_id}/messages", json={"text": RETURN_HEADPHONES}).json()
    pending = client.get(f"/v1/sessions/{session_id}/pending").json()["pending"]
    history = client.get(f"/v1/sessions/{session_id}/messages").json()
    assert pending == turn["pending"]
    assert pending["amounts"][-1] == {"label": "Refund", "cents": 8999, "currency": "USD"}
    assert (history[0]["role"], history[0]["content"]) == ("user", RETURN_HEADPHONES)


def test_a_new_message_while_the_card_waits_is_refused_and_changes_nothing(client: TestClient, engine) -> None:
    session_id = sign_in(client)
    turn = client.post(f"/v1/sessions/{session_id}/messages", json={"text": RETURN_HEADPHONES}).json()
    response = client.post(f"/v1/sessions/{session_id}/messages", json={"text": "what about my lamp?"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "confirmation_pending"
    assert (
        client.get(f"/v1/sessions/{session_id}/pending").json()["pending"]["action_id"] == turn["pending"]["action_id"]
    )
    assert returns_in(engine) == []


def test_a_stale_confirmation_is_refused(client: TestClient, engine) -> None:
    session_id = sign_in(client)
    client.post(f"/v1/sessions/{session_id}/messages", json={"text": RETURN_HEADPHONES})
    response = client.post(f"/v1/sessions/{session_id}/confirm", json={"action_id": "an-old-card"})
    assert response.status_code == 409 and "out of date" in response.json()["error"]["message"]
    assert returns_in(engine) == []


def test_thumbs_up_on_an_answer_is_stored_and_can_be_changed(client: TestClient, engine) -> None:
    session_id = sign_in(client)
    client.post(f"/v1/sessions/{session_id}/messages", json={"text": "hello"})
    history = client.get(f"/v1/sessions/{session_id}/messages").json()
    answer = next(i for i, h in enumerate(history) if h["role"] == "assistant")
    first = client.post(f"/v1/sessions/{session_id}/feedback", json={"message_index": answer, "rating": "up"})
    again = client.post(
        f"/v1/sessions/{session_id}/feedback", json={"message_index": answer, "rating": "down", "comment": "too vague"}
    )
    assert first.status_code == again.status_code == 201
    with Session(engine) as db:
        rows = db.exec(select(Feedback)).all()
    assert [(r.session_id, r.message_index, r.rating, r.comment) for r in rows] == [
        (session_id, answer, "down", "too vague")
    ]


def test_feedback_on_the_customers_own_message_is_refused(client: TestClient, engine) -> None:
    session_id = sign_in(client)
    client.post(f"/v1/sessions/{session_id}/messages", json={"text": "hello"})
    for index in (0, 99):
        response = client.post(f"/v1/sessions/{session_id}/feedback", json={"message_index": index, "rating": "up"})
        assert response.status_code == 422 and response.json()["error"]["code"] == "not_an_answer"
    with Session(engine) as db:
        assert db.exec(select(Feedback)).all() == []


def test_every_session_route_answers_404_for_an_unknown_session(client: TestClient) -> None:
    calls = [
        ("post", "messages", {"text": "hi"}),
        ("post", "messages/stream", {"text": "hi"}),
        ("get", "messages", None),
        ("get", "pending", None),
        ("post", "confirm", {}),
        ("post", "cancel", {}),
        ("post", "feedback", {"message_index": 1, "rating": "up"}),
    ]
    for method, path, body in calls:
        response = client.request(method, f"/v1/sessions/no-such-session/{path}", json=body)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "session_not_found", path


def test_bad_bodies_get_a_4xx_with_a_clear_message_and_change_nothing(client: TestClient) -> None:
    session_id = sign_in(client)
    url = f"/v1/sessions/{session_id}/messages"
    headers = {"content-type": "application/json"}
    cases = {
        "malformed_json": client.post(url, content=b'{"text": "hi"', headers=headers),
        "malformed_body": client.post(url, content=b'{"text": "\xff\xfe"}', headers=headers),
        "control": client.post(url, json={"text": "hello\x01\x07"}),
        "nul": client.post(url, json={"text": "hello\x00"}),
        "too_long": client.post(url, json={"text": "a" * 4001}),
        "empty": client.post(url, json={"text": "   "}),
        "missing": client.post(url, json={}),
    }
    statuses = {name: (r.status_code, r.json()["error"]["code"]) for name, r in cases.items()}
    assert statuses == {
        "malformed_json": (400, "malformed_json"),
        "malformed_body": (400, "malformed_body"),
        "control": (422, "invalid_request"),
        "nul": (400, "invalid_text"),
        "too_long": (422, "invalid_request"),
        "empty": (422, "invalid_request"),
        "missing": (422, "invalid_request"),
    }
    assert "control characters" in cases["control"].json()["error"]["message"]
    assert "4000" in cases["too_long"].json()["error"]["message"]
    assert client.get(url).json() == []


def test_a_body_over_the_limit_is_refused_with_413(client_with) -> None:
    client = client_with(max_body_bytes=1000)
    session_id = sign_in(client)
    response = client.post(f"/v1/sessions/{session_id}/messages", json={"text": "x" * 2000})
    assert response.status_code == 413 and response.json()["error"]["code"] == "body_too_large"


def test_with_an_api_key_set_v1_needs_it_but_health_does_not(client_with) -> None:
    client = client_with(api_key="s3cret")
    credentials = {"email": "alice@example.com", "order_id": "#W1000001"}
    refused = client.post("/v1/sessions", json=credentials)
    wrong = client.post("/v1/sessions", json=credentials, headers={"Authorization": "Bearer nope"})
    bearer = client.post("/v1/sessions", json=credentials, headers={"Authorization": "Bearer s3cret"})
    header = client.post("/v1/sessions", json=credentials, headers={"X-API-Key": "s3cret"})
    assert (refused.status_code, wrong.status_code, bearer.status_code, header.status_code) == (401, 401, 201, 201)
    assert refused.json()["error"]["code"] == "unauthorized"
    assert client.get("/healthz").status_code == 200


def test_a_session_sending_too_fast_is_told_to_wait(client_with) -> None:
    client = client_with(rate_limit_per_minute=2)
    session_id, other = sign_in(client), sign_in(client)
    statuses = [
        client.post(f"/v1/sessions/{session_id}/messages", json={"text": "hello"}).status_code for _ in range(3)
    ]
    limited = client.post(f"/v1/sessions/{session_id}/messages", json={"text": "hello"})
    assert statuses == [200, 200, 429]
    assert limited.json()["error"]["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1
    assert client.post(f"/v1/sessions/{other}/messages", json={"text": "hello"}).status_code == 200


def test_the_sse_stream_shows_tools_then_the_card_then_done(live_server: str, engine) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as http:
        session_id = http.post("/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001"}).json()[
            "session_id"
        ]
        with http.stream("POST", f"/v1/sessions/{session_id}/messages/stream", json={"text": RETURN_HEADPHONES}) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            events = parse_sse(r.iter_lines())
        names = [name for name, _ in events]
        assert names == [
            "tool_started",
            "tool_finished",
            "tool_started",
            "tool_finished",
            "tool_started",
            "pending",
            "done",
        ]
        assert [data["tool"] for name, data in events if name == "tool_finished"] == [
            "lookup_order",
            "check_return_eligibility",
        ]
        done = events[-1][1]
        assert done["mode"] == "guided" and done["pending"] == events[-2][1]  # the `pending` event's card
        assert done["pending"]["amounts"][-1]["cents"] == 8999
        with http.stream("POST", f"/v1/sessions/{session_id}/messages/stream", json={"text": "yes"}) as r:
            after = parse_sse(r.iter_lines())
    tokens = "".join(data["text"] for name, data in after if name == "token")
    [ret] = returns_in(engine)
    assert ret.rma in tokens and after[-1][0] == "done" and ret.rma in after[-1][1]["reply"]


def test_the_sse_route_refuses_bad_input_before_streaming(client: TestClient) -> None:
    session_id = sign_in(client)
    response = client.post(f"/v1/sessions/{session_id}/messages/stream", json={"text": "\x1b[2J"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


def parse_sse(lines) -> list[tuple[str, dict]]:
    events, name = [], "message"
    for line in lines:
        if line.startswith("event:"):
            name = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            events.append((name, json.loads(line.removeprefix("data:").strip())))
            name = "message"
    return events


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_an_order_number_alone_is_answered_in_the_language_the_customer_last_wrote_in(client: TestClient) -> None:
    """The web page and /v1 alike: after a Chinese message, "#W1000001" (no words to tell) gets Chinese."""
    session_id = sign_in(client)  # an English-speaking customer

    def say(text: str) -> str:
        return client.post(f"/v1/sessions/{session_id}/messages", json={"text": text}).json()["reply"]

    assert not chinese(say("#W1000001"))
    assert chinese(say("我的订单 #W1000001 到哪里了？"))
    assert chinese(say("#W1000001")), "the language of the last words, not of the sign-in"
    assert not chinese(say("where is order #W1000001?"))
    assert not chinese(say("#W1000001"))
