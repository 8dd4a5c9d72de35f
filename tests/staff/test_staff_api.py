"""The staff API on both databases: sign-in, the queue, claim / reply / hand back / resolve, and every refusal."""

from __future__ import annotations

import threading
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from mock_backends.orders.models import AuditEvent
from tests.staff.conftest import PASSWORD, customer_asks_for_a_person, only_ticket, staff_client


def error_code(answer) -> str:
    return answer.json()["error"]["code"]


def test_sign_in_sets_a_strict_http_only_cookie(app_client: Callable[[], TestClient]) -> None:
    client = app_client()
    answer = client.post("/v1/staff/login", json={"email": "Bob@Shop.example", "password": PASSWORD})
    assert answer.status_code == 200
    assert answer.json() == {"id": 1, "email": "bob@shop.example", "display_name": "Bob Li", "role": "agent"}
    cookie = answer.headers["set-cookie"]
    assert "returndesk_staff=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # the public URL is http here
    assert client.get("/v1/staff/me").json()["display_name"] == "Bob Li"


def test_a_wrong_password_is_refused_and_repeated_guesses_are_throttled(app_client: Callable[[], TestClient]) -> None:
    client = app_client()
    for _ in range(5):  # RETURNDESK_SIGN_IN_FAILURES
        answer = client.post("/v1/staff/login", json={"email": "bob@shop.example", "password": "wrong password"})
        assert answer.status_code == 401 and error_code(answer) == "staff_sign_in_failed"
    answer = client.post("/v1/staff/login", json={"email": "bob@shop.example", "password": PASSWORD})
    assert answer.status_code == 429 and "retry-after" in answer.headers
    assert client.get("/v1/staff/me").status_code == 401


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(app_client: Callable[[], TestClient]) -> None:
    answer = app_client().post("/v1/staff/login", json={"email": "nobody@shop.example", "password": PASSWORD})
    assert answer.status_code == 401 and answer.json()["error"]["message"] == "Wrong email or password."


def test_staff_routes_without_a_cookie_are_401_and_pages_redirect_to_sign_in(
    app_client: Callable[[], TestClient],
) -> None:
    client = app_client()
    for path in ("/v1/staff/me", "/v1/staff/tickets", "/v1/staff/tickets/1"):
        answer = client.get(path)
        assert answer.status_code == 401 and error_code(answer) == "staff_sign_in_required", path
    assert client.post("/v1/staff/tickets/1/claim").status_code == 401
    page = client.get("/staff", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/staff/login"
    assert client.get("/staff/login").status_code == 200


def test_a_customer_session_never_reaches_a_staff_route(app_client: Callable[[], TestClient]) -> None:
    customer = app_client()
    session_id = customer_asks_for_a_person(customer)
    for headers in ({"X-Session-Id": session_id}, {"Authorization": f"Bearer {session_id}"}):
        answer = customer.get("/v1/staff/tickets", headers=headers)
        assert answer.status_code == 403 and error_code(answer) == "staff_only"
    customer.cookies.set("returndesk_staff", session_id)  # a customer session id posing as the staff cookie
    for answer in (
        customer.get("/v1/staff/tickets"),
        customer.post("/v1/staff/tickets/1/claim"),
        customer.get("/staff", follow_redirects=False),
    ):
        assert answer.status_code == 403 and error_code(answer) == "staff_only"


def test_the_queue_shows_the_ticket_with_its_summary_language_and_customer(
    app_client: Callable[[], TestClient],
) -> None:
    customer_asks_for_a_person(app_client())
    bob = staff_client(app_client)
    ticket = only_ticket(bob)
    assert ticket["status"] == "open" and ticket["reference"] == "HD-000001"
    assert ticket["customer_name"] == "Alice Chen" and ticket["language"] == "en"
    assert ticket["reason"] == "customer_asked" and ticket["waiting_s"] >= 0
    view = bob.get(f"/v1/staff/tickets/{ticket['id']}").json()
    assert "I want to talk to a person" in view["summary"]
    assert [e["kind"] for e in view["transcript"]] == ["customer", "notice"]
    assert {o["id"] for o in view["orders"]} >= {"#W1000001"}


def test_claim_reply_hand_back_the_customer_hears_the_person_then_the_assistant(
    app_client: Callable[[], TestClient],
) -> None:
    customer = app_client()
    session_id = customer_asks_for_a_person(customer)
    bob = staff_client(app_client)
    ticket_id = only_ticket(bob)["id"]

    waiting = customer.post(f"/v1/sessions/{session_id}/messages", json={"text": "hello? is anyone there?"}).json()
    assert waiting["with_person"] == "waiting" and "number 1 in the queue" in waiting["reply"]

    assert bob.post(f"/v1/staff/tickets/{ticket_id}/claim").json()["status"] == "claimed"
    bob.post(f"/v1/staff/tickets/{ticket_id}/reply", json={"text": "Hi Alice, Bob here. What happened?"})
    held = customer.post(f"/v1/sessions/{session_id}/messages", json={"text": "My headphones crackle"}).json()
    assert held == held | {"reply": "", "with_person": "staff", "staff_name": "Bob Li", "tool_trace": []}
    history = customer.get(f"/v1/sessions/{session_id}/messages").json()
    assert {
        "role": "assistant",
        "content": "Hi Alice, Bob here. What happened?",
        "mode": "staff",
        "author": "Bob Li",
    } in history
    assert history[-1] == {"role": "user", "content": "My headphones crackle", "mode": None, "author": None}
    seen = bob.get(f"/v1/staff/tickets/{ticket_id}").json()["transcript"]
    assert seen[-1] == {"kind": "customer", "text": "My headphones crackle"}

    assert (
        bob.post(f"/v1/staff/tickets/{ticket_id}/hand-back", json={"note": "asked to return"}).json()["status"]
        == "handed_back"
    )
    back = customer.post(
        f"/v1/sessions/{session_id}/messages", json={"text": "I want to return the headphones from order #W1000001"}
    ).json()
    assert back["with_person"] is None and back["pending"]["tool"] == "create_return"
    assert bob.get("/v1/staff/tickets?queue=closed").json()[0]["status"] == "handed_back"


def test_two_staff_claim_one_ticket_at_once_and_exactly_one_wins(app_client: Callable[[], TestClient]) -> None:
    customer_asks_for_a_person(app_client())
    bob, carol = staff_client(app_client), staff_client(app_client, "carol@shop.example")
    ticket_id = only_ticket(bob)["id"]
    answers: dict[str, object] = {}
    start = threading.Barrier(2)

    def claim(name: str, client: TestClient) -> None:
        start.wait()
        answers[name] = client.post(f"/v1/staff/tickets/{ticket_id}/claim")

    threads = [threading.Thread(target=claim, args=pair) for pair in (("bob", bob), ("carol", carol))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status_code for a in answers.values())  # type: ignore[attr-defined]
    assert statuses == [200, 409]
    loser = next(a for a in answers.values() if a.status_code == 409)  # type: ignore[attr-defined]
    winner = only_ticket(bob)["staff_name"]
    assert error_code(loser) == "ticket_claimed" and f"held by {winner}" in loser.json()["error"]["message"]


def test_replies_need_the_ticket_held_and_open(app_client: Callable[[], TestClient]) -> None:
    customer_asks_for_a_person(app_client())
    bob, carol = staff_client(app_client), staff_client(app_client, "carol@shop.example")
    ticket_id = only_ticket(bob)["id"]
    not_claimed = bob.post(f"/v1/staff/tickets/{ticket_id}/reply", json={"text": "hi"})
    assert not_claimed.status_code == 409 and "claim it" in not_claimed.json()["error"]["message"]
    bob.post(f"/v1/staff/tickets/{ticket_id}/claim")
    someone_elses = carol.post(f"/v1/staff/tickets/{ticket_id}/reply", json={"text": "hi"})
    assert someone_elses.status_code == 409 and "held by Bob Li" in someone_elses.json()["error"]["message"]
    assert carol.post(f"/v1/staff/tickets/{ticket_id}/resolve", json={}).status_code == 409
    assert bob.post(f"/v1/staff/tickets/{ticket_id}/resolve", json={"note": "refund sent by hand"}).status_code == 200
    resolved = bob.post(f"/v1/staff/tickets/{ticket_id}/reply", json={"text": "one more thing"})
    assert resolved.status_code == 409 and error_code(resolved) == "ticket_closed"
    assert "resolved already" in resolved.json()["error"]["message"]
    assert bob.post(f"/v1/staff/tickets/{ticket_id}/claim").status_code == 409
    assert bob.get(f"/v1/staff/tickets/{ticket_id}").json()["closing_note"] == "refund sent by hand"


def test_empty_and_oversized_replies_are_refused_and_nothing_is_written(app_client: Callable[[], TestClient]) -> None:
    customer = app_client()
    session_id = customer_asks_for_a_person(customer)
    bob = staff_client(app_client)
    ticket_id = only_ticket(bob)["id"]
    bob.post(f"/v1/staff/tickets/{ticket_id}/claim")
    before = customer.get(f"/v1/sessions/{session_id}/messages").json()
    empty = bob.post(f"/v1/staff/tickets/{ticket_id}/reply", json={"text": "  \n "})
    assert empty.status_code == 400 and error_code(empty) == "staff_error"
    huge = bob.post(f"/v1/staff/tickets/{ticket_id}/reply", json={"text": "x" * 4001})
    assert huge.status_code == 413 and error_code(huge) == "reply_too_long"
    assert bob.post(f"/v1/staff/tickets/{ticket_id}/reply", json={}).status_code == 422
    assert bob.post("/v1/staff/tickets/999/claim").status_code == 404
    assert customer.get(f"/v1/sessions/{session_id}/messages").json() == before


def test_every_staff_action_is_audited_as_the_staff_member(app_client: Callable[[], TestClient], staff_engine) -> None:
    customer_asks_for_a_person(app_client())
    bob = staff_client(app_client)
    ticket_id = only_ticket(bob)["id"]
    bob.post(f"/v1/staff/tickets/{ticket_id}/claim")
    bob.post(f"/v1/staff/tickets/{ticket_id}/reply", json={"text": "Hello"})
    bob.post(f"/v1/staff/tickets/{ticket_id}/resolve", json={"note": "done"})
    bob.post("/v1/staff/logout")
    with Session(staff_engine) as db:
        rows = db.exec(select(AuditEvent).where(AuditEvent.actor == "staff:1").order_by(AuditEvent.id)).all()
    assert [r.tool for r in rows] == [
        "staff_account_added",
        "staff_sign_in",
        "staff_claim",
        "staff_reply",
        "staff_resolve",
        "staff_sign_out",
    ]
    assert all(r.outcome == "ok" for r in rows) and '"ticket": "HD-000001"' in rows[2].detail


def test_signing_out_ends_the_staff_session(app_client: Callable[[], TestClient]) -> None:
    bob = staff_client(app_client)
    cookie = bob.cookies.get("returndesk_staff")
    assert bob.post("/v1/staff/logout").status_code == 204
    bob.cookies.set("returndesk_staff", cookie)  # the old cookie, kept by someone
    assert bob.get("/v1/staff/me").status_code == 401
