"""What the lead's dashboard counts: the raw timestamps and labels of a period, read in a few queries.

Bucketed by day in Python (service/desk_stats.py) so the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mock_backends.orders.models import AuditEvent, ChatSession, Feedback, HandoffTicket, ReturnRequest


@dataclass(frozen=True)
class PeriodRows:
    sessions: list[tuple[str, datetime]]  # (session id, started)
    tickets: list[tuple[str | None, datetime, str, datetime | None]]  # (session id, opened, reason, claimed)
    returns: list[datetime]
    ratings: list[str]  # "up" / "down"
    staff_replies: list[tuple[str | None, datetime]]  # (session id, when)


def period_rows(engine: Engine, since: datetime) -> PeriodRows:
    with Session(engine) as db:
        sessions = db.exec(
            select(ChatSession.id, ChatSession.created_at).where(col(ChatSession.created_at) >= since)
        ).all()
        tickets = db.exec(
            select(
                HandoffTicket.session_id, HandoffTicket.created_at, HandoffTicket.reason, HandoffTicket.claimed_at
            ).where(col(HandoffTicket.created_at) >= since)
        ).all()
        returns = db.exec(select(ReturnRequest.created_at).where(col(ReturnRequest.created_at) >= since)).all()
        ratings = db.exec(select(Feedback.rating).where(col(Feedback.created_at) >= since)).all()
        replies = db.exec(
            select(AuditEvent.session_id, AuditEvent.at).where(
                AuditEvent.tool == "staff_reply", AuditEvent.outcome == "ok", col(AuditEvent.at) >= since
            )
        ).all()
    return PeriodRows(
        [tuple(r) for r in sessions],  # type: ignore[misc]
        [tuple(r) for r in tickets],  # type: ignore[misc]  # Row -> tuple
        list(returns),
        list(ratings),
        [tuple(r) for r in replies],  # type: ignore[misc]
    )
