"""Agent-assist drafts as staff work them: hold, list, decide (atomic), per-conversation mode, and
"reviewed" marks on thumbs-down feedback.

A draft goes pending -> approved | edited | rejected in one conditional UPDATE (`status = 'pending'`),
so when two staff members (in any two server processes) act on one draft, exactly one wins; the
other's answer names who did what. Every decision is audited with actor "staff:<id>" in the same
transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.redaction import redact
from mock_backends.orders import audit
from mock_backends.orders.models import Feedback
from mock_backends.orders.staff_models import AssistDraft, AssistOverride, FeedbackReview, StaffMember

DECISIONS = ("approved", "edited", "rejected")


class DraftConflict(Exception):
    """The draft was decided already (`status`, by `staff_name`), or is missing (`status` "missing")."""

    def __init__(self, status: str, staff_name: str | None) -> None:
        super().__init__(status)
        self.status, self.staff_name = status, staff_name


def hold_draft(
    engine: Engine,
    *,
    session_id: str,
    kind: str,
    language: str,
    asked: str,
    draft_text: str,
    action_id: str | None,
    now: datetime,
) -> AssistDraft:
    with Session(engine, expire_on_commit=False) as db:
        draft = AssistDraft(
            session_id=session_id,
            kind=kind,
            language=language,
            asked=asked[:4000],
            draft_text=draft_text[:8000],
            action_id=action_id,
            created_at=now,
        )
        db.add(draft)
        db.flush()
        audit.record(
            db,
            actor="assistant",
            tool="assist_draft_held",
            outcome="ok",
            session_id=session_id,
            detail={"draft": draft.id},
        )
        db.commit()
        return draft


def pending_draft(engine: Engine, session_id: str) -> AssistDraft | None:
    """The conversation's draft waiting for a staff member, if any (at most one: no turn runs meanwhile)."""
    with Session(engine, expire_on_commit=False) as db:
        return db.exec(
            select(AssistDraft)
            .where(AssistDraft.session_id == session_id, AssistDraft.status == "pending")
            .order_by(col(AssistDraft.id).desc())
        ).first()


def get_draft(engine: Engine, draft_id: int) -> tuple[AssistDraft, str | None] | None:
    """The draft and the display name of who decided it."""
    with Session(engine, expire_on_commit=False) as db:
        row = db.exec(
            select(AssistDraft, StaffMember)
            .join(StaffMember, col(StaffMember.id) == col(AssistDraft.decided_by), isouter=True)
            .where(AssistDraft.id == draft_id)
        ).first()
        return (row[0], row[1].display_name if row[1] else None) if row else None


def list_drafts(engine: Engine, statuses: tuple[str, ...], limit: int = 200) -> list[tuple[AssistDraft, str | None]]:
    """Pending drafts oldest first (the queue's order); decided ones newest first."""
    order = col(AssistDraft.id) if statuses == ("pending",) else col(AssistDraft.id).desc()
    with Session(engine, expire_on_commit=False) as db:
        rows = db.exec(
            select(AssistDraft, StaffMember)
            .join(StaffMember, col(StaffMember.id) == col(AssistDraft.decided_by), isouter=True)
            .where(col(AssistDraft.status).in_(statuses))
            .order_by(order)
            .limit(limit)
        ).all()
        return [(d, s.display_name if s else None) for d, s in rows]


def decide(
    engine: Engine, draft_id: int, staff_id: int, *, status: str, final_text: str | None, now: datetime
) -> AssistDraft:
    """Approve, edit or reject a pending draft; raises DraftConflict when it is not pending any more."""
    assert status in DECISIONS
    with Session(engine, expire_on_commit=False) as db:
        done = db.execute(
            update(AssistDraft)
            .where(col(AssistDraft.id) == draft_id, col(AssistDraft.status) == "pending")
            .values(
                status=status,
                edited=status == "edited",
                final_text=redact(final_text) if final_text is not None else None,  # Core UPDATE: no ORM hook
                decided_at=now,
                decided_by=staff_id,
            )
        ).rowcount  # type: ignore[attr-defined]
        if not done:
            db.rollback()
            raise _conflict(engine, draft_id)
        draft = db.get(AssistDraft, draft_id)
        assert draft is not None
        audit.record(
            db,
            actor=f"staff:{staff_id}",
            tool=f"staff_draft_{status}",
            outcome="ok",
            session_id=draft.session_id,
            detail={"draft": draft_id, "kind": draft.kind, "chars": len(final_text or "")},
        )
        db.commit()
        db.refresh(draft)
        return draft


def audit_refusal(engine: Engine, draft_id: int, staff_id: int, action: str, status: str) -> None:
    """A decision that came too late (or for no such draft), audited in a transaction of its own."""
    found = get_draft(engine, draft_id)
    audit.record_now(
        engine,
        actor=f"staff:{staff_id}",
        tool=f"staff_draft_{action}",
        outcome="refused",
        session_id=found[0].session_id if found else None,
        detail={"draft": draft_id, "status": status},
    )


def draft_rows(engine: Engine, since: datetime) -> list[AssistDraft]:
    """Drafts held since `since`, and every one still pending: the dashboard's figures."""
    with Session(engine, expire_on_commit=False) as db:
        return list(
            db.exec(
                select(AssistDraft).where(
                    (col(AssistDraft.created_at) >= since) | (col(AssistDraft.status) == "pending")
                )
            )
        )


def mode_override(engine: Engine, session_id: str) -> str | None:
    with Session(engine) as db:
        row = db.get(AssistOverride, session_id)
        return row.mode if row else None


def set_mode_override(engine: Engine, session_id: str, mode: str | None, staff_id: int, now: datetime) -> None:
    """A lead's choice for one conversation; None: back to the deployment's setting. Audited."""
    with Session(engine) as db:
        row = db.get(AssistOverride, session_id)
        if mode is None:
            if row is not None:
                db.delete(row)
        elif row is None:
            db.add(AssistOverride(session_id=session_id, mode=mode, set_by=staff_id, set_at=now))
        else:
            row.mode, row.set_by, row.set_at = mode, staff_id, now
            db.add(row)
        audit.record(
            db,
            actor=f"staff:{staff_id}",
            tool="staff_assist_mode",
            outcome="ok",
            session_id=session_id,
            detail={"mode": mode or "default"},
        )
        db.commit()


def mark_reviewed(engine: Engine, feedback_id: int, staff_id: int, now: datetime) -> bool:
    """Mark a thumbs-down reviewed (audited); False when it was already, or there is no such feedback."""
    with Session(engine) as db:
        feedback = db.get(Feedback, feedback_id)
        if feedback is None or feedback.rating != "down":
            return False
        db.add(FeedbackReview(feedback_id=feedback_id, reviewed_by=staff_id, reviewed_at=now))
        audit.record(
            db,
            actor=f"staff:{staff_id}",
            tool="staff_feedback_reviewed",
            outcome="ok",
            session_id=feedback.session_id,
            detail={"feedback": feedback_id},
        )
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            return False
        return True


def reviewed_feedback(engine: Engine) -> set[int]:
    with Session(engine) as db:
        return set(db.exec(select(FeedbackReview.feedback_id)).all())


def feedback_exists(engine: Engine, feedback_id: int) -> bool:
    with Session(engine) as db:
        found: Any = db.get(Feedback, feedback_id)
        return found is not None and found.rating == "down"


def _conflict(engine: Engine, draft_id: int) -> DraftConflict:
    found = get_draft(engine, draft_id)
    if found is None:
        return DraftConflict("missing", None)
    return DraftConflict(found[0].status, found[1])
