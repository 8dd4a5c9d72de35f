"""Changing a pending order's shipping address or payment method, and the customer's default address.

Each has a preview (the card; writes nothing) and a write that re-checks under the order's row lock
in its own transaction and is idempotent by its key (`account_changes.run_change`). The statuses
that allow each change are policy data (policy.yaml `order_changes`). Changing the items is in
`order_item_changes.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from mock_backends.orders.account_changes import OrderChange, refuse_for_status, run_change
from mock_backends.orders.addresses import ShippingAddress, parse_address
from mock_backends.orders.after_sales_policy import load_after_sales_policy, may_change
from mock_backends.orders.errors import InvalidOrderChange
from mock_backends.orders.models import Address, Order, PaymentMethod
from mock_backends.orders.payments import (
    MoneyMove,
    check_covers,
    owned_payment_method,
    paid_by_method,
    planned_move,
    settle,
)
from mock_backends.orders.repository import get_owned_order


@dataclass(frozen=True)
class AddressChangeQuote:
    order_id: str | None  # None: the customer's default address
    old: str
    new: ShippingAddress


@dataclass(frozen=True)
class PaymentChangeQuote:
    order_id: str
    new_method: PaymentMethod
    charge: MoneyMove  # the order's total on the new method
    refunds: list[MoneyMove]  # what the old methods paid, back to them (with timing)


def _allowed(order: Order, what: str, action: str) -> None:
    if not may_change(load_after_sales_policy(), order.status, what):
        refuse_for_status(order.id, order.status, action)


# ---- the order's shipping address -------------------------------------------------------------


def preview_order_address_change(
    session: Session, customer_id: str, order_id: str, address: ShippingAddress | dict[str, Any]
) -> AddressChangeQuote:
    order = get_owned_order(session, customer_id, order_id)
    _allowed(order, "address", "have its address changed")
    return AddressChangeQuote(order_id=order.id, old=order.ship_to, new=parse_address(address))


def change_order_address(
    session: Session,
    customer_id: str,
    order_id: str,
    address: ShippingAddress | dict[str, Any],
    idempotency_key: str,
    now: datetime,
    session_id: str | None = None,
) -> OrderChange:
    """Ship the pending order to `address` instead (validated first: a bad address changes nothing)."""
    new = parse_address(address)
    statuses = load_after_sales_policy().order_changes.address_change_statuses

    def write(order: Order | None) -> tuple[dict, list[MoneyMove]]:
        assert order is not None
        _allowed(order, "address", "have its address changed")
        old = order.ship_to
        session.execute(
            update(Order)
            .where(col(Order.id) == order.id, col(Order.status).in_(statuses))
            .values(ship_to=new.one_line()[:500])
        )
        return {"old_ship_to": old, "ship_to": new.one_line(), "address": new.model_dump()}, []

    return run_change(
        session,
        customer_id=customer_id,
        order_id=order_id,
        kind="order_address",
        idempotency_key=idempotency_key,
        now=now,
        session_id=session_id,
        write=write,
    )


# ---- the order's payment method ---------------------------------------------------------------


def preview_order_payment_change(
    session: Session, customer_id: str, order_id: str, payment_method_id: str
) -> PaymentChangeQuote:
    order = get_owned_order(session, customer_id, order_id)
    return _payment_quote(session, customer_id, order, payment_method_id)


def _payment_quote(session: Session, customer_id: str, order: Order, payment_method_id: str) -> PaymentChangeQuote:
    _allowed(order, "payment", "have its payment method changed")
    method = owned_payment_method(session, customer_id, payment_method_id)
    paid = paid_by_method(session, order.id)
    if [m.id for m, _cents in paid] == [method.id]:
        raise InvalidOrderChange(f"Order {order.id} is already paid with {method.label}; choose another method.")
    total = sum(cents for _m, cents in paid) if paid else order.total_cents
    check_covers(method, total)
    charge = planned_move(method, total)
    refunds = [move for m, cents in paid if m.id != method.id and (move := planned_move(m, -cents)) is not None]
    if charge is None:
        raise InvalidOrderChange(f"Order {order.id} has nothing left to pay.")
    return PaymentChangeQuote(order_id=order.id, new_method=method, charge=charge, refunds=refunds)


def change_order_payment(
    session: Session,
    customer_id: str,
    order_id: str,
    payment_method_id: str,
    idempotency_key: str,
    now: datetime,
    session_id: str | None = None,
) -> OrderChange:
    """Pay the pending order with another of the customer's methods: the old ones are refunded (a gift
    card at once, others within the policy's days) and the new one is charged the total (a gift card
    must cover it)."""

    def write(order: Order | None) -> tuple[dict, list[MoneyMove]]:
        assert order is not None
        quote = _payment_quote(session, customer_id, order, payment_method_id)
        moves = []
        for method, cents in paid_by_method(session, order.id):  # refunds first: a gift card may pay itself back
            if method.id != quote.new_method.id and (
                move := settle(
                    session,
                    order_id=order.id,
                    method=method,
                    amount_cents=-cents,
                    note="payment method changed",
                    now=now,
                )
            ):
                moves.append(move)
        total = quote.charge.amount_cents - sum(
            c for m, c in paid_by_method(session, order.id) if m.id == quote.new_method.id
        )
        charged = settle(
            session,
            order_id=order.id,
            method=quote.new_method,
            amount_cents=total,
            note="payment method changed",
            now=now,
        )
        return {"payment_method_id": quote.new_method.id, "payment_method": quote.new_method.label}, [
            *moves,
            *([charged] if charged else []),
        ]

    return run_change(
        session,
        customer_id=customer_id,
        order_id=order_id,
        kind="order_payment",
        idempotency_key=idempotency_key,
        now=now,
        session_id=session_id,
        write=write,
    )


# ---- the customer's default address -----------------------------------------------------------


def default_address(session: Session, customer_id: str) -> Address | None:
    return session.exec(
        select(Address).where(Address.customer_id == customer_id, col(Address.is_default)).order_by(col(Address.id))
    ).first()


def preview_default_address_change(
    session: Session, customer_id: str, address: ShippingAddress | dict[str, Any]
) -> AddressChangeQuote:
    current = default_address(session, customer_id)
    return AddressChangeQuote(order_id=None, old=_one_line(current), new=parse_address(address))


def change_default_address(
    session: Session,
    customer_id: str,
    address: ShippingAddress | dict[str, Any],
    idempotency_key: str,
    now: datetime,
    session_id: str | None = None,
) -> OrderChange:
    """Make `address` the customer's default (future orders); orders already placed keep theirs."""
    new = parse_address(address)

    def write(_order: Order | None) -> tuple[dict, list[MoneyMove]]:
        current = default_address(session, customer_id)
        old = _one_line(current)
        fields = new.model_dump()
        if current is None:
            session.add(Address(customer_id=customer_id, is_default=True, **fields))
        else:
            session.execute(update(Address).where(col(Address.id) == current.id).values(**fields))
        return {"old_address": old, "address": fields, "one_line": new.one_line()}, []

    return run_change(
        session,
        customer_id=customer_id,
        order_id=None,
        kind="default_address",
        idempotency_key=idempotency_key,
        now=now,
        session_id=session_id,
        write=write,
    )


def _one_line(address: Address | None) -> str:
    if address is None:
        return ""
    return ShippingAddress.model_construct(
        line1=address.line1,
        line2=address.line2,
        city=address.city,
        region=address.region,
        country=address.country,
        postcode=address.postcode,
    ).one_line()
