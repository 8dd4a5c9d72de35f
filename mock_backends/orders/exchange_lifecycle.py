"""After an exchange is created: where it stands, its parcels, and cancelling it before the old item ships.

Cancelling is the inverse of `exchanges.exchange_items` under the same rules: ownership first
(another customer's exchange is "not found"), one transaction that locks the order row, a guarded
status UPDATE so racing calls cannot both succeed, then the units, the stock and the price
difference are given back, with the audit row committed alongside. A replay of the same confirmed
cancellation (same key) answers with the cancelled exchange instead of a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from mock_backends.orders import audit
from mock_backends.orders.after_sales_models import ExchangeItem, ExchangeRequest
from mock_backends.orders.after_sales_policy import load_after_sales_policy
from mock_backends.orders.errors import ExchangeNotCancellable, ExchangeNotFound
from mock_backends.orders.models import OrderItem, PaymentMethod, Product, Shipment, Variant
from mock_backends.orders.order_status import settle_after_sales_status
from mock_backends.orders.payments import MoneyMove, planned_move, settle
from mock_backends.orders.products import parse_options, put_back_stock
from mock_backends.orders.repository import get_owned_order

STATUS_TEXT: dict[str, str] = {
    "requested": "created; the return label for the old item is being prepared",
    "label_created": "waiting for you to send the old item; the replacement is on its way",
    "in_transit": "the old item is on its way to our warehouse",
    "received": "the old item arrived at our warehouse",
    "completed": "completed",
    "cancelled": "cancelled",
}


@dataclass(frozen=True)
class ExchangedLine:
    order_item_id: int
    product: str
    old_options: dict[str, str]
    new_variant_id: str
    new_options: dict[str, str]
    quantity: int
    difference_cents: int  # > 0 paid by the customer, < 0 refunded to them


@dataclass(frozen=True)
class ExchangeView:
    """One exchange as the customer may see it."""

    number: str
    order_id: str
    status: str
    created_at: datetime
    price_difference_cents: int
    payment: MoneyMove | None  # how the difference was settled (charge, or refund with its timing)
    label_ref: str | None  # the old item's return label: its tracking number at the carrier
    replacement_tracking: str | None  # the replacement's outbound parcel
    items: list[ExchangedLine]
    created: bool = False  # True only for the call that created it (or cancelled it)

    @property
    def cancellable(self) -> bool:
        return self.status in load_after_sales_policy().exchange.cancellable_statuses

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, self.status)

    @property
    def payment_reversed(self) -> bool:
        """A cancelled exchange gave its price difference back (or took back what it refunded)."""
        return self.status == "cancelled" and self.payment is not None


def get_exchange(session: Session, customer_id: str, number: str) -> ExchangeRequest:
    exchange = session.exec(
        select(ExchangeRequest)
        .where(ExchangeRequest.number == number.strip().upper())
        .execution_options(populate_existing=True)
    ).first()  # Core UPDATEs move its status
    if exchange is None or exchange.customer_id != customer_id:
        raise ExchangeNotFound(f"I can't find exchange {number} on your account.")
    return exchange


def exchange_view(session: Session, customer_id: str, number: str, *, created: bool = False) -> ExchangeView:
    """The customer's exchange `number`; another customer's raises ExchangeNotFound."""
    exchange = get_exchange(session, customer_id, number)
    new_variant = Variant.__table__.alias("new_variant")  # type: ignore[attr-defined]
    rows = session.exec(
        select(ExchangeItem, OrderItem, Product, Variant.options, new_variant.c.options)  # type: ignore[call-overload]
        .join(OrderItem, col(OrderItem.id) == col(ExchangeItem.order_item_id))
        .join(Variant, col(Variant.id) == col(OrderItem.variant_id))
        .join(Product, col(Product.id) == col(Variant.product_id))
        .join(new_variant, new_variant.c.id == col(ExchangeItem.new_variant_id))
        .where(ExchangeItem.exchange_id == exchange.id)
        .order_by(col(ExchangeItem.id))
    ).all()
    method = session.get(PaymentMethod, exchange.payment_method_id) if exchange.payment_method_id else None
    replacement = session.exec(
        select(Shipment.tracking_number).where(Shipment.exchange_id == exchange.id, Shipment.direction == "outbound")
    ).first()
    return ExchangeView(
        number=exchange.number,
        order_id=exchange.order_id,
        status=exchange.status,
        created_at=exchange.created_at,
        price_difference_cents=exchange.price_difference_cents,
        payment=planned_move(method, exchange.price_difference_cents) if method else None,
        label_ref=exchange.label_ref,
        replacement_tracking=exchange.replacement_tracking or replacement,
        items=[
            ExchangedLine(
                order_item_id=item.order_item_id,
                product=product.name,
                old_options=parse_options(old_options),
                new_variant_id=item.new_variant_id,
                new_options=parse_options(new_options),
                quantity=item.quantity,
                difference_cents=(item.new_unit_price_cents - item.old_unit_price_cents) * item.quantity,
            )
            for item, _line, product, old_options, new_options in rows
        ],
        created=created,
    )


def exchange_by_key(session: Session, customer_id: str, key: str) -> ExchangeView | None:
    """The exchange an earlier call with `key` created for this customer (another customer's: never)."""
    number = session.exec(
        select(ExchangeRequest.number).where(
            ExchangeRequest.idempotency_key == key, ExchangeRequest.customer_id == customer_id
        )
    ).first()
    return exchange_view(session, customer_id, number) if number else None


def exchange_parcel(session: Session, exchange_id: int | None, direction: str) -> Shipment | None:
    """The exchange's return parcel ('return') or replacement ('outbound') the carrier booked, if any."""
    return session.exec(
        select(Shipment).where(Shipment.exchange_id == exchange_id, Shipment.direction == direction)
    ).first()


def record_exchange_parcels(
    session: Session, number: str, *, label_ref: str | None = None, replacement_tracking: str | None = None
) -> None:
    """Remember what the carrier booked (after the exchange committed); a requested exchange whose
    return label exists moves to label_created. A cancelled exchange keeps its status."""
    values = {k: v for k, v in (("label_ref", label_ref), ("replacement_tracking", replacement_tracking)) if v}
    if values:
        session.execute(update(ExchangeRequest).where(col(ExchangeRequest.number) == number).values(**values))
    if label_ref:
        session.execute(
            update(ExchangeRequest)
            .where(col(ExchangeRequest.number) == number, col(ExchangeRequest.status) == "requested")
            .values(status="label_created")
        )
    session.commit()


def cancel_exchange(
    session: Session,
    customer_id: str,
    number: str,
    idempotency_key: str,
    now: datetime,
    session_id: str | None = None,
    reason: str = "",
) -> ExchangeView:
    """Cancel the customer's exchange if the old item has not shipped: its units count as not exchanged,
    the new variants go back to stock and the price difference is reversed on the same payment method.
    The caller voids its parcels at the carrier afterwards (the cancellation stands if that fails)."""
    exchange = get_exchange(session, customer_id, number)
    if exchange.status == "cancelled" and exchange.cancel_key == idempotency_key:
        return exchange_view(session, customer_id, number)
    try:
        get_owned_order(session, customer_id, exchange.order_id, for_update=True)  # the lock exchanges take
        moved = session.execute(
            update(ExchangeRequest)
            .where(
                col(ExchangeRequest.id) == exchange.id,
                col(ExchangeRequest.status).in_(load_after_sales_policy().exchange.cancellable_statuses),
            )
            .values(status="cancelled", cancelled_at=now, cancel_key=idempotency_key)
        )
        # the old item shipped, or a racing call cancelled it, since we read it
        if moved.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
            session.rollback()
            view = exchange_view(session, customer_id, number)
            if view.status == "cancelled" and get_exchange(session, customer_id, number).cancel_key == idempotency_key:
                return view
            raise ExchangeNotCancellable(
                f"Exchange {view.number} can no longer be cancelled: it is {view.status_text}."
            )
        items = session.exec(select(ExchangeItem).where(ExchangeItem.exchange_id == exchange.id)).all()
        for item in items:
            _release_units(session, item)
        for item in sorted(items, key=lambda i: i.new_variant_id):  # the lock order exchanges take stock in
            put_back_stock(session, item.new_variant_id, item.quantity)
        if exchange.price_difference_cents and exchange.payment_method_id:
            method = session.get(PaymentMethod, exchange.payment_method_id)
            assert method is not None  # a foreign key
            settle(
                session,
                order_id=exchange.order_id,
                method=method,
                amount_cents=-exchange.price_difference_cents,
                note=f"exchange {exchange.number} cancelled",
                now=now,
            )
        settle_after_sales_status(session, exchange.order_id)
        audit.record(
            session,
            actor=customer_id,
            tool="cancel_exchange",
            outcome="ok",
            session_id=session_id,
            order_id=exchange.order_id,
            detail={"exchange": exchange.number, "reason": reason[:200]},
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return exchange_view(session, customer_id, number, created=True)


def _release_units(session: Session, item: ExchangeItem) -> None:
    items = OrderItem.__table__  # type: ignore[attr-defined]
    exchanged = func.coalesce(items.c.quantity_exchanged, 0)
    released = session.execute(
        update(items)
        .where(items.c.id == item.order_item_id, exchanged >= item.quantity)
        .values(quantity_exchanged=exchanged - item.quantity)
    )
    # only if the data was edited by hand: refuse rather than corrupt the counts
    if released.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
        raise RuntimeError(
            f"order item {item.order_item_id} has fewer exchanged units than exchange {item.exchange_id}"
        )
