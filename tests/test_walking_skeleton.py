"""The walking skeleton: one return, end to end, through the API, the graph, the tools and the DB."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.settings import Settings
from mock_backends.orders.models import AuditEvent, OrderItem, ReturnItem, ReturnRequest
from service.conversation import ConversationService
from tests.conftest import sign_in


def returns_in(engine) -> list[ReturnRequest]:
    with Session(engine) as db:
        return list(db.exec(select(ReturnRequest)).all())


def test_customer_completes_a_return_through_the_api_in_guided_mode(client: TestClient, engine) -> None:
    session_id = sign_in(client)
    turn = client.post(
        f"/v1/sessions/{session_id}/messages", json={"text": "I want to return the headphones from order #W1000001"}
    ).json()

    assert turn["mode"] == "guided"
    assert [t["tool"] for t in turn["tool_trace"]] == ["lookup_order", "check_return_eligibility"]
    pending = turn["pending"]
    assert pending["tool"] == "create_return"
    assert pending["title"] == "Return Wireless Headphones × 1 from order #W1000001"
    assert [(a["label"], a["cents"]) for a in pending["amounts"]] == [
        ("Wireless Headphones × 1", 8999),
        ("Refund", 8999),
    ]
    assert returns_in(engine) == [], "nothing may be written before the customer confirms"

    done = client.post(f"/v1/sessions/{session_id}/confirm", json={"action_id": pending["action_id"]}).json()

    [ret] = returns_in(engine)
    assert ret.rma in done["reply"]
    assert [(t["tool"], t["result"]["rma"]) for t in done["tool_trace"]] == [("create_return", ret.rma)]
    assert done["pending"] is None
    assert (ret.order_id, ret.status, ret.refund_amount_cents, ret.refund_method) == (
        "#W1000001",
        "requested",
        8999,
        "original_payment",
    )
    with Session(engine) as db:
        items = db.exec(select(ReturnItem).where(ReturnItem.return_id == ret.id)).all()
        line = db.get(OrderItem, items[0].order_item_id)
        audit = db.exec(select(AuditEvent).where(AuditEvent.tool == "create_return")).all()
    assert [(i.quantity) for i in items] == [1]
    assert line is not None and line.quantity_returned == 1
    assert [(a.actor, a.outcome) for a in audit] == [("alice_chen_1001", "ok")]


def test_conversation_resumes_from_the_checkpoint_in_a_new_app_instance(
    client: TestClient, settings: Settings, engine
) -> None:
    from ui.server import create_app

    session_id = sign_in(client)
    turn = client.post(
        f"/v1/sessions/{session_id}/messages", json={"text": "please return order #W1000001 headphones"}
    ).json()
    action_id = turn["pending"]["action_id"]

    # A new process would build everything again from the same files.
    with TestClient(create_app(settings, ConversationService(settings))) as restarted:
        assert restarted.get(f"/v1/sessions/{session_id}/pending").json()["pending"]["action_id"] == action_id
        history = restarted.get(f"/v1/sessions/{session_id}/messages").json()
        assert history[0] == {
            "role": "user",
            "content": "please return order #W1000001 headphones",
            "mode": None,
            "author": None,
        }
        done = restarted.post(f"/v1/sessions/{session_id}/confirm", json={"action_id": action_id}).json()

    [ret] = returns_in(engine)
    assert ret.rma in done["reply"]


def test_ineligible_items_are_refused_even_when_confirmation_is_sent(client: TestClient, engine) -> None:
    session_id = sign_in(client)
    for text in (
        "return the running shoes from order #W1000002",  # 30-day window expired
        "return the sunglasses from order #W1000003",
    ):  # final sale
        turn = client.post(f"/v1/sessions/{session_id}/messages", json={"text": text}).json()
        assert turn["pending"] is None
        assert "Not returnable" in turn["reply"]
        forced = client.post(f"/v1/sessions/{session_id}/confirm", json={})
        assert forced.status_code == 409
        assert forced.json()["error"]["code"] == "nothing_to_confirm"
    assert returns_in(engine) == []


def test_declining_the_confirmation_changes_nothing(client: TestClient, engine) -> None:
    session_id = sign_in(client)
    turn = client.post(
        f"/v1/sessions/{session_id}/messages", json={"text": "return the headphones from #W1000001"}
    ).json()
    assert turn["pending"] is not None
    cancelled = client.post(f"/v1/sessions/{session_id}/cancel", json={}).json()
    assert "nothing was changed" in cancelled["reply"]
    assert returns_in(engine) == []


def test_sign_in_with_wrong_order_number_is_refused(client: TestClient) -> None:
    response = client.post("/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000011"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "sign_in_failed"


def test_unknown_session_is_a_clear_404(client: TestClient) -> None:
    response = client.post("/v1/sessions/nope/messages", json={"text": "hello"})
    assert response.status_code == 404
    assert "sign in again" in response.json()["error"]["message"]
