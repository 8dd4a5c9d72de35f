"""Helpers for the after-sales tests: the demo's people and orders, items looked up (never
hard-coded ids), and the whole database as data, so a refusal can be shown to change nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from mock_backends.orders.models import OrderItem, PaymentMethod, SQLModel, Variant

ALICE, WANG, BOB = "alice_chen_1001", "wang_fang_1002", "bob_miller_1003"
CAROL, LI_NA = "carol_davis_1004", "li_na_1005"


def item_id(engine: Engine, order_id: str, position: int = 0) -> int:
    """The id of the `position`-th line of an order, in the order the seed added them."""
    with Session(engine) as db:
        ids = db.exec(select(OrderItem.id).where(OrderItem.order_id == order_id).order_by(col(OrderItem.id))).scalars()
        return list(ids)[position]


def line(engine: Engine, order_item_id: int) -> OrderItem:
    with Session(engine) as db:
        found = db.get(OrderItem, order_item_id)
        assert found is not None
        return found


def stock(engine: Engine, variant_id: str) -> int | None:
    with Session(engine) as db:
        variant = db.get(Variant, variant_id)
        assert variant is not None
        return variant.stock


def balance(engine: Engine, payment_method_id: str) -> int | None:
    with Session(engine) as db:
        method = db.get(PaymentMethod, payment_method_id)
        assert method is not None
        return method.balance_cents


def everything(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table but the audit trail (refusals are audited by the tool layer)."""
    with engine.connect() as conn:
        return {
            name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
            for name, table in SQLModel.metadata.tables.items()
            if name != "auditevent"
        }
