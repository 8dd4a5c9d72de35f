"""One customer can never read or change another customer's orders, through any route or tool."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from bench.scripted_model import scripted
from service.conversation import ConversationService
from tests.conftest import return_headphones, sign_in
from tests.logistics.server import running_carrier
from tests.security.conftest import audit_rows, returns_in
from ui.server import create_app

BOBS_ORDER = "#W1000021"  # delivered, returnable: only Bob may return it


@pytest.mark.parametrize(
    "text",
    [
        f"I want to return the tent from order {BOBS_ORDER}",
        f"where is my order {BOBS_ORDER}?",
        "退货 订单 #W1000011 的耳机",  # Wang Fang's order, asked in Chinese
    ],
)
def test_another_customers_order_in_a_message_is_not_found_and_audited(client: TestClient, engine, text: str) -> None:
    session_id = sign_in(client)  # Alice
    turn = client.post(f"/v1/sessions/{session_id}/messages", json={"text": text}).json()

    order_id = "#W1000011" if "W1000011" in text else BOBS_ORDER
    assert order_id in turn["reply"] and turn["pending"] is None
    assert "can't find" in turn["reply"] or "找不到" in turn["reply"] or "not found" in turn["reply"].lower()
    assert "Tent" not in turn["reply"] and "Headphones" not in turn["reply"], "nothing about the order leaks"
    refusals = [(a.actor, a.tool, a.order_id, a.outcome) for a in audit_rows(engine) if a.outcome == "refused"]
    # Which tool the agent reached for depends on the request (lookup, tracking, eligibility);
    # whichever it was, it refused Alice and the refusal is on record.
    assert any(r[0] == "alice_chen_1001" and r[2] == order_id for r in refusals), refusals


@pytest.mark.parametrize(
    "tool, args",
    [
        ("lookup_order", {"order_id": BOBS_ORDER}),
        ("lookup_order", {"order_id": BOBS_ORDER, "customer_id": "bob_miller_1003"}),  # the model cannot choose who
        ("check_return_eligibility", {"order_id": BOBS_ORDER}),
    ],
)
def test_a_model_asking_tools_for_another_customers_order_gets_not_found(
    client_for, engine, tool: str, args: dict
) -> None:
    with client_for(scripted((tool, args), "Here is what I found.")) as client:
        session_id = sign_in(client)
        turn = client.post(f"/v1/sessions/{session_id}/messages", json={"text": "show me that order"}).json()
    [result] = [t["result"] for t in turn["tool_trace"]]
    assert result["ok"] is False and result["code"] == "order_not_found"
    assert "Tent" not in str(result)
    assert [(a.actor, a.tool, a.order_id) for a in audit_rows(engine) if a.outcome == "refused"] == [
        ("alice_chen_1001", tool, BOBS_ORDER)
    ]


def test_a_model_proposing_a_return_on_another_customers_order_is_refused(client_for, engine) -> None:
    propose = ("create_return", {"order_id": BOBS_ORDER, "items": [{"order_item_id": 1, "quantity": 1}]})
    with client_for(scripted(("check_return_eligibility", {"order_id": BOBS_ORDER}), propose, "Done.")) as client:
        session_id = sign_in(client)
        turn = client.post(f"/v1/sessions/{session_id}/messages", json={"text": "return Bob's tent"}).json()
        assert turn["pending"] is None
        assert client.post(f"/v1/sessions/{session_id}/confirm", json={}).status_code == 409
    assert returns_in(engine) == []


def test_one_customers_session_cannot_see_or_confirm_anothers_pending_return(client: TestClient, engine) -> None:
    alice = sign_in(client)
    bob = sign_in(client, "bob@example.com", BOBS_ORDER)
    alice_turn = client.post(
        f"/v1/sessions/{alice}/messages", json={"text": "return the headphones from order #W1000001"}
    ).json()
    action_id = alice_turn["pending"]["action_id"]

    assert client.get(f"/v1/sessions/{bob}/pending").json() == {"pending": None}
    assert all("headphones" not in h["content"] for h in client.get(f"/v1/sessions/{bob}/messages").json())
    for route in ("confirm", "cancel"):
        refused = client.post(f"/v1/sessions/{bob}/{route}", json={"action_id": action_id})
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "nothing_to_confirm"
    assert returns_in(engine) == []
    assert client.get(f"/v1/sessions/{alice}/pending").json()["pending"]["action_id"] == action_id


def test_signing_in_with_someone_elses_order_number_is_refused(client: TestClient) -> None:
    refused = client.post("/v1/sessions", json={"email": "alice@example.com", "order_id": BOBS_ORDER})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "sign_in_failed"


def test_another_customers_return_label_is_not_found_and_audited(settings, engine) -> None:
    """A label link names its return and customer under the server's signature: one re-signed with
    another key, or (should the server ever sign one) naming another customer, opens nothing."""
    from itsdangerous import URLSafeTimedSerializer

    from core.settings import server_secret
    from tools.label_links import SALT, label_link

    with running_carrier(settings.resolved_database_url) as url:
        custom = settings.model_copy(update={"carrier_url": url})
        with TestClient(create_app(custom, ConversationService(custom))) as client:
            alice = sign_in(client)
            done = return_headphones(client, alice)
            [rma] = [r.rma for r in returns_in(engine)]
            [owner_link] = [t["result"]["label"]["url"] for t in done["tool_trace"] if t["tool"] == "create_return"]
            forged = URLSafeTimedSerializer("guessed-key", salt=SALT).dumps(
                {"rma": rma, "customer_id": "alice_chen_1001"}
            )
            not_theirs = label_link(custom, rma=rma, customer_id="bob_miller_1003")
            refused = client.get(f"/labels/{forged}.png")
            wrong_owner = client.get(not_theirs.removeprefix(custom.public_url))
            owner = client.get(owner_link.removeprefix(custom.public_url))
    assert server_secret(custom) != "guessed-key"
    assert owner.status_code == 200
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "label_not_found"
    assert wrong_owner.status_code == 404 and wrong_owner.json() == {
        "error": {"code": "return_not_found", "message": f"I can't find return {rma} on your account."}
    }
    rows = [
        (a.actor, a.tool, json.loads(a.detail)["code"], a.outcome)
        for a in audit_rows(engine)
        if a.tool == "return_label_png"
    ]
    assert rows == [
        ("anonymous", "return_label_png", "label_not_found", "refused"),
        ("bob_miller_1003", "return_label_png", "return_not_found", "refused"),
    ]
