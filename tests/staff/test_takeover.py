"""Live takeover across server processes: two ConversationServices on one database (both databases),
the customer on one, the staff member on the other; and the events stream a program listens to."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from langchain_core.messages import AIMessage
from sqlalchemy.engine import Engine

from core.settings import Settings
from service.conversation import ConversationService
from service.staff import StaffService
from tests.staff.conftest import PASSWORD
from ui.server import create_app


@pytest.fixture
def two_processes(staff_settings: Settings, staff_engine: Engine) -> tuple[ConversationService, StaffService]:
    """What two server processes hold: nothing shared but the database and the checkpoints."""
    return ConversationService(staff_settings), StaffService(ConversationService(staff_settings))


def test_a_person_takes_over_and_hands_back_across_two_processes(
    two_processes: tuple[ConversationService, StaffService],
) -> None:
    customer_side, staff_side = two_processes
    session = customer_side.sign_in(email="alice@example.com", order_id="#W1000001").session_id
    opened = customer_side.send(session, "I want to talk to a person")
    assert opened.with_person == "waiting" and "HD-000001" in opened.reply and "number 1 in the queue" in opened.reply

    bob = staff_side.sign_in("bob@shop.example", PASSWORD, client="10.0.0.2").member
    ticket_id = staff_side.queue("open")[0]["id"]
    staff_side.claim(bob, ticket_id)
    staff_side.reply(bob, ticket_id, "Hi Alice, Bob here.")
    assert customer_side.history(session)[-1] == {
        "role": "assistant",
        "content": "Hi Alice, Bob here.",
        "mode": "staff",
        "author": "Bob Li",
    }

    silent = customer_side.send(session, "hello? is anyone there?")
    assert (silent.reply, silent.with_person, silent.staff_name) == ("", "staff", "Bob Li")
    assert staff_side.ticket(ticket_id)["transcript"][-1] == {"kind": "customer", "text": "hello? is anyone there?"}

    staff_side.hand_back(bob, ticket_id)
    back = customer_side.send(session, "I want to return the headphones from order #W1000001")
    assert back.with_person is None and back.pending is not None and back.pending.tool == "create_return"
    messages = customer_side.graph.get_state({"configurable": {"thread_id": session}}).values["messages"]
    staff_turns = [
        m for m in messages if isinstance(m, AIMessage) and m.response_metadata.get("returndesk_staff") == "Bob Li"
    ]
    assert [m.content for m in staff_turns] == ["Hi Alice, Bob here."]  # in the assistant's history


def test_a_chinese_customer_is_told_their_place_in_the_queue_in_chinese(
    two_processes: tuple[ConversationService, StaffService],
) -> None:
    customer_side, staff_side = two_processes
    first = customer_side.sign_in(email="alice@example.com", order_id="#W1000001").session_id
    customer_side.send(first, "I want to talk to a person")
    session = customer_side.sign_in(email="wang.fang@example.cn", order_id="#W1000011").session_id
    opened = customer_side.send(session, "请帮我转人工客服。")
    assert "第 2 位" in opened.reply and opened.language == "zh"
    assert staff_side.queue("open")[1]["language"] == "zh"


@pytest.fixture
def live_url(staff_settings: Settings, staff_engine: Engine) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fast = staff_settings.model_copy(update={"staff_poll_s": 0.2})
    server = uvicorn.Server(
        uvicorn.Config(create_app(fast, ConversationService(fast)), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        thread.join(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_events_stream_brings_the_staff_reply_without_a_customer_turn(live_url: str) -> None:
    with httpx.Client(base_url=live_url, timeout=20) as customer, httpx.Client(base_url=live_url, timeout=20) as bob:
        session = customer.post("/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001"}).json()[
            "session_id"
        ]
        customer.post(f"/v1/sessions/{session}/messages", json={"text": "I want to talk to a person"})
        shown = len(customer.get(f"/v1/sessions/{session}/messages").json())
        bob.post("/v1/staff/login", json={"email": "bob@shop.example", "password": PASSWORD})
        ticket_id = bob.get("/v1/staff/tickets").json()[0]["id"]
        bob.post(f"/v1/staff/tickets/{ticket_id}/claim")
        with customer.stream("GET", f"/v1/sessions/{session}/events", params={"after": shown}) as events:
            bob.post(f"/v1/staff/tickets/{ticket_id}/reply", json={"text": "Bob here: how can I help?"})
            got = []
            for line in events.iter_lines():
                if line.startswith("data:"):
                    got.append(json.loads(line.removeprefix("data:")))
                    if got[-1].get("mode") == "staff":
                        break
        assert got[0] == {
            "index": shown,
            "role": "assistant",
            "content": "Bob Li has joined the conversation.",
            "mode": "guided",
            "author": None,
        }
        assert got[-1] == {
            "index": shown + 1,
            "role": "assistant",
            "content": "Bob here: how can I help?",
            "mode": "staff",
            "author": "Bob Li",
        }
        assert customer.get("/v1/sessions/nope/events").status_code == 404


def test_start_over_before_anyone_claims_takes_the_customer_back_to_the_assistant(
    two_processes: tuple[ConversationService, StaffService],
) -> None:
    customer_side, staff_side = two_processes
    session = customer_side.sign_in(email="alice@example.com", order_id="#W1000001").session_id
    customer_side.send(session, "I want to talk to a person")
    back = customer_side.send(session, "Start over")
    assert back.with_person is None and back.quick_replies  # the assistant's menu
    assert staff_side.queue("active") == [] and staff_side.queue("closed")[0]["status"] == "withdrawn"


def test_start_over_while_a_person_has_it_goes_to_that_person(
    two_processes: tuple[ConversationService, StaffService],
) -> None:
    customer_side, staff_side = two_processes
    session = customer_side.sign_in(email="alice@example.com", order_id="#W1000001").session_id
    customer_side.send(session, "I want to talk to a person")
    bob = staff_side.sign_in("bob@shop.example", PASSWORD, client=None).member
    staff_side.claim(bob, staff_side.queue("open")[0]["id"])
    held = customer_side.send(session, "Start over")
    assert (held.with_person, held.reply) == ("staff", "")
