"""Hand-off tickets: a conversation passed to a human agent, with the summary they start from."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mock_backends.orders import audit
from mock_backends.orders.models import HandoffTicket

MAX_SUMMARY_CHARS = 4000


def ticket_reference(ticket: HandoffTicket) -> str:
    """What the customer quotes to a colleague, e.g. 'HD-000042'."""
    return f"HD-{ticket.id or 0:06d}"


def open_ticket(
    engine: Engine,
    *,
    customer_id: str | None,
    session_id: str | None,
    reason: str,
    summary: str,
    language: str | None = None,
) -> HandoffTicket:
    """Open a ticket for this conversation, or refresh the one already open (one open ticket per
    session, so a replayed or repeated hand-off never queues the customer twice)."""
    with Session(engine, expire_on_commit=False) as db:
        ticket = None
        if session_id:
            ticket = db.exec(
                select(HandoffTicket)
                .where(HandoffTicket.session_id == session_id, HandoffTicket.status == "open")
                .order_by(col(HandoffTicket.id).desc())
            ).first()
        if ticket is None:
            ticket = HandoffTicket(customer_id=customer_id, session_id=session_id)
        ticket.reason = reason[:200]
        ticket.summary = summary[:MAX_SUMMARY_CHARS]
        ticket.customer_id = ticket.customer_id or customer_id
        ticket.language = language or ticket.language
        db.add(ticket)
        db.flush()
        audit.record(
            db,
            actor=customer_id,
            tool="transfer_to_human",
            outcome="ok",
            session_id=session_id,
            detail={"ticket": ticket_reference(ticket), "reason": reason[:200]},
        )
        db.commit()
        db.refresh(ticket)
        return ticket
