"""No store keeps a customer's card, phone, email or ID number (security issue #13, M8).

Generated numbers in every format we know of are put through each place that keeps what a customer
wrote: a feedback comment (through the API), the feedback export, a return reason, a hand-off
ticket summary, an audit row, a QA recording and a log line. None may survive in any of them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from langchain_core.messages import HumanMessage
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from core.redaction import install_log_redaction
from core.settings import Settings
from mock_backends.orders import audit
from mock_backends.orders.models import AuditEvent, Feedback, HandoffTicket, OrderItem, ReturnRequest
from mock_backends.orders.pii_columns import is_redacted
from mock_backends.orders.return_lifecycle import cancel_return
from mock_backends.orders.returns import ReturnLine, create_return
from qa.session_recording import SessionRecorder
from service.conversation import ConversationService
from service.feedback import export_jsonl
from tests.security.pii_strategies import PII, leaked
from tools.deps import ToolDeps
from tools.handoff import hand_over
from ui.server import create_app

ALICE = "alice_chen_1001"
EXAMPLES = hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def recorded(settings: Settings, engine: Engine, tmp_path: Path) -> Iterator[tuple[TestClient, ConversationService]]:
    custom = settings.model_copy(
        update={"record_dir": tmp_path / "recordings", "rate_limit_per_minute": 0, "staff_token": SecretStr("qa-staff")}
    )
    service = ConversationService(custom, recorder=SessionRecorder)
    with TestClient(create_app(custom, service)) as client:
        yield client, service


def _files(directory: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(directory.rglob("*")) if p.is_file())


def _stored_rows(engine: Engine) -> str:
    with Session(engine) as db:
        rows = [
            *db.exec(select(Feedback)).all(),
            *db.exec(select(ReturnRequest)).all(),
            *db.exec(select(HandoffTicket)).all(),
            *db.exec(select(AuditEvent)).all(),
        ]
    return "\n".join(json.dumps(r.model_dump(), default=str, ensure_ascii=False) for r in rows)


@EXAMPLES
@given(values=st.lists(PII, min_size=1, max_size=3))
def test_generated_pii_survives_in_no_store(
    values: list[str], recorded, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    client, service = recorded
    text = "my details: " + ", ".join(values) + ", thanks"
    caplog.set_level(logging.INFO)
    install_log_redaction()  # as `create_app` does; idempotent

    # A recorded session, whose answer the customer rates with a comment (API), then exported.
    session_id = client.post(
        "/v1/sessions",
        json={"email": "alice@example.com", "order_id": "#W1000001", "record": True},
        headers={"X-Staff-Token": "qa-staff"},
    ).json()["session_id"]
    assert client.post(f"/v1/sessions/{session_id}/messages", json={"text": text}).status_code == 200
    rated = client.post(
        f"/v1/sessions/{session_id}/feedback", json={"message_index": 1, "rating": "down", "comment": text}
    )
    assert rated.status_code == 201, rated.text
    exported = "\n".join(export_jsonl(service))
    # A return whose reason is the customer's words (cancelled again so the next example can return).
    with Session(engine) as db:
        item_id = db.exec(
            select(OrderItem.id).where(OrderItem.order_id == "#W1000001").order_by(col(OrderItem.id))
        ).first()
    created = create_return(
        engine,
        customer_id=ALICE,
        order_id="#W1000001",
        refund_method="original_payment",
        lines=[ReturnLine(order_item_id=item_id or 0, quantity=1)],
        reason=text,
        idempotency_key=f"pii-{session_id}",
        session_id=session_id,
    )
    cancel_return(engine, customer_id=ALICE, rma=created.rma, session_id=session_id, reason=text)
    # A hand-off summary quoting the message, and an audit row carrying it.
    hand_over(
        ToolDeps(engine=engine, settings=service.settings),
        session_id=session_id,
        reason=text,
        state={"customer_id": ALICE, "messages": [HumanMessage(content=text)]},
    )
    audit.record_now(
        engine,
        actor=ALICE,
        tool="lookup_order",
        outcome="refused",
        order_id=values[0],
        session_id=session_id,
        detail={"error": text},
    )
    logging.getLogger("returndesk.test").warning("customer wrote: %s", text)

    stores = {
        "feedback (API answer)": rated.text,
        "database rows": _stored_rows(engine),
        "feedback export": exported,
        "recording": _files(service.settings.record_dir),  # type: ignore[arg-type]
        "logs": "\n".join(r.getMessage() for r in caplog.records),
    }
    assert "customer wrote: my details: " in stores["logs"], "the log line was captured"
    for where, stored in stores.items():
        for value in values:
            assert not leaked(value, stored), f"{value!r} survived in {where}"


# The shop's own records about a customer (they hold an email or an address on purpose); anything
# else that holds free text is conversation-derived and must be marked REDACTED.
MASTER_DATA = {
    "customer.email",
    "address.line1",
    "address.line2",
    "product.name",
    "productname.name",
    "orders.ship_to",
    "variant.options",
    "staffmember.email",
    "staffmember.password_hash",
}  # a staff account's sign-in name, its argon2 hash


def test_every_free_text_column_is_redacted_or_declared_master_data() -> None:
    free_text = {
        f"{table.name}.{column.name}"
        for table in SQLModel.metadata.sorted_tables
        for column in table.columns
        if (getattr(column.type, "length", None) is None and column.type.python_type is str)
        or (getattr(column.type, "length", None) or 0) >= 200
    }
    unmarked = {
        name
        for name in free_text - MASTER_DATA
        if not is_redacted(SQLModel.metadata.tables[name.split(".")[0]].c[name.split(".")[1]])
    }
    assert unmarked == set(), f"free-text columns neither redacted nor master data: {sorted(unmarked)}"


def test_the_store_hook_redacts_a_write_that_bypasses_the_store_functions(engine: Engine) -> None:
    with Session(engine) as db:
        db.add(HandoffTicket(customer_id=ALICE, reason="call 4155550123", summary="card 4111.1111.1111.1111"))
        db.commit()
        ticket = db.exec(select(HandoffTicket)).one()
        assert (ticket.reason, ticket.summary) == ("call [phone]", "card [card]")
        ticket.summary = "now (415)555-0123 and 020 7946 0958"
        db.add(ticket)
        db.commit()
        assert db.exec(select(HandoffTicket.summary)).one() == "now [phone] and [phone]"
