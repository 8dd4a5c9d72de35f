"""Agent-assist mode (issue #15, 4): the assistant's replies and cards are drafts a staff member approves,
edits or rejects; the customer sees only what was let through. On both databases, through the API."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.messages import t
from core.settings import Settings
from mock_backends.orders.models import AuditEvent
from service.conversation import ConversationService
from service.staff import StaffService
from tests.conftest import sign_in
from tests.staff.conftest import PASSWORD, clients_of, staff_client

CHECKING = t("assist.checking", "en")


@pytest.fixture
def assist_settings(staff_settings: Settings) -> Settings:
    return staff_settings.model_copy(update={"assist_mode": "assist"})


@pytest.fixture
def assist_app(assist_settings: Settings, staff_engine: Engine) -> Iterator[Callable[[], TestClient]]:
    yield from clients_of(assist_settings)


def say(client: TestClient, session_id: str, text: str) -> dict:
    answer = client.post(f"/v1/sessions/{session_id}/messages", json={"text": text})
    assert answer.status_code == 200, answer.text
    return answer.json()


def only_draft(staff: TestClient) -> dict:
    [draft] = staff.get("/v1/staff/drafts").json()
    return draft


def assistant_texts(client: TestClient, session_id: str) -> list[str]:
    history = client.get(f"/v1/sessions/{session_id}/messages").json()
    history = history["messages"] if isinstance(history, dict) else history
    return [m["content"] for m in history if m["role"] == "assistant"]


def test_approved_edited_and_rejected_drafts_the_customer_sees_only_what_was_let_through(
    assist_app: Callable[[], TestClient],
) -> None:
    customer, bob = assist_app(), staff_client(assist_app)
    session = sign_in(customer)

    held = say(customer, session, "Where is my order #W1000001?")
    assert (held["reply"], held["with_person"], held["quick_replies"]) == (CHECKING, "assist", [])
    draft = only_draft(bob)
    assert draft["kind"] == "reply" and draft["text"] and draft["text"] != CHECKING
    assert draft["asked"] == "Where is my order #W1000001?"
    busy = customer.post(f"/v1/sessions/{session}/messages", json={"text": "hello?"})
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "draft_pending"
    assert draft["text"] not in assistant_texts(customer, session)

    approved = bob.post(f"/v1/staff/drafts/{draft['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert assistant_texts(customer, session)[-1] == draft["text"]

    say(customer, session, "What is your returns policy?")
    second = only_draft(bob)
    edited = bob.post(f"/v1/staff/drafts/{second['id']}/edit", json={"text": "Returns: 30 days, free label."})
    assert edited.json()["status"] == "edited" and edited.json()["edited"] is True
    assert assistant_texts(customer, session)[-1] == "Returns: 30 days, free label."
    assert second["text"] not in assistant_texts(customer, session)

    say(customer, session, "Where is my order #W1000001?")
    third = only_draft(bob)
    rejected = bob.post(f"/v1/staff/drafts/{third['id']}/reject", json={"text": "Bob here: it is on its way."})
    assert rejected.json()["status"] == "rejected"
    history = customer.get(f"/v1/sessions/{session}/messages").json()
    history = history["messages"] if isinstance(history, dict) else history
    assert history[-1]["content"] == "Bob here: it is on its way." and history[-1]["author"] == "Bob Li"
    assert assistant_texts(customer, session).count(draft["text"]) == 1  # the first, approved; not the third's

    stats = staff_client(assist_app, "carol@shop.example").get("/v1/staff/dashboard").json()["drafts"]
    assert (stats["waiting"], stats["approved"], stats["edited"], stats["rejected"]) == (0, 1, 1, 1)
    assert stats["edit_rate"] == 0.5 and stats["median_wait_s"] is not None


def test_a_card_is_a_draft_until_approved_and_a_rejected_card_is_dropped(
    assist_app: Callable[[], TestClient],
) -> None:
    customer, bob = assist_app(), staff_client(assist_app)
    session = sign_in(customer)
    held = say(customer, session, "I want to return the headphones from order #W1000001")
    assert held["pending"] is None and held["reply"] == CHECKING
    assert customer.get(f"/v1/sessions/{session}/pending").json().get("pending") is None
    draft = only_draft(bob)
    assert draft["kind"] == "card" and "Headphones" in json.dumps(draft["card"])
    refused = customer.post(f"/v1/sessions/{session}/confirm", json={})
    assert refused.status_code == 409

    bob.post(f"/v1/staff/drafts/{draft['id']}/approve").raise_for_status()
    card = customer.get(f"/v1/sessions/{session}/pending").json()["pending"]
    assert card is not None and card["tool"] == "create_return"  # the customer confirms it themselves

    customer.post(f"/v1/sessions/{session}/cancel", json={"action_id": card["action_id"]})
    only_draft(bob)  # the reply to the cancel is a draft too
    bob.post(f"/v1/staff/drafts/{only_draft(bob)['id']}/approve").raise_for_status()
    say(customer, session, "I want to return the headphones from order #W1000001")
    second = only_draft(bob)
    before = assistant_texts(customer, session)
    bob.post(f"/v1/staff/drafts/{second['id']}/reject", json={"text": "Let me check the headphones first."})
    assert customer.get(f"/v1/sessions/{session}/pending").json().get("pending") is None
    assert assistant_texts(customer, session) == [*before, "Let me check the headphones first."]


def test_a_rejected_draft_without_a_reply_goes_to_the_hand_off_queue(assist_app: Callable[[], TestClient]) -> None:
    customer, bob = assist_app(), staff_client(assist_app)
    session = sign_in(customer)
    say(customer, session, "Where is my order #W1000001?")
    bob.post(f"/v1/staff/drafts/{only_draft(bob)['id']}/reject").raise_for_status()
    [ticket] = bob.get("/v1/staff/tickets").json()
    assert ticket["reason"] == "draft_rejected" and ticket["status"] == "open"
    assert "number 1 in the queue" in assistant_texts(customer, session)[-1]


def test_two_staff_on_one_draft_one_wins_the_other_is_told(assist_settings: Settings, staff_engine: Engine) -> None:
    customer_side = ConversationService(assist_settings)
    desks = [StaffService(ConversationService(assist_settings)) for _ in range(2)]
    bob = desks[0].sign_in("bob@shop.example", PASSWORD, client="10.0.0.2").member
    carol = desks[1].sign_in("carol@shop.example", PASSWORD, client="10.0.0.3").member
    session = customer_side.sign_in(email="alice@example.com", order_id="#W1000001").session_id
    customer_side.send(session, "Where is my order #W1000001?")
    [draft] = desks[0].drafts()
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def act(desk: StaffService, member, text: str | None) -> None:
        start.wait()
        try:
            if text is None:
                desk.approve_draft(member, draft["id"])
            else:
                desk.edit_draft(member, draft["id"], text)
            outcomes.append("won")
        except Exception as error:
            outcomes.append(f"{getattr(error, 'status', '?')}:{error}")

    threads = [
        threading.Thread(target=act, args=(desks[0], bob, None)),
        threading.Thread(target=act, args=(desks[1], carol, "Carol's version.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "won" and sorted(outcomes)[0].startswith("409:"), outcomes
    assert "already" in sorted(outcomes)[0]
    decided = desks[0].draft(draft["id"])
    texts = [h["content"] for h in customer_side.history(session) if h["role"] == "assistant"]
    assert texts.count(draft["text"]) + texts.count("Carol's version.") == 1  # exactly the winner's
    with Session(staff_engine) as db:
        audited = db.exec(select(AuditEvent.tool, AuditEvent.outcome).where(col(AuditEvent.tool).like("staff_draft_%")))
        assert sorted(o for _, o in audited) == ["ok", "refused"]
    assert decided["status"] in ("approved", "edited")


def test_draft_routes_refuse_customers_and_bad_input(assist_app: Callable[[], TestClient]) -> None:
    customer, bob = assist_app(), staff_client(assist_app)
    session = sign_in(customer)
    say(customer, session, "Where is my order #W1000001?")
    draft_id = only_draft(bob)["id"]
    for method, path in [
        ("get", "/v1/staff/drafts"),
        ("post", f"/v1/staff/drafts/{draft_id}/approve"),
        ("post", f"/v1/staff/drafts/{draft_id}/reject"),
    ]:
        refused = getattr(customer, method)(path, headers={"X-Session-Id": session})
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["error"]["code"] == "staff_only"
    assert bob.post("/v1/staff/drafts/9999/approve").status_code == 404
    for text, status in [("", 400), ("   ", 400), ("Hi\x00there", 400), ("x" * 4001, 413)]:
        answer = bob.post(f"/v1/staff/drafts/{draft_id}/edit", json={"text": text})
        assert answer.status_code == status, (text[:10], answer.text)
    assert only_draft(bob)["status"] == "pending"  # nothing was changed by the refusals
    assert bob.post(f"/v1/staff/drafts/{draft_id}/mode", json={"mode": "front"}).status_code == 403  # leads only
    carol = staff_client(assist_app, "carol@shop.example")
    assert carol.post(f"/v1/staff/drafts/{draft_id}/mode", json={"mode": "front"}).json()["mode"] == "front"
    bob.post(f"/v1/staff/drafts/{draft_id}/approve").raise_for_status()
    again = bob.post(f"/v1/staff/drafts/{draft_id}/approve")
    assert again.status_code == 409 and "approved by Bob Li" in again.json()["error"]["message"]
    assert say(customer, session, "What is your returns policy?")["with_person"] is None  # front now


def test_exports_hold_approved_and_edited_drafts_redacted(assist_app: Callable[[], TestClient]) -> None:
    customer, bob = assist_app(), staff_client(assist_app)
    session = sign_in(customer)
    say(customer, session, "Where is my order #W1000001? Call me on +44 7700 900123")
    bob.post(f"/v1/staff/drafts/{only_draft(bob)['id']}/approve").raise_for_status()
    say(customer, session, "What is your returns policy?")
    bob.post(f"/v1/staff/drafts/{only_draft(bob)['id']}/edit", json={"text": "Thirty days, free label."})
    say(customer, session, "What is your returns policy?")
    bob.post(f"/v1/staff/drafts/{only_draft(bob)['id']}/reject", json={"text": "Bob: see the help centre."})
    lead = staff_client(assist_app, "carol@shop.example")
    lines = [json.loads(line) for line in lead.get("/v1/staff/exports/training.jsonl").text.splitlines()]
    assert len(lines) == 2
    last_turns = [example["messages"][-1] for example in lines]
    assert [m["role"] for m in last_turns] == ["assistant", "assistant"]
    assert last_turns[1]["content"] == "Thirty days, free label."
    everything = json.dumps(lines, ensure_ascii=False)
    assert "7700 900123" not in everything and CHECKING not in everything and "Bob: see" not in everything


def test_mark_feedback_reviewed_leaves_the_queue(app_client: Callable[[], TestClient]) -> None:
    customer, bob = app_client(), staff_client(app_client)
    session = sign_in(customer)
    say(customer, session, "Where is my order #W1000001?")
    history = customer.get(f"/v1/sessions/{session}/messages").json()
    history = history["messages"] if isinstance(history, dict) else history
    index = max(i for i, m in enumerate(history) if m["role"] == "assistant")
    rated = customer.post(f"/v1/sessions/{session}/feedback", json={"message_index": index, "rating": "down"})
    assert rated.status_code in (200, 201, 204), rated.text
    [row] = bob.get("/v1/staff/feedback").json()
    assert bob.post(f"/v1/staff/feedback/{row['id']}/reviewed").status_code == 204
    assert bob.get("/v1/staff/feedback").json() == []
    assert bob.post("/v1/staff/feedback/9999/reviewed").status_code == 404
    assert (
        customer.post(f"/v1/staff/feedback/{row['id']}/reviewed", headers={"X-Session-Id": session}).status_code == 403
    )


def test_the_openai_route_during_a_takeover_says_who_has_the_conversation(
    app_client: Callable[[], TestClient],
) -> None:
    customer, bob = app_client(), staff_client(app_client)

    def chat(text: str, session: str | None = None, stream: bool = False):
        headers = {"X-Session-Id": session} if session else {}
        body = {"model": "returndesk", "messages": [{"role": "user", "content": text}], "stream": stream}
        return customer.post("/v1/chat/completions", json=body, headers=headers)

    first = chat("I want to talk to a person")
    session = first.headers["x-session-id"]
    ticket = bob.get("/v1/staff/tickets").json()[0]
    bob.post(f"/v1/staff/tickets/{ticket['id']}/claim").raise_for_status()
    answer = chat("Are you there?", session)
    assert answer.json()["choices"][0]["message"]["content"] == t("assist.with_staff", "en", staff="Bob Li")
    streamed = chat("Hello again", session, stream=True)
    assert "Bob Li" in streamed.text
