"""`returndesk seed --customers N --seed S`: deterministic, and every case the agent handles exists."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from mock_backends.orders import repository
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.generate import FIRST_ORDER_NUMBER, SeedConflict, generate
from mock_backends.orders.models import (
    Customer,
    Order,
    Payment,
    PaymentMethod,
    ReturnRequest,
    Shipment,
    SQLModel,
    Variant,
)
from mock_backends.orders.policy import evaluate_item, load_policy

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def fresh(url: str) -> Engine:
    engine = make_engine(url)
    create_tables(engine)
    return engine


def dump(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            name: sorted(tuple(row) for row in conn.execute(select(table)))
            for name, table in SQLModel.metadata.tables.items()
        }


def test_same_seed_gives_the_same_rows_on_every_database(database_url: str, tmp_path: Path) -> None:
    first, second = fresh(database_url), fresh(f"sqlite:///{tmp_path / 'second.db'}")
    generate(first, customers=40, seed=11, now=NOW)
    generate(second, customers=40, seed=11, now=NOW)
    rows = dump(first)
    assert rows == dump(second)
    assert len(rows["orders"]) > 40


def test_another_seed_gives_other_customers(tmp_path: Path) -> None:
    first, second = fresh(f"sqlite:///{tmp_path / 'a.db'}"), fresh(f"sqlite:///{tmp_path / 'b.db'}")
    generate(first, customers=10, seed=1, now=NOW)
    generate(second, customers=10, seed=2, now=NOW)
    assert dump(first)["customer"] != dump(second)["customer"]


def classify(session: Session, order: Order) -> set[str]:
    """The situations a customer asking about this order would be in, judged by the policy itself."""
    detail = repository.get_order_detail(session, order.customer_id, order.id)
    found = {order.status}
    reasons = {
        evaluate_item(load_policy(), detail.facts(line), requested_quantity=1, now=NOW).reason for line in detail.lines
    }
    found |= {f"reason:{r.value}" for r in reasons}
    if any(0 < line.quantity_returned < line.quantity for line in detail.lines):
        found.add("partly_returned")
    fates = session.exec(select(Shipment.fate).where(Shipment.order_id == order.id)).scalars().all()
    found |= {f"shipped:{fate}" for fate in fates if order.status == "shipped"}
    return found


def test_a_small_seed_contains_every_case_the_agent_handles(database_url: str) -> None:
    engine = fresh(database_url)
    generate(engine, customers=3, seed=5, now=NOW)
    with Session(engine) as session:
        orders = session.exec(select(Order)).scalars().all()
        seen = set().union(*(classify(session, o) for o in orders))
        kinds = set(
            session.exec(
                select(PaymentMethod.kind)
                .join(Payment, Payment.payment_method_id == PaymentMethod.id)
                .where(Payment.direction == "charge")
            )
            .scalars()
            .all()
        )
    assert {
        "pending",
        "processing",
        "cancelled",
        "shipped:normal",
        "shipped:lost",
        "partly_returned",
        "reason:eligible",
        "reason:window_expired",
        "reason:final_sale",
    } <= seen
    assert kinds == {"credit_card", "paypal", "gift_card"}
    assert {o.id for o in orders} >= {f"#W{FIRST_ORDER_NUMBER}"}


def test_customers_are_english_and_chinese_with_local_phones_and_postcodes(tmp_path: Path) -> None:
    engine = fresh(f"sqlite:///{tmp_path / 'g.db'}")
    generate(engine, customers=60, seed=3, now=NOW)
    with Session(engine) as session:
        customers = session.exec(select(Customer)).scalars().all()
    chinese = [c for c in customers if c.preferred_language == "zh"]
    english = [c for c in customers if c.preferred_language == "en"]
    assert chinese and english
    assert all(c.phone.startswith("+86 1") and len(c.postcode) == 6 for c in chinese)
    assert all(c.phone.startswith("+1 ") and len(c.postcode) == 5 for c in english)
    assert all("\u4e00" <= c.last_name[0] <= "\u9fff" for c in chinese)


def test_orders_spread_over_eighteen_months(tmp_path: Path) -> None:
    engine = fresh(f"sqlite:///{tmp_path / 'g.db'}")
    generate(engine, customers=200, seed=3, now=NOW)
    with Session(engine) as session:
        created = session.exec(select(Order.created_at)).scalars().all()
    ages = sorted((NOW - c).days for c in created)
    assert ages[0] < 3 and 450 < ages[-1] <= 550


def test_seeding_twice_is_refused_and_writes_nothing(database_url: str) -> None:
    engine = fresh(database_url)
    generate(engine, customers=5, seed=1, now=NOW)
    before = dump(engine)
    with pytest.raises(SeedConflict, match="--reset"):
        generate(engine, customers=5, seed=2, now=NOW)
    assert dump(engine) == before


def test_zero_customers_is_a_clear_error(tmp_path: Path) -> None:
    engine = fresh(f"sqlite:///{tmp_path / 'g.db'}")
    with pytest.raises(ValueError, match="at least 1"):
        generate(engine, customers=0, seed=1, now=NOW)
    assert all(rows == [] for rows in dump(engine).values())


def test_a_small_seed_has_stock_to_exchange_for_a_last_unit_a_sold_out_variant_and_both_kinds_of_gift_card(
    tmp_path: Path,
) -> None:
    engine = fresh(f"sqlite:///{tmp_path / 'gen.db'}")
    generate(engine, customers=3, seed=5, now=NOW)
    with Session(engine) as session:
        variants = session.exec(select(Variant)).scalars().all()
        gift_cards = session.exec(select(PaymentMethod).where(PaymentMethod.kind == "gift_card")).scalars().all()
        after_return = (
            session.exec(select(Order.status).join(ReturnRequest, ReturnRequest.order_id == Order.id)).scalars().all()
        )
    assert all(v.stock is not None and v.stock >= 0 for v in variants)
    assert {v.stock for v in variants} >= {0, 1}
    by_product: dict[str, list[Variant]] = {}
    for v in variants:
        by_product.setdefault(v.product_id, []).append(v)
    assert any(len(vs) > 1 and len({v.options for v in vs}) == len(vs) for vs in by_product.values())
    assert any(g.balance_cents == 0 for g in gift_cards) and any((g.balance_cents or 0) > 0 for g in gift_cards)
    assert after_return and set(after_return) == {"return_requested"}  # an order with a standing return shows it
