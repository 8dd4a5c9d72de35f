"""After a return is created: where it stands, and cancelling it before it ships.

Cancelling is the inverse of `returns.create_return` and follows the same rules: ownership first
(another customer's RMA is "not found"), one transaction that locks the order row, guarded UPDATEs
so racing calls cannot both succeed, and the audit row committed with the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.messages import t
from mock_backends.orders import audit
from mock_backends.orders.errors import OrderSystemError
from mock_backends.orders.localized import payment_method_description, product_names
from mock_backends.orders.models import (
    Order,
    OrderItem,
    PaymentMethod,
    Product,
    ReturnItem,
    ReturnRequest,
    Shipment,
    Variant,
)
from mock_backends.orders.order_status import settle_after_sales_status
from mock_backends.orders.repository import get_owned_order
from mock_backends.orders.returns import get_return

# The parcel has not left the customer yet: nothing is in the carrier's or the warehouse's hands.
CANCELLABLE_STATUSES: tuple[str, ...] = ("requested", "label_created")


class ReturnNotCancellable(OrderSystemError):
    code = "not_cancellable"
    hint = "Tell the customer the return's status; offer to track the parcel or transfer to a person."


@dataclass(frozen=True)
class ReturnedLine:
    order_item_id: int
    product: str
    quantity: int
    refund_cents: int


@dataclass(frozen=True)
class ReturnView:
    """One return as the customer may see it, in their language (`language`)."""

    rma: str
    order_id: str
    status: str
    created_at: datetime
    refund_method: str
    refund_to: str | None  # what the customer recognises: "Visa ending 4242", "尾号 4242 的 Visa 卡"
    refund_amount_cents: int
    currency: str  # the order's: every amount above and below is in it
    label_ref: str | None
    items: list[ReturnedLine]  # product names in the customer's language
    language: str = "en"

    @property
    def cancellable(self) -> bool:
        return self.status in CANCELLABLE_STATUSES

    @property
    def status_text(self) -> str:
        return t(f"return_status.{self.status}", self.language)


def returned_lines(session: Session, return_id: int | None) -> list[tuple[ReturnItem, OrderItem, Product]]:
    """A return's items with the order line and product each comes from, in the order they were added."""
    return list(
        session.exec(
            select(ReturnItem, OrderItem, Product)
            .join(OrderItem, col(OrderItem.id) == col(ReturnItem.order_item_id))
            .join(Variant, col(Variant.id) == col(OrderItem.variant_id))
            .join(Product, col(Product.id) == col(Variant.product_id))
            .where(ReturnItem.return_id == return_id)
            .order_by(col(ReturnItem.id))
        ).all()
    )


def return_view(session: Session, customer_id: str, rma: str, language: str = "en") -> ReturnView:
    """The customer's return `rma`, in `language`; another customer's return raises ReturnNotFound."""
    ret = get_return(session, customer_id, rma)
    rows = returned_lines(session, ret.id)
    names = product_names(session, [product for _item, _line, product in rows], language)
    refund_to = session.get(PaymentMethod, ret.refund_payment_method_id) if ret.refund_payment_method_id else None
    currency = session.exec(select(Order.currency).where(Order.id == ret.order_id)).one()
    return ReturnView(
        rma=ret.rma,
        order_id=ret.order_id,
        status=ret.status,
        created_at=ret.created_at,
        refund_method=ret.refund_method,
        refund_to=payment_method_description(refund_to, language),
        refund_amount_cents=ret.refund_amount_cents,
        currency=currency,
        label_ref=ret.label_ref,
        items=[
            ReturnedLine(
                order_item_id=line.id or 0,
                product=names[product.id],
                quantity=item.quantity,
                refund_cents=line.unit_price_cents * item.quantity,
            )
            for item, line, product in rows
        ],
        language=language,
    )


def return_parcel(session: Session, return_id: int | None) -> Shipment | None:
    """The parcel the carrier booked for a return (its label), if any; found even when the carrier's
    answer never reached us, so a cancellation can void a label we were never told about."""
    return session.exec(select(Shipment).where(Shipment.return_id == return_id, Shipment.direction == "return")).first()


def ensure_cancellable(view: ReturnView) -> None:
    if not view.cancellable:
        # In English, like every error of the order system (the agent says it in the customer's words).
        status = t(f"return_status.{view.status}", "en")
        raise ReturnNotCancellable(f"Return {view.rma} can no longer be cancelled: it is {status}.")


def cancel_return(
    engine: Engine, *, customer_id: str, rma: str, session_id: str | None = None, reason: str = "", language: str = "en"
) -> ReturnView:
    """Cancel the customer's return if it has not shipped; its items count as not returned again."""
    with Session(engine) as session:
        ret = get_return(session, customer_id, rma)
        # Same lock as create_return takes: a cancel and a new return of the same items serialise.
        get_owned_order(session, customer_id, ret.order_id, for_update=True)
        moved = session.execute(
            update(ReturnRequest)
            .where(col(ReturnRequest.id) == ret.id, col(ReturnRequest.status).in_(CANCELLABLE_STATUSES))
            .values(status="cancelled")
        )
        # shipped, or cancelled by a racing call, since we read it
        if moved.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
            session.rollback()
            ensure_cancellable(return_view(session, customer_id, rma, language))
            raise ReturnNotCancellable(f"Return {ret.rma} has just changed; please check its status again.")
        items = session.exec(select(ReturnItem).where(ReturnItem.return_id == ret.id)).all()
        for item in items:
            _release_quantity(session, item)
        settle_after_sales_status(session, ret.order_id)
        audit.record(
            session,
            actor=customer_id,
            tool="cancel_return",
            outcome="ok",
            session_id=session_id,
            order_id=ret.order_id,
            detail={"rma": ret.rma, "reason": reason[:200], "lines": [(i.order_item_id, i.quantity) for i in items]},
        )
        session.commit()
        return return_view(session, customer_id, rma, language)


def _release_quantity(session: Session, item: ReturnItem) -> None:
    """Give back the units this return reserved; the guard keeps quantity_returned from going negative."""
    released = session.execute(
        update(OrderItem)
        .where(col(OrderItem.id) == item.order_item_id, col(OrderItem.quantity_returned) >= item.quantity)
        .values(quantity_returned=col(OrderItem.quantity_returned) - item.quantity)
    )
    if released.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
        # Only reachable if the data was edited by hand: refuse rather than corrupt the counts.
        raise RuntimeError(f"order item {item.order_item_id} has fewer returned units than return {item.return_id}")
