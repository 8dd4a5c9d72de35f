"""PII never reaches audit rows or log lines: phone numbers, Chinese ID numbers, card numbers, emails."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from bench.scripted_model import ScriptedChatModel, step_in_turn, tool_call
from core.redaction import redact
from tests.conftest import sign_in
from tests.security.conftest import audit_rows

PII = {
    "chinese mobile": "138 0013 8000",
    "chinese mobile with country code": "+86 13912345678",
    "us phone": "(415) 555-0101",
    "chinese id number": "11010519491231002X",
    "visa card": "4111 1111 1111 1111",
    "mastercard dashed": "5555-5555-5555-4444",
    "email": "alice.chen+returns@example.com",
    "chinese email": "wang.fang@example.cn",
    # Formats the first version missed (security issue #13, M8).
    "visa with dots": "4111.1111.1111.1111",
    "us phone, digits only": "4155550123",
    "us phone, no space after the area code": "(415)555-0123",
    "uk landline": "020 7946 0958",
}


@pytest.mark.parametrize("kind", PII)
def test_each_kind_of_pii_is_replaced_by_a_placeholder(kind: str) -> None:
    redacted = redact(f"my details: {PII[kind]}, thanks")
    assert PII[kind] not in redacted and "[" in redacted
    assert redacted.startswith("my details: ") and redacted.endswith(", thanks")


def test_pii_inside_chinese_text_is_redacted() -> None:
    text = "我的手机13800138000,身份证号110105194912310021,邮箱wang.fang@example.cn"
    assert redact(text) == "我的手机[phone],身份证号[id-number],邮箱[email]"


@pytest.mark.parametrize(
    "text",
    [
        "order #W1000001",
        "RMA-1A2B3C4D",
        "refund of 89.99",
        "delivered 2025-01-31T10:00:00+00:00",
        "tracking RD100000001",
        "item 12, quantity 3",
        "4111 1111 1111 1112",  # not Luhn-valid: not a card
        "session 3f2a13800138000bcafe0123456789ab",
    ],
)
def test_order_facts_pass_unchanged(text: str) -> None:
    assert redact(text) == text


def _echo_customer_into_lookup(messages: Sequence[BaseMessage]) -> AIMessage:
    """A model that copies the customer's words into a tool argument, as small models sometimes do."""
    if step_in_turn(messages) == 0:
        said = next(str(m.content) for m in reversed(messages) if isinstance(m, HumanMessage))
        # Only the value: the whole sentence would exceed the order-id length and be refused unaudited.
        value = said.removeprefix("call me on ").removeprefix("write to ")
        return tool_call("lookup_order", {"order_id": value}, messages)
    return AIMessage(content="Sorry, I could not find that order.")


def test_conversation_full_of_pii_leaves_none_in_audit_rows_or_logs(
    client_for, engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with client_for(ScriptedChatModel(respond=_echo_customer_into_lookup)) as client:
        for value in PII.values():
            # A session each: three failed lookups in one conversation hand it to a person, who has it then.
            session_id = sign_in(client)
            text = f"call me on {value}" if "@" not in value else f"write to {value}"
            turn = client.post(f"/v1/sessions/{session_id}/messages", json={"text": text})
            assert turn.status_code == 200, turn.text
        # A client library that logs request bodies at DEBUG (as the OpenAI client does).
        logging.getLogger("openai._base_client").debug("Request options: %s", {"messages": list(PII.values())})

    rows = audit_rows(engine)
    assert len([r for r in rows if r.tool == "lookup_order" and r.outcome == "refused"]) == len(PII)
    stored = [" ".join(str(v) for v in r.model_dump().values()) for r in rows]
    logged = [record.getMessage() + (record.exc_text or "") for record in caplog.records]
    assert any("Request options" in line for line in logged), "the DEBUG line was captured"
    for kind, value in PII.items():
        digits = "".join(c for c in value if c.isalnum() and not c.isalpha()) if "@" not in value else value
        for where, lines in (("audit rows", stored), ("logs", logged)):
            leaked = [line for line in lines if value in line or digits in line.replace(" ", "").replace("-", "")]
            assert not leaked, f"{kind} leaked into {where}: {leaked[0][:200]}"


@pytest.mark.parametrize(
    "attempt",
    [
        {"email": "alice.chen+returns@example.com", "order_id": "#W1000001"},  # not Alice's address
        {"email": "alice@example.com", "order_id": "#W1000012"},  # someone else's order
        {"name": "Alice Chen", "postcode": "138 0013 8000"},  # a phone number typed as the postcode
    ],
)
def test_a_failed_sign_in_is_audited_as_refused_without_the_typed_details(client, engine, attempt) -> None:
    response = client.post("/v1/sessions", json=attempt)

    assert response.status_code == 401
    refused = [r for r in audit_rows(engine) if r.tool == "sign_in"]
    assert [(r.actor, r.outcome, r.session_id) for r in refused] == [("anonymous", "refused", None)]
    stored = " ".join(str(v) for v in refused[0].model_dump().values())
    assert "alice.chen+returns@example.com" not in stored and "13800138000" not in stored.replace(" ", "")
    assert "verification_failed" in refused[0].detail


def test_a_successful_sign_in_writes_no_refusal(client, engine) -> None:
    sign_in(client)
    assert [r for r in audit_rows(engine) if r.outcome == "refused"] == []


def test_phone_and_card_numbers_in_the_return_reason_are_not_stored(engine) -> None:
    from sqlmodel import Session, select

    from mock_backends.orders.models import OrderItem, ReturnRequest
    from mock_backends.orders.returns import ReturnLine, create_return

    with Session(engine) as db:
        item_id = db.exec(select(OrderItem.id).where(OrderItem.order_id == "#W1000001")).first()
    create_return(
        engine,
        customer_id="alice_chen_1001",
        order_id="#W1000001",
        lines=[ReturnLine(order_item_id=item_id or 0, quantity=1)],
        refund_method="original_payment",
        reason="too quiet; call me on 138 0013 8000, refund card 4111 1111 1111 1111",
        idempotency_key="reason-pii",
    )

    with Session(engine) as db:
        reasons = db.exec(select(ReturnRequest.reason)).all()
    assert reasons == ["too quiet; call me on [phone], refund card [card]"]
