"""The expected end state: the task's expected changes applied through our own backend functions.

On a copy of the trial's starting database, each expected change is made the way the product makes
it (`returns.create_return`, `return_lifecycle.cancel_return`, `handoff.open_ticket`), so amounts,
refund destinations and returned quantities come from the same code and policy the agent's tools
use. The copy's canonical dump is what the trial's database must equal at the end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from mock_backends.orders import repository
from mock_backends.orders.errors import OrderSystemError
from mock_backends.orders.exchange_lifecycle import cancel_exchange
from mock_backends.orders.exchanges import ExchangeLine, exchange_items
from mock_backends.orders.handoff import open_ticket
from mock_backends.orders.models import Order
from mock_backends.orders.order_cancellation import cancel_order
from mock_backends.orders.order_changes import change_default_address, change_order_address, change_order_payment
from mock_backends.orders.order_item_changes import change_order_items
from mock_backends.orders.payments import paid_by_method
from mock_backends.orders.return_lifecycle import cancel_return
from mock_backends.orders.returns import ReturnLine, create_return
from qa.eval.task_format import Exchange, ExpectedState, ItemChange, OrderCancellation, OrderChange, ReturnChange


class UnsupportedChange(Exception):
    """An expected change that no backend function makes yet (e.g. cancelling an order)."""


class InvalidExpectation(Exception):
    """The task expects a change our own backend refuses or cannot resolve: the task is wrong."""


# The order changes (`order_changes[].change`) that have no applier yet. When one lands, give it an
# applier below and drop it here.
NOT_YET: dict[
    str, str
] = {}  # every kind tau-bench has (order_items, order_address, order_payment, user_address) is applied
# tau-bench's address keys, as ours (`addresses.ShippingAddress`); its countries are names.
TAU_ADDRESS_KEYS = {"address1": "line1", "address2": "line2", "state": "region", "zip": "postcode"}
COUNTRY_NAMES = {"usa": "US", "united states": "US", "china": "CN"}


def unsupported_changes(expected: ExpectedState) -> list[str]:
    """What of `expected` cannot be applied yet, in words; [] when everything can."""
    counts: dict[str, int] = {}
    for change in expected.order_changes:
        if change.change in NOT_YET:
            counts[change.change] = counts.get(change.change, 0) + 1
    return [f"{n} x {NOT_YET[kind]}: no backend function for it yet" for kind, n in counts.items()]


def apply_expected(engine: Engine, expected: ExpectedState, *, now: datetime) -> None:
    """Make every expected change on `engine` (a copy). Raises UnsupportedChange or InvalidExpectation."""
    if problems := unsupported_changes(expected):
        raise UnsupportedChange("; ".join(problems))
    for n, change in enumerate(expected.returns):
        _apply_return(engine, change, now=now, key=f"expected:{n}")
    for n, cancellation in enumerate(expected.order_cancellations):
        _apply_cancellation(engine, cancellation, now=now, key=f"expected-cancel:{n}")
    for n, exchange in enumerate(expected.exchanges):
        _apply_exchange(engine, exchange, now=now, key=f"expected-exchange:{n}")
    for n, order_change in enumerate(expected.order_changes):
        if order_change.change == "order_items":
            _apply_items_change(engine, order_change, now=now, key=f"expected-items:{n}")
        else:
            _apply_order_change(engine, order_change, now=now, key=f"expected-change:{n}")
    for n in range(expected.tickets):
        open_ticket(engine, customer_id=None, session_id=f"expected-ticket-{n}", reason="expected", summary="")


def _apply_return(engine: Engine, change: ReturnChange, *, now: datetime, key: str) -> None:
    with Session(engine) as session:
        order = session.get(Order, repository.normalize_order_id(change.order_id))
        if order is None:
            raise InvalidExpectation(f"expected return: order {change.order_id} is not in the database")
        customer_id = order.customer_id
        detail = repository.get_order_detail(session, customer_id, order.id, language="zh")  # names in both
    lines = [ReturnLine(_order_item_id(detail, item), item.quantity) for item in change.items]
    try:
        created = create_return(
            engine,
            customer_id=customer_id,
            order_id=order.id,
            lines=lines,
            refund_method=change.refund_method,
            reason="",
            idempotency_key=key,
            damaged=change.damaged,
            now=now,
        )
        if change.status == "cancelled":
            cancel_return(engine, customer_id=customer_id, rma=created.rma)
    except OrderSystemError as error:
        raise InvalidExpectation(f"expected return on {order.id} is refused by the backend: {error}") from None
    amount = f"{created.refund_amount_cents / 100:.2f}"
    if change.refund_amount is not None and change.refund_amount != amount:
        raise InvalidExpectation(
            f"expected return on {order.id}: the task says refund {change.refund_amount}, the policy computes {amount}"
        )


def _owner(engine: Engine, order_id: str, what: str) -> tuple[str, repository.OrderDetail]:
    with Session(engine) as session:
        order = session.get(Order, repository.normalize_order_id(order_id))
        if order is None:
            raise InvalidExpectation(f"expected {what}: order {order_id} is not in the database")
        return order.customer_id, repository.get_order_detail(session, order.customer_id, order.id, language="zh")


def _apply_cancellation(engine: Engine, change: OrderCancellation, *, now: datetime, key: str) -> None:
    customer_id, detail = _owner(engine, change.order_id, "cancellation")
    try:
        with Session(engine) as session:
            cancel_order(session, customer_id, detail.order.id, change.reason or "no longer needed", key, now)
    except OrderSystemError as error:
        raise InvalidExpectation(
            f"expected cancellation of {detail.order.id} is refused by the backend: {error}"
        ) from None


def _apply_exchange(engine: Engine, change: Exchange, *, now: datetime, key: str) -> None:
    customer_id, detail = _owner(engine, change.order_id, "exchange")
    if len(change.new_item_ids) != len(change.items):
        raise InvalidExpectation(f"expected exchange on {detail.order.id}: one new_item_id per item")
    lines = [
        ExchangeLine(_order_item_id(detail, item), new, item.quantity)
        for item, new in zip(change.items, change.new_item_ids, strict=True)
    ]
    try:
        with Session(engine) as session:
            paid_by = next((m.id for m, _c in paid_by_method(session, detail.order.id)), None)
            method = change.payment_method_id or paid_by
            made = exchange_items(session, customer_id, detail.order.id, lines, method, key, now)
            if change.status == "cancelled":
                cancel_exchange(session, customer_id, made.number, f"{key}:cancel", now)
    except OrderSystemError as error:
        raise InvalidExpectation(f"expected exchange on {detail.order.id} is refused by the backend: {error}") from None


def address_of(details: dict[str, object]) -> dict[str, object]:
    """The new address of a change's details, in our keys or tau-bench's (address1, state, zip, "USA")."""
    fields = {TAU_ADDRESS_KEYS.get(k, k): v for k, v in details.items() if k not in ("order_id", "user_id")}
    country = str(fields.get("country") or "US")
    return {**fields, "country": COUNTRY_NAMES.get(country.casefold(), country)}


def _apply_order_change(engine: Engine, change: OrderChange, *, now: datetime, key: str) -> None:
    """A pending order's address or payment method, or the customer's address (`user_id` in the details,
    else the owner of `order_id`), changed by the same backend functions the tools call."""
    if change.order_id is None and not change.details.get("user_id"):
        raise InvalidExpectation(f"expected {change.change}: name the order_id (or details.user_id)")
    customer_id, order_id = str(change.details.get("user_id") or ""), None
    if change.order_id is not None:
        owner, detail = _owner(engine, change.order_id, change.change)
        customer_id, order_id = customer_id or owner, detail.order.id
    try:
        with Session(engine) as session:
            if change.change == "order_address" and order_id:
                change_order_address(session, customer_id, order_id, address_of(change.details), key, now)
            elif change.change == "order_payment" and order_id:
                method = str(change.details.get("payment_method_id", ""))
                change_order_payment(session, customer_id, order_id, method, key, now)
            elif change.change == "user_address":
                change_default_address(session, customer_id, address_of(change.details), key, now)
            else:
                raise InvalidExpectation(f"expected {change.change}: it needs an order_id")
    except OrderSystemError as error:
        raise InvalidExpectation(f"expected {change.change} is refused by the backend: {error}") from None


def _apply_items_change(engine: Engine, change: OrderChange, *, now: datetime, key: str) -> None:
    """tau-bench's modify_pending_order_items: details item_ids (variants ordered), new_item_ids, payment_method_id."""
    customer_id, detail = _owner(engine, change.order_id or "", "item change")
    old, new = _ids(change.details.get("item_ids")), _ids(change.details.get("new_item_ids"))
    if not old or len(old) != len(new):
        raise InvalidExpectation(f"expected item change on {detail.order.id}: one new_item_id per item_id")
    lines = [(_order_item_id(detail, ItemChange(item_id=str(o))), str(n)) for o, n in zip(old, new, strict=True)]
    try:
        with Session(engine) as session:
            paid_by = next((m.id for m, _c in paid_by_method(session, detail.order.id)), None)
            method = change.details.get("payment_method_id") or paid_by
            change_order_items(session, customer_id, detail.order.id, lines, str(method) if method else None, key, now)
    except OrderSystemError as error:
        raise InvalidExpectation(
            f"expected item change on {detail.order.id} is refused by the backend: {error}"
        ) from None


def _ids(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _order_item_id(detail: repository.OrderDetail, item: ItemChange) -> int:
    def matches(line: Any) -> bool:
        if item.item_id is not None:
            return line.variant_id == item.item_id
        wanted = (item.product or "").casefold()
        return wanted in {str(line.product_name).casefold(), str(line.local_name or "").casefold()}

    found = [line for line in detail.lines if matches(line)]
    if len(found) != 1:
        names = ", ".join(f"{line.product_name} ({line.variant_id})" for line in detail.lines)
        problem = "is not on" if not found else "matches several lines of"
        raise InvalidExpectation(f"expected item {item.label} {problem} order {detail.order.id} (it has: {names})")
    return int(found[0].order_item_id)
