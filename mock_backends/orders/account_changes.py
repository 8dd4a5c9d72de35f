"""What every confirmed change to a pending order or an account shares: one transaction that locks
the order row, idempotency by key (an `AccountChange` row per confirmed call), the audit row, and
the refusal that names why the order's status does not allow the change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from mock_backends.orders import audit
from mock_backends.orders.after_sales_models import AccountChange
from mock_backends.orders.after_sales_policy import RefundTiming
from mock_backends.orders.errors import OrderAlreadyShipped, OrderNotCancellable, OrderNotModifiable, OrderSystemError
from mock_backends.orders.models import DELIVERED_STATUSES, Order
from mock_backends.orders.payments import MoneyMove
from mock_backends.orders.repository import get_owned_order

T = TypeVar("T")

# The tool name each kind of change is audited under.
AUDITED_AS = {
    "cancel_order": "cancel_order",
    "order_address": "change_order_address",
    "order_items": "change_order_items",
    "order_payment": "change_order_payment",
    "default_address": "change_default_address",
}


@dataclass(frozen=True)
class OrderChange:
    """A confirmed change as the customer sees it: what changed and the money it moved."""

    kind: str
    order_id: str | None
    order_status: str | None  # the order's status after the change
    summary: dict[str, Any]  # JSON-able: the reason, the new address, the items, ...
    money: list[MoneyMove]  # charges and refunds made, refunds with when they arrive
    created: bool  # False: an earlier call with the same key made it; this one changed nothing


def change_by_key(session: Session, customer_id: str, key: str) -> OrderChange | None:
    """The change an earlier call with `key` made for this customer (another customer's: never)."""
    row = session.exec(
        select(AccountChange).where(AccountChange.idempotency_key == key, AccountChange.customer_id == customer_id)
    ).first()
    if row is None:
        return None
    detail = json.loads(row.detail)
    money = [
        MoneyMove(**{**m, "timing": RefundTiming(**m["timing"]) if m.get("timing") else None})
        for m in detail.get("money", [])
    ]
    return OrderChange(
        kind=row.kind,
        order_id=row.order_id,
        order_status=detail.get("order_status"),
        summary=detail.get("summary", {}),
        money=money,
        created=False,
    )


def run_change(
    session: Session,
    *,
    customer_id: str,
    order_id: str | None,
    kind: str,
    idempotency_key: str,
    now: datetime,
    session_id: str | None,
    write: Callable[[Order | None], tuple[dict[str, Any], list[MoneyMove]]],
) -> OrderChange:
    """Run `write(locked order)` in one transaction and record it, or return what the key already did.

    `write` re-checks its rules (the order row is locked, FOR UPDATE on PostgreSQL) and raises a typed
    error to refuse; everything is rolled back then, so a refusal changes nothing.
    """
    earlier = change_by_key(session, customer_id, idempotency_key)
    if earlier is not None:
        return earlier
    try:
        order = get_owned_order(session, customer_id, order_id, for_update=True) if order_id else None
        earlier = change_by_key(session, customer_id, idempotency_key)  # committed while we waited for the lock
        if earlier is not None:
            session.rollback()
            return earlier
        summary, money = write(order)
        status = session.exec(select(Order.status).where(Order.id == order.id)).one() if order is not None else None
        amount = sum(m.amount_cents if m.direction == "charge" else -m.amount_cents for m in money)
        detail = {
            "summary": summary,
            "order_status": status,
            "money": [asdict(m) | {"timing": m.timing.model_dump() if m.timing else None} for m in money],
        }
        session.add(
            AccountChange(
                customer_id=customer_id,
                order_id=order.id if order else None,
                kind=kind,
                amount_cents=amount,
                payment_method_id=money[0].payment_method_id if money else None,
                detail=json.dumps(detail, ensure_ascii=False, sort_keys=True),
                idempotency_key=idempotency_key,
                session_id=session_id,
                created_at=now,
            )
        )
        audit.record(
            session,
            actor=customer_id,
            tool=AUDITED_AS[kind],
            outcome="ok",
            session_id=session_id,
            order_id=order.id if order else None,
            detail={"summary": summary, "amount_cents": amount},
        )
        session.commit()
    except (IntegrityError, OrderSystemError):
        return the_winner(session, lambda: change_by_key(session, customer_id, idempotency_key))
    except Exception:
        session.rollback()
        raise
    return OrderChange(
        kind=kind, order_id=order.id if order else None, order_status=status, summary=summary, money=money, created=True
    )


def refuse_for_status(order_id: str, status: str, action: str, *, cancelling: bool = False) -> None:
    """Raise the refusal for an order whose status does not allow `action` ('be cancelled', ...)."""
    if status in ("shipped", *DELIVERED_STATUSES):
        raise OrderAlreadyShipped(f"Order {order_id} has already shipped, so it can no longer {action}.")
    error = OrderNotCancellable if cancelling else OrderNotModifiable
    if status == "cancelled":
        raise error(f"Order {order_id} is cancelled, so it can no longer {action}.")
    if status == "processing":
        raise error(f"Order {order_id} is already being prepared for shipping, so it can no longer {action}.")
    if status == "items_modified":
        raise error(f"The items of order {order_id} were already changed once, so they can no longer {action}.")
    raise error(f"Order {order_id} is {status}, so it can no longer {action}.")


def the_winner(session: Session, replayed: Callable[[], T | None]) -> T:
    """Inside an `except` of a keyed write that failed: a replay with the same key may have won the race
    (SQLite takes no row lock, so it can commit between our checks), the unique key kept one write, and
    that one is the answer; with no winner the error stands (re-raised)."""
    session.rollback()
    existing = replayed()
    if existing is None:
        raise  # called from the except block: re-raises the error it handles
    return existing
