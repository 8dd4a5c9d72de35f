"""The hand-off queue as staff work it: list, claim (atomic), close, and what a customer is waiting for.

A ticket goes open -> claimed -> handed_back | resolved (an open one may be closed directly, or
withdrawn by the customer, "Start over", before anyone claims it). Every
change is one conditional UPDATE, so two staff members (in any two server processes) can never both
hold a ticket, and every change is audited with actor "staff:<id>" in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mock_backends.orders import audit
from mock_backends.orders.handoff import ticket_reference
from mock_backends.orders.models import Customer, HandoffTicket, Order, ReturnRequest
from mock_backends.orders.staff_models import StaffMember

ACTIVE = ("open", "claimed")  # the customer is with a person (or waiting for one): the assistant is silent
CLOSED = ("handed_back", "resolved", "withdrawn")


@dataclass(frozen=True)
class QueuedTicket:
    ticket: HandoffTicket
    reference: str
    customer_name: str | None
    staff_name: str | None  # who holds (or closed) it


class TicketConflict(Exception):
    """The ticket is not in a state that allows the change: `status` and `staff_name` say why."""

    def __init__(self, status: str, staff_name: str | None) -> None:
        super().__init__(status)
        self.status, self.staff_name = status, staff_name


def actor(staff_id: int) -> str:
    return f"staff:{staff_id}"


def list_tickets(engine: Engine, statuses: tuple[str, ...], limit: int = 200) -> list[QueuedTicket]:
    """Tickets in these states, oldest first (the queue's order)."""
    with Session(engine, expire_on_commit=False) as db:
        rows = db.exec(
            select(HandoffTicket, Customer, StaffMember)
            .join(Customer, col(Customer.id) == col(HandoffTicket.customer_id), isouter=True)
            .join(StaffMember, col(StaffMember.id) == col(HandoffTicket.claimed_by), isouter=True)
            .where(col(HandoffTicket.status).in_(statuses))
            .order_by(col(HandoffTicket.id))
            .limit(limit)
        ).all()
        return [_queued(t, c, s) for t, c, s in rows]


def get_ticket(engine: Engine, ticket_id: int) -> QueuedTicket | None:
    with Session(engine, expire_on_commit=False) as db:
        row = db.exec(
            select(HandoffTicket, Customer, StaffMember)
            .join(Customer, col(Customer.id) == col(HandoffTicket.customer_id), isouter=True)
            .join(StaffMember, col(StaffMember.id) == col(HandoffTicket.claimed_by), isouter=True)
            .where(HandoffTicket.id == ticket_id)
        ).first()
        return _queued(*row) if row else None


def active_ticket(engine: Engine, session_id: str) -> QueuedTicket | None:
    """The conversation's ticket that keeps the assistant silent (open or claimed), if any."""
    with Session(engine, expire_on_commit=False) as db:
        row = db.exec(
            select(HandoffTicket, StaffMember)
            .join(StaffMember, col(StaffMember.id) == col(HandoffTicket.claimed_by), isouter=True)
            .where(HandoffTicket.session_id == session_id, col(HandoffTicket.status).in_(ACTIVE))
            .order_by(col(HandoffTicket.id).desc())
        ).first()
        return _queued(row[0], None, row[1]) if row else None


def queue_position(engine: Engine, ticket_id: int) -> int:
    """1 for the oldest open ticket: how many open tickets (this one included) are at or before it."""
    with Session(engine) as db:
        return int(
            db.exec(
                select(func.count())
                .select_from(HandoffTicket)
                .where(HandoffTicket.status == "open", col(HandoffTicket.id) <= ticket_id)
            ).one()
        )


def claim(engine: Engine, ticket_id: int, staff_id: int, now: datetime) -> None:
    """Take an open ticket. Raises TicketConflict (who has it) when it is not open any more."""
    with Session(engine) as db:
        taken = db.execute(
            update(HandoffTicket)
            .where(col(HandoffTicket.id) == ticket_id, col(HandoffTicket.status) == "open")
            .values(status="claimed", claimed_by=staff_id, claimed_at=now)
        ).rowcount  # type: ignore[attr-defined]
        if not taken:
            db.rollback()
            raise _conflict(engine, ticket_id)
        _audit(db, ticket_id, staff_id, "staff_claim")
        db.commit()


def close(engine: Engine, ticket_id: int, staff_id: int, *, status: str, note: str, now: datetime) -> None:
    """Hand back or resolve: allowed on an open ticket or one this staff member holds."""
    assert status in CLOSED
    with Session(engine) as db:
        held_here = (col(HandoffTicket.status) == "open") | (
            (col(HandoffTicket.status) == "claimed") & (col(HandoffTicket.claimed_by) == staff_id)
        )
        done = db.execute(
            update(HandoffTicket)
            .where(col(HandoffTicket.id) == ticket_id, held_here)
            .values(
                status=status,
                closed_at=now,
                closing_note=note or None,
                claimed_by=func.coalesce(col(HandoffTicket.claimed_by), staff_id),
            )
        ).rowcount  # type: ignore[attr-defined]
        if not done:
            db.rollback()
            raise _conflict(engine, ticket_id)
        _audit(
            db, ticket_id, staff_id, "staff_hand_back" if status == "handed_back" else "staff_resolve", note=note[:200]
        )
        db.commit()


def withdraw(engine: Engine, ticket_id: int, customer_id: str | None, now: datetime) -> bool:
    """The customer goes back to the assistant before anyone claimed the ticket; False if someone did."""
    with Session(engine) as db:
        done = db.execute(
            update(HandoffTicket)
            .where(col(HandoffTicket.id) == ticket_id, col(HandoffTicket.status) == "open")
            .values(status="withdrawn", closed_at=now)
        ).rowcount  # type: ignore[attr-defined]
        if done:
            ticket = db.get(HandoffTicket, ticket_id)
            audit.record(
                db,
                actor=customer_id,
                tool="customer_withdrew",
                outcome="ok",
                session_id=ticket.session_id if ticket else None,
                detail={"ticket": ticket_reference(ticket) if ticket else None},
            )
        db.commit()
        return bool(done)


def check_holds(engine: Engine, ticket_id: int, staff_id: int) -> QueuedTicket:
    """The ticket, if this staff member holds it (a reply needs that); raises TicketConflict otherwise."""
    found = get_ticket(engine, ticket_id)
    if found is None or found.ticket.status != "claimed" or found.ticket.claimed_by != staff_id:
        raise _conflict(engine, ticket_id)
    return found


def audit_staff(
    engine: Engine, ticket_id: int | None, staff_id: int, action: str, outcome: str = "ok", **detail: Any
) -> None:
    with Session(engine) as db:
        _audit(db, ticket_id, staff_id, action, outcome, **detail)
        db.commit()


def customer_orders(engine: Engine, customer_id: str, limit: int = 20) -> list[Order]:
    with Session(engine, expire_on_commit=False) as db:
        return list(
            db.exec(
                select(Order)
                .where(Order.customer_id == customer_id)
                .order_by(col(Order.created_at).desc())
                .limit(limit)
            )
        )


def customer_returns(engine: Engine, customer_id: str, limit: int = 20) -> list[ReturnRequest]:
    with Session(engine, expire_on_commit=False) as db:
        return list(
            db.exec(
                select(ReturnRequest)
                .where(ReturnRequest.customer_id == customer_id)
                .order_by(col(ReturnRequest.created_at).desc())
                .limit(limit)
            )
        )


def _audit(db: Session, ticket_id: int | None, staff_id: int, action: str, outcome: str = "ok", **detail: Any) -> None:
    ticket = db.get(HandoffTicket, ticket_id) if ticket_id else None
    audit.record(
        db,
        actor=actor(staff_id),
        tool=action,
        outcome=outcome,
        session_id=ticket.session_id if ticket else None,
        detail={"ticket": ticket_reference(ticket) if ticket else None, **detail},
    )


def _conflict(engine: Engine, ticket_id: int) -> TicketConflict:
    found = get_ticket(engine, ticket_id)
    if found is None:
        return TicketConflict("missing", None)
    return TicketConflict(found.ticket.status, found.staff_name)


def _queued(ticket: HandoffTicket, customer: Customer | None, staff: StaffMember | None) -> QueuedTicket:
    return QueuedTicket(
        ticket,
        ticket_reference(ticket),
        customer.display_name if customer else None,
        staff.display_name if staff else None,
    )
