"""The carrier's records of parcels and return labels: return parcels for RMAs and exchanges, and
outbound replacement parcels for exchanges.

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
from mock_backends.orders.after_sales_models import ExchangeRequest
from mock_backends.orders.localized import product_names
from mock_backends.orders.models import Customer, Order, ReturnRequest, Shipment
from mock_backends.orders.repository import normalize_order_id
from mock_backends.orders.return_lifecycle import returned_lines

RETURNS_CENTRE = "ReturnDesk Returns Centre, 100 Warehouse Way, Reno NV 89502, US"


class UnknownReturn(LookupError):
    """No return authorisation (or exchange) with that number on that order."""


class UnknownShipment(LookupError):
    """No replacement parcel with that tracking number."""


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
        return Parcel(
            tracking_number=shipment.tracking_number,
            carrier=shipment.carrier,
            direction=shipment.direction,
            fate=shipment.fate,
            handed_over_at=shipment.created_at,
            voided_at=shipment.voided_at,
        )


def book_return_shipment(engine: Engine, *, rma: str, order_id: str, now: datetime) -> tuple[Shipment, bool]:
    """The return parcel for this RMA (or exchange number: its old item goes back the same way), created
    on first request (so a retried request books one label).

    Its tracking number is random: one must not be able to work it out from the RMA (and print the
    label, with the customer's name and address). One return parcel per return and per exchange is the
    database's rule (`uq_shipment_return`, `uq_shipment_exchange`), so racing requests book one parcel.
    """
    reference = rma.strip().upper()
    with Session(engine, expire_on_commit=False) as session:
        ret = session.exec(select(ReturnRequest).where(ReturnRequest.rma == reference)).first()
        exchange = (
            None if ret else session.exec(select(ExchangeRequest).where(ExchangeRequest.number == reference)).first()
        )
        owner = ret or exchange
        if owner is None or owner.order_id != normalize_order_id(order_id):
            raise UnknownReturn(f"No return {rma} on order {normalize_order_id(order_id)}.")
        link = {"return_id": ret.id} if ret else {"exchange_id": exchange.id}  # type: ignore[union-attr]
        return _book(session, order_id=owner.order_id, direction="return", now=now, link=link)


def book_outbound_shipment(engine: Engine, *, reference: str, order_id: str, now: datetime) -> tuple[Shipment, bool]:
    """The replacement parcel of an exchange, handed over now; booked once per exchange."""
    number = reference.strip().upper()
    with Session(engine, expire_on_commit=False) as session:
        exchange = session.exec(select(ExchangeRequest).where(ExchangeRequest.number == number)).first()
        if exchange is None or exchange.order_id != normalize_order_id(order_id):
            raise UnknownReturn(f"No exchange {reference} on order {normalize_order_id(order_id)}.")
        return _book(
            session, order_id=exchange.order_id, direction="outbound", now=now, link={"exchange_id": exchange.id}
        )


def _book(
    session: Session, *, order_id: str, direction: str, now: datetime, link: dict[str, int | None]
) -> tuple[Shipment, bool]:
    """The parcel of this return or exchange in `direction`, or the one booked before for it. A racing
    request loses on the unique index and finds the winner's on the next round."""
    for _attempt in range(3):
        existing = _linked_shipment(session, direction, link)
        if existing is not None:
            return existing, False
        shipment = Shipment(
            order_id=order_id,
            direction=direction,
            created_at=now,
            tracking_number=new_tracking_number("RR" if direction == "return" else "RS"),
            **link,  # type: ignore[arg-type]  # link is {"return_id" or "exchange_id": id}
        )
        session.add(shipment)
        try:
            session.commit()
            return shipment, True
        except IntegrityError:  # booked concurrently (found above on the next round), or a number drawn twice
            session.rollback()
    raise RuntimeError(f"could not book a {direction} parcel for {link}")


def cancel_outbound_shipment(engine: Engine, tracking_number: str, now: datetime) -> Shipment:
    """Stop an exchange's replacement parcel (the exchange was cancelled); cancelling again keeps the
    first moment. Only replacements can be cancelled here: an order's own delivery cannot."""
    with Session(engine, expire_on_commit=False) as session:
        session.execute(
            update(Shipment)
            .where(
                col(Shipment.tracking_number) == tracking_number,
                col(Shipment.direction) == "outbound",
                col(Shipment.exchange_id).is_not(None),
                col(Shipment.voided_at).is_(None),
            )
            .values(voided_at=now)
        )
        session.commit()
        shipment = _by_tracking_number(session, tracking_number)
        if shipment is None or shipment.direction != "outbound" or shipment.exchange_id is None:
            raise UnknownShipment(f"No replacement parcel with tracking number {tracking_number}.")
        return shipment


def return_label_facts(engine: Engine, tracking_number: str) -> ReturnLabelFacts | None:
    """The label of a return parcel; None for unknown numbers and for outbound parcels (no label to print)."""
    with Session(engine) as session:
        row = session.exec(
            select(Shipment, ReturnRequest.rma, ExchangeRequest.number, Order, Customer)  # type: ignore[call-overload]  # sqlmodel stops at 4
            .outerjoin(ReturnRequest, ReturnRequest.id == Shipment.return_id)
            .outerjoin(ExchangeRequest, ExchangeRequest.id == Shipment.exchange_id)
            .join(Order, Order.id == Shipment.order_id)
            .join(Customer, Customer.id == Order.customer_id)
            .where(Shipment.tracking_number == tracking_number, Shipment.direction == "return")
        ).first()
        if row is None or not (row[1] or row[2]):
            return None
        shipment, rma, exchange_number, order, customer = row
        language = languages.get(customer.preferred_language).code
        lines = returned_lines(session, shipment.return_id) if shipment.return_id else []
        names = product_names(session, [product for _item, _line, product in lines], language)
        return ReturnLabelFacts(
            tracking_number=shipment.tracking_number,
            carrier=shipment.carrier,
            rma=rma or exchange_number,
            order_id=order.id,
            sender=customer.display_name,
            sender_address=order.ship_to,
            voided_at=shipment.voided_at,
            language=language,
            items=tuple((names[product.id], item.quantity) for item, _line, product in lines),
        )


def void_return_label(engine: Engine, tracking_number: str, now: datetime) -> Shipment | None:
    """Void the label of a return parcel (its return was cancelled); None for unknown numbers and outbound parcels.

    Idempotent: voiding again keeps the first moment, so tracking tells one story however often it is asked.
    """
    with Session(engine, expire_on_commit=False) as session:
        session.execute(
            update(Shipment)
            .where(
                col(Shipment.tracking_number) == tracking_number,
                col(Shipment.direction) == "return",
                col(Shipment.voided_at).is_(None),
            )
            .values(voided_at=now)
        )
        session.commit()
        return session.exec(
            select(Shipment).where(Shipment.tracking_number == tracking_number, Shipment.direction == "return")
        ).first()


def new_tracking_number(prefix: str = "RR") -> str:
    """`prefix` + 10 random digits: 'RR' for return labels, 'RS' for exchange replacements (QA masks them)."""
    return f"{prefix}{secrets.randbelow(10**10):010d}"


def new_return_tracking_number() -> str:
    return new_tracking_number("RR")


def _linked_shipment(session: Session, direction: str, link: dict[str, int | None]) -> Shipment | None:
    [(column, value)] = link.items()
    return session.exec(
        select(Shipment).where(getattr(Shipment, column) == value, Shipment.direction == direction)
    ).first()


def _by_tracking_number(session: Session, tracking_number: str) -> Shipment | None:
    return session.exec(select(Shipment).where(Shipment.tracking_number == tracking_number)).first()
