"""The database itself refuses rows that break the order system's rules, whatever code sends them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from mock_backends.orders import audit
from mock_backends.orders.after_sales_models import AccountChange, ExchangeRequest
from mock_backends.orders.models import AuditEvent, Customer, Order, OrderItem, ReturnRequest, Variant

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def first_order_item(engine: Engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(OrderItem.__table__).order_by(OrderItem.__table__.c.id)).mappings().first())


def a_return(**overrides: object) -> dict:
    row = {
        "rma": "RMA-TEST0001",
        "order_id": "#W1000001",
        "customer_id": "alice_chen_1001",
        "status": "requested",
        "reason": "",
        "refund_method": "original_payment",
        "refund_amount_cents": 100,
        "idempotency_key": "key-1",
        "created_at": NOW,
    }
    return {**row, **overrides}


def test_more_returned_than_bought_is_rejected(demo_engine: Engine) -> None:
    item = first_order_item(demo_engine)
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(
            update(OrderItem.__table__)
            .where(OrderItem.__table__.c.id == item["id"])
            .values(quantity_returned=item["quantity"] + 1)
        )
    assert first_order_item(demo_engine)["quantity_returned"] == item["quantity_returned"]


def test_unknown_order_status_is_rejected(demo_engine: Engine) -> None:
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(
            insert(Order.__table__).values(
                id="#W9999999", customer_id="alice_chen_1001", status="lost_in_space", created_at=NOW
            )
        )


def test_delivered_order_without_delivery_date_is_rejected(demo_engine: Engine) -> None:
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(
            insert(Order.__table__).values(
                id="#W9999998", customer_id="alice_chen_1001", status="delivered", created_at=NOW, shipped_at=NOW
            )
        )


def test_duplicate_rma_is_rejected(demo_engine: Engine) -> None:
    with demo_engine.begin() as conn:
        conn.execute(insert(ReturnRequest.__table__).values(a_return()))
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(insert(ReturnRequest.__table__).values(a_return(idempotency_key="key-2")))


def test_duplicate_idempotency_key_is_rejected(demo_engine: Engine) -> None:
    with demo_engine.begin() as conn:
        conn.execute(insert(ReturnRequest.__table__).values(a_return()))
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(insert(ReturnRequest.__table__).values(a_return(rma="RMA-TEST0002")))


def test_order_item_of_a_missing_order_is_rejected(demo_engine: Engine) -> None:
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(
            insert(OrderItem.__table__).values(
                order_id="#W0000000", variant_id="P-CABLE-STD", quantity=1, unit_price_cents=100, quantity_returned=0
            )
        )


def test_email_differing_only_in_case_is_rejected(demo_engine: Engine) -> None:
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(
            insert(Customer.__table__).values(
                id="alice_again",
                first_name="Alice",
                last_name="Chen",
                email="ALICE@example.com",
                postcode="94107",
                preferred_language="en",
            )
        )


def test_audit_rows_cannot_be_changed_or_deleted(demo_engine: Engine) -> None:
    audit.record_now(demo_engine, actor="alice_chen_1001", tool="create_return", outcome="ok", order_id="#W1000001")
    table = AuditEvent.__table__
    for statement in (update(table).values(outcome="error"), delete(table)):
        with pytest.raises(DBAPIError, match="append-only"), demo_engine.begin() as conn:
            conn.execute(statement)
    with demo_engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(select(table.c.actor, table.c.outcome))] == [("alice_chen_1001", "ok")]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # TRUNCATE exists only on PostgreSQL
def test_audit_table_cannot_be_truncated_on_postgres(demo_engine: Engine) -> None:
    assert demo_engine.dialect.name == "postgresql"
    audit.record_now(demo_engine, actor="system", tool="seed", outcome="ok")
    with pytest.raises(DBAPIError, match="append-only"), demo_engine.begin() as conn:
        conn.execute(text("TRUNCATE auditevent"))


def test_stock_below_zero_is_rejected(demo_engine: Engine) -> None:
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(update(Variant.__table__).where(Variant.__table__.c.id == "P-TSHIRT-WHITE-L").values(stock=-1))


def test_more_returned_and_exchanged_than_bought_is_rejected(demo_engine: Engine) -> None:
    item = first_order_item(demo_engine)  # one pair of headphones
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(
            update(OrderItem.__table__)
            .where(OrderItem.__table__.c.id == item["id"])
            .values(quantity_returned=item["quantity"], quantity_exchanged=1)
        )


@pytest.mark.parametrize("status", ["return_requested", "exchange_requested"])
def test_an_after_sales_status_needs_a_delivery_date(demo_engine: Engine, status: str) -> None:
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(
            insert(Order.__table__).values(
                id="#W9999997", customer_id="alice_chen_1001", status=status, created_at=NOW, shipped_at=NOW
            )
        )


def test_unknown_exchange_status_and_change_kind_are_rejected(demo_engine: Engine) -> None:
    exchange = {
        "number": "EXC-TEST0001",
        "order_id": "#W1000001",
        "customer_id": "alice_chen_1001",
        "status": "teleported",
        "price_difference_cents": 0,
        "idempotency_key": "k",
        "created_at": NOW,
    }
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(insert(ExchangeRequest.__table__).values(exchange))
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(
            insert(AccountChange.__table__).values(
                customer_id="alice_chen_1001",
                order_id="#W1000001",
                kind="refund_everything",
                amount_cents=0,
                detail="{}",
                idempotency_key="k",
                created_at=NOW,
            )
        )


def test_an_exchange_with_a_price_difference_needs_a_payment_method(demo_engine: Engine) -> None:
    exchange = {
        "number": "EXC-TEST0002",
        "order_id": "#W1000001",
        "customer_id": "alice_chen_1001",
        "status": "requested",
        "price_difference_cents": 2000,
        "idempotency_key": "k2",
        "created_at": NOW,
    }
    with pytest.raises(IntegrityError), demo_engine.begin() as conn:
        conn.execute(insert(ExchangeRequest.__table__).values(exchange))
