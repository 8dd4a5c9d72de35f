"""The carrier's records of parcels and return labels.

The mock carrier reads and writes the shop's `shipment` table through its own engine, since a mock
has no records of its own; a real carrier would keep them and share only the tracking number.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import languages
from mock_backends.logistics.timeline import Parcel
from mock_backends.orders.localized import product_names
from mock_backends.orders.models import Customer, Order, ReturnRequest, Shipment
from mock_backends.orders.repository import normalize_order_id
from mock_backends.orders.return_lifecycle import returned_lines

RETURNS_CENTRE = "ReturnDesk Returns Centre, 100 Warehouse Way, Reno NV 89502, US"


class UnknownReturn(LookupError):
    """No return authorisation with that RMA on that order."""


@dataclass(frozen=True)
class ReturnLabelFacts:
    """What is printed on a return label."""

    tracking_number: str
    carrier: str
    rma: str
    order_id: str
    sender: str  # as the sender's language writes a name: "Alice Chen", "王芳"
    sender_address: str
    recipient_address: str = RETURNS_CENTRE
    voided_at: datetime | None = None  # a voided label must not be printed (the app answers 410)
    language: str = languages.DEFAULT  # the sender's: the label's words and product names are in it
    items: tuple[tuple[str, int], ...] = ()  # (product name, quantity) in the parcel


def find_parcel(engine: Engine, tracking_number: str) -> Parcel | None:
    with Session(engine) as session:
        shipment = session.exec(select(Shipment).where(Shipment.tracking_number == tracking_number)).first()
        if shipment is None:
            return None
        return Parcel(tracking_number=shipment.tracking_number, carrier=shipment.carrier,
                      direction=shipment.direction, fate=shipment.fate, handed_over_at=shipment.created_at,
                      voided_at=shipment.voided_at)


def book_return_shipment(engine: Engine, *, rma: str, order_id: str, now: datetime) -> tuple[Shipment, bool]:
    """The return parcel for this RMA, created on first request (so a retried request books one label).

    Its tracking number is random: one must not be able to work it out from the RMA (and print the
    label, with the customer's name and address). One return parcel per return is the database's
    rule (`uq_shipment_return`), so two racing requests for the same RMA still book one parcel.
    """
    with Session(engine, expire_on_commit=False) as session:
        ret = session.exec(select(ReturnRequest).where(ReturnRequest.rma == rma.strip().upper())).first()
        if ret is None or ret.order_id != normalize_order_id(order_id):
            raise UnknownReturn(f"No return {rma} on order {normalize_order_id(order_id)}.")
        return_id, return_order = ret.id, ret.order_id
        for _attempt in range(3):
            existing = _return_shipment(session, return_id)
            if existing is not None:
                return existing, False
            shipment = Shipment(order_id=return_order, return_id=return_id, direction="return",
                                tracking_number=new_return_tracking_number(), created_at=now)
            session.add(shipment)
            try:
                session.commit()
                return shipment, True
            except IntegrityError:  # booked concurrently (found above on the next round), or a number drawn twice
                session.rollback()
        raise RuntimeError(f"could not book a return parcel for {rma}")


def return_label_facts(engine: Engine, tracking_number: str) -> ReturnLabelFacts | None:
    """The label of a return parcel; None for unknown numbers and for outbound parcels (no label to print)."""
    with Session(engine) as session:
        row = session.exec(
            select(Shipment, ReturnRequest, Order, Customer)
            .join(ReturnRequest, ReturnRequest.id == Shipment.return_id)  # type: ignore[arg-type]
            .join(Order, Order.id == Shipment.order_id)  # type: ignore[arg-type]
            .join(Customer, Customer.id == Order.customer_id)  # type: ignore[arg-type]
            .where(Shipment.tracking_number == tracking_number, Shipment.direction == "return")
        ).first()
        if row is None:
            return None
        shipment, ret, order, customer = row
        language = languages.get(customer.preferred_language).code
        lines = returned_lines(session, ret.id)
        names = product_names(session, [product for _item, _line, product in lines], language)
        return ReturnLabelFacts(tracking_number=shipment.tracking_number, carrier=shipment.carrier, rma=ret.rma,
                                order_id=order.id, sender=customer.display_name, sender_address=order.ship_to,
                                voided_at=shipment.voided_at, language=language,
                                items=tuple((names[product.id], item.quantity) for item, _line, product in lines))


def void_return_label(engine: Engine, tracking_number: str, now: datetime) -> Shipment | None:
    """Void the label of a return parcel (its return was cancelled); None for unknown numbers and outbound parcels.

    Idempotent: voiding again keeps the first moment, so tracking tells one story however often it is asked.
    """
    with Session(engine, expire_on_commit=False) as session:
        session.execute(update(Shipment)
                        .where(col(Shipment.tracking_number) == tracking_number, col(Shipment.direction) == "return",
                               col(Shipment.voided_at).is_(None))
                        .values(voided_at=now))
        session.commit()
        return session.exec(select(Shipment).where(Shipment.tracking_number == tracking_number,
                                                   Shipment.direction == "return")).first()


def new_return_tracking_number() -> str:
    """'RR' + 10 random digits (the format of return labels; QA masks it as a volatile id)."""
    return f"RR{secrets.randbelow(10**10):010d}"


def _return_shipment(session: Session, return_id: int | None) -> Shipment | None:
    return session.exec(select(Shipment).where(Shipment.return_id == return_id,
                                               Shipment.direction == "return")).first()
