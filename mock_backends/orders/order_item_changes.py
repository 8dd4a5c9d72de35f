"""Changing a pending order's items for other variants of the same products (size, colour, ...).

Once per order, as tau-bench (policy.yaml `item_change_statuses`: the order becomes items_modified).
Each new variant must be in stock; the old one goes back to stock; the price difference is charged
to or refunded on a payment method of the customer's (a gift card must cover a charge), and the
order's total follows. Changing only some units of a line splits it into two lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from mock_backends.orders.account_changes import OrderChange, refuse_for_status, run_change
from mock_backends.orders.after_sales_policy import load_after_sales_policy, may_change
from mock_backends.orders.errors import InvalidSwap, OutOfStock
from mock_backends.orders.models import Order, OrderItem, PaymentMethod
from mock_backends.orders.payments import MoneyMove, check_covers, owned_payment_method, planned_move, settle
from mock_backends.orders.products import parse_options, put_back_stock, take_stock, variant_facts, variants_by_id
from mock_backends.orders.repository import OrderDetail, get_order_detail
from mock_backends.orders.swaps import SWAP_TEXT, SwapReason, SwapRequest, check_swaps, line_difference


@dataclass(frozen=True)
class ItemChange:
    """One line to change: the variant wanted instead, for `quantity` units (None: the whole line)."""

    order_item_id: int
    new_variant_id: str
    quantity: int | None = None


@dataclass(frozen=True)
class ChangedItem:
    order_item_id: int
    product: str
    old_variant_id: str
    old_options: dict[str, str]
    new_variant_id: str
    new_options: dict[str, str]
    quantity: int
    new_unit_price_cents: int
    difference_cents: int


@dataclass(frozen=True)
class ItemsChangeQuote:
    order_id: str
    items: list[ChangedItem]
    price_difference_cents: int  # > 0 charged, < 0 refunded
    payment: MoneyMove | None
    payment_method: PaymentMethod | None


ItemChanges = Sequence[ItemChange | tuple[int, str] | tuple[int, str, int]]


def as_changes(items: ItemChanges) -> list[ItemChange]:
    return [item if isinstance(item, ItemChange) else ItemChange(*item) for item in items]


def preview_order_items_change(
    session: Session, customer_id: str, order_id: str, items: ItemChanges, payment_method_id: str | None
) -> ItemsChangeQuote:
    """The change the customer would confirm, or the refusal the write would raise; writes nothing."""
    detail = get_order_detail(session, customer_id, order_id)
    return _quote(session, customer_id, detail, as_changes(items), payment_method_id)


def _quote(
    session: Session, customer_id: str, detail: OrderDetail, changes: list[ItemChange], payment_method_id: str | None
) -> ItemsChangeQuote:
    order = detail.order
    if not may_change(load_after_sales_policy(), order.status, "items"):
        refuse_for_status(order.id, order.status, "have its items changed")
    if not changes:
        raise InvalidSwap("Choose at least one item to change.")
    by_id = {line.order_item_id: line for line in detail.lines}
    if len({c.order_item_id for c in changes}) != len(changes):
        raise InvalidSwap("Each item can be listed once.")
    missing = [c.order_item_id for c in changes if c.order_item_id not in by_id]
    if missing:
        raise InvalidSwap(f"Item {missing[0]} is not on order {order.id}.")
    variants = variants_by_id(
        session, {c.new_variant_id for c in changes} | {by_id[c.order_item_id].variant_id for c in changes}
    )
    requests = []
    for change in changes:
        line, current, new = (
            by_id[change.order_item_id],
            variants.get(by_id[change.order_item_id].variant_id),
            variants.get(change.new_variant_id),
        )
        requests.append(
            SwapRequest(
                order_item_id=line.order_item_id,
                product_id=current.product_id if current else "",
                variant_id=line.variant_id,
                unit_price_cents=line.unit_price_cents,
                remaining=line.quantity,
                quantity=change.quantity or line.quantity,
                new=variant_facts(new) if new is not None else None,
            )
        )
    reasons = check_swaps(requests)
    refused = [(r, reason) for r, reason in zip(requests, reasons, strict=True) if reason != SwapReason.OK]
    if refused:
        message = "; ".join(
            f"{by_id[r.order_item_id].product_name}: {SWAP_TEXT[reason].format(remaining=r.remaining)}"
            for r, reason in refused
        )
        if all(reason in (SwapReason.OUT_OF_STOCK, SwapReason.NOT_AVAILABLE) for _r, reason in refused):
            raise OutOfStock(message)
        raise InvalidSwap(
            message, [{"order_item_id": r.order_item_id, "reason": reason.value} for r, reason in refused]
        )
    items = [
        ChangedItem(
            order_item_id=r.order_item_id,
            product=by_id[r.order_item_id].product_name,
            old_variant_id=r.variant_id,
            old_options=parse_options(by_id[r.order_item_id].options),
            new_variant_id=r.new.variant_id,
            new_options=parse_options(variants[r.new.variant_id].options),
            quantity=r.quantity,
            new_unit_price_cents=r.new.price_cents,
            difference_cents=line_difference(r),
        )
        for r in requests
        if r.new is not None
    ]
    difference = sum(i.difference_cents for i in items)
    method = owned_payment_method(session, customer_id, payment_method_id) if payment_method_id else None
    if method is None and difference:
        raise InvalidSwap(
            f"Choose one of your payment methods to {'pay' if difference > 0 else 'receive'} the "
            f"price difference of {abs(difference) / 100:.2f}."
        )
    if method is not None:
        check_covers(method, difference)
    return ItemsChangeQuote(
        order_id=order.id,
        items=items,
        price_difference_cents=difference,
        payment=planned_move(method, difference) if method else None,
        payment_method=method,
    )


def change_order_items(
    session: Session,
    customer_id: str,
    order_id: str,
    items: ItemChanges,
    payment_method_id: str | None,
    idempotency_key: str,
    now: datetime,
    session_id: str | None = None,
) -> OrderChange:
    """Change the pending order's items, or return what an earlier call with this key did."""
    changes = as_changes(items)

    def write(order: Order | None) -> tuple[dict, list[MoneyMove]]:
        assert order is not None
        quote = _quote(
            session, customer_id, get_order_detail(session, customer_id, order.id), changes, payment_method_id
        )
        moved = session.execute(
            update(Order)
            .where(
                col(Order.id) == order.id,
                col(Order.status).in_(load_after_sales_policy().order_changes.item_change_statuses),
            )
            .values(status="items_modified", total_cents=Order.total_cents + quote.price_difference_cents)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult; changed under our lock: only by hand
            raise InvalidSwap(f"Order {order.id} has just changed; please check its status again.")
        for item in quote.items:
            _swap_line(session, order.id, item)
        stock: Counter[str] = Counter()
        for item in quote.items:
            stock[item.new_variant_id] += item.quantity
            stock[item.old_variant_id] -= item.quantity
        for variant_id in sorted(stock):  # one lock order for every writer
            if stock[variant_id] > 0:
                take_stock(session, variant_id, stock[variant_id])
            elif stock[variant_id] < 0:
                put_back_stock(session, variant_id, -stock[variant_id])
        move = (
            settle(
                session,
                order_id=order.id,
                method=quote.payment_method,
                amount_cents=quote.price_difference_cents,
                note="items changed",
                now=now,
            )
            if quote.payment_method
            else None
        )
        summary = {
            "items": [
                {
                    "order_item_id": i.order_item_id,
                    "product": i.product,
                    "from": i.old_options,
                    "to": i.new_options,
                    "new_variant_id": i.new_variant_id,
                    "quantity": i.quantity,
                    "difference_cents": i.difference_cents,
                }
                for i in quote.items
            ],
            "price_difference_cents": quote.price_difference_cents,
        }
        return summary, [move] if move else []

    return run_change(
        session,
        customer_id=customer_id,
        order_id=order_id,
        kind="order_items",
        idempotency_key=idempotency_key,
        now=now,
        session_id=session_id,
        write=write,
    )


def _swap_line(session: Session, order_id: str, item: ChangedItem) -> None:
    """The whole line takes the new variant and price; part of it is split off into a new line."""
    line = session.get(OrderItem, item.order_item_id, populate_existing=True)  # Core UPDATEs may have run
    assert line is not None
    if item.quantity >= line.quantity:
        line.variant_id, line.unit_price_cents = item.new_variant_id, item.new_unit_price_cents
    else:
        line.quantity -= item.quantity
        session.add(
            OrderItem(
                order_id=order_id,
                variant_id=item.new_variant_id,
                quantity=item.quantity,
                unit_price_cents=item.new_unit_price_cents,
                quantity_returned=0,
                quantity_exchanged=0,
            )
        )
    session.add(line)
    session.flush()
