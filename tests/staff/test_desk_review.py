"""The lead's dashboard and the feedback queue: what they count and who may see them."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.staff.conftest import customer_asks_for_a_person, only_ticket, staff_client


def test_the_lead_sees_the_desk_in_figures_and_an_agent_is_refused(app_client: Callable[[], TestClient]) -> None:
    customer = app_client()
    customer_asks_for_a_person(customer)
    customer.post("/v1/sessions", json={"email": "bob@example.com", "order_id": "#W1000021"})  # contained
    bob, carol = staff_client(app_client), staff_client(app_client, "carol@shop.example")
    ticket_id = only_ticket(bob)["id"]
    bob.post(f"/v1/staff/tickets/{ticket_id}/claim")
    bob.post(f"/v1/staff/tickets/{ticket_id}/reply", json={"text": "Bob here."})

    refused = bob.get("/v1/staff/dashboard")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "lead_only"
    stats = carol.get("/v1/staff/dashboard").json()
    assert stats["conversations"] == 2 and stats["handoff_rate"] == 0.5 and stats["containment_rate"] == 0.5
    assert stats["handoff_reasons"] == [["customer_asked", 1]]
    assert stats["conversations_per_day"][-1]["count"] == 2 and len(stats["conversations_per_day"]) == 14
    assert stats["median_first_response_s"] is not None and stats["median_first_response_s"] >= 0
    page = carol.get("/staff/dashboard")
    assert page.status_code == 200 and "Containment" in page.text and "<svg" in page.text
    assert bob.get("/staff/dashboard").status_code == 403


def test_a_thumbs_down_with_its_comment_reaches_the_feedback_queue(app_client: Callable[[], TestClient]) -> None:
    customer = app_client()
    session_id = customer.post("/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001"}).json()[
        "session_id"
    ]
    customer.post(f"/v1/sessions/{session_id}/messages", json={"text": "where is my parcel for #W1000004"})
    answer_index = len(customer.get(f"/v1/sessions/{session_id}/messages").json()) - 1
    customer.post(
        f"/v1/sessions/{session_id}/feedback",
        json={"message_index": answer_index, "rating": "down", "comment": "too vague"},
    )
    customer.delete(f"/v1/sessions/{session_id}")  # signed out: the review reads the checkpoint all the same

    rows = staff_client(app_client).get("/v1/staff/feedback").json()
    assert len(rows) == 1
    assert rows[0]["comment"] == "too vague" and rows[0]["asked"] == "where is my parcel for #W1000004"
    assert rows[0]["answer"] and rows[0]["message_index"] == answer_index
    assert "too vague" in staff_client(app_client).get("/staff/feedback").text


def rate_last_answer(client: TestClient, session_id: str, rating: str) -> None:
    index = len(client.get(f"/v1/sessions/{session_id}/messages").json()) - 1
    answer = client.post(f"/v1/sessions/{session_id}/feedback", json={"message_index": index, "rating": rating})
    assert answer.status_code == 201, answer.text


def test_thumbs_up_answers_export_as_redacted_chat_with_tools_examples(app_client: Callable[[], TestClient]) -> None:
    import json

    customer = app_client()
    session_id = customer.post("/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001"}).json()[
        "session_id"
    ]
    customer.post(
        f"/v1/sessions/{session_id}/messages", json={"text": "How long do refunds take? Call me on 415-555-0101"}
    )
    rate_last_answer(customer, session_id, "up")
    helped = customer_asks_for_a_person(app_client())  # a person writes in this one: left out
    bob, carol = staff_client(app_client), staff_client(app_client, "carol@shop.example")
    ticket_id = only_ticket(bob)["id"]
    bob.post(f"/v1/staff/tickets/{ticket_id}/claim")
    bob.post(f"/v1/staff/tickets/{ticket_id}/reply", json={"text": "Bob here."})
    rate_last_answer(customer, helped, "up")

    assert bob.get("/v1/staff/exports/training.jsonl").status_code == 403
    answer = carol.get("/v1/staff/exports/training.jsonl")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/jsonl")
    [line] = answer.text.splitlines()
    example = json.loads(line)
    roles = [m["role"] for m in example["messages"]]
    assert roles[0] == "user" and roles[-1] == "assistant" and "tool" in roles
    assert any(m.get("tool_calls") for m in example["messages"] if m["role"] == "assistant")
    assert {t["function"]["name"] for t in example["tools"]} >= {"search_help_centre", "create_return"}
    assert "415-555-0101" not in line and "[phone]" in line


def test_the_gap_report_lists_a_help_centre_answer_rated_down(app_client: Callable[[], TestClient]) -> None:
    customer = app_client()
    session_id = customer.post("/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001"}).json()[
        "session_id"
    ]
    customer.post(f"/v1/sessions/{session_id}/messages", json={"text": "Do you price match competitors?"})
    rate_last_answer(customer, session_id, "down")
    carol = staff_client(app_client, "carol@shop.example")
    gaps = carol.get("/v1/staff/exports/help-centre-gaps").json()
    assert gaps == [
        {"query": "do you price match competitors?", "language": "en", "count": 1, "why": {"thumbs_down": 1}}
    ]
    assert "do you price match competitors?" in carol.get("/staff/dashboard").text
