"""The staff side's tables: staff accounts and their sign-in sessions (the hand-off ticket is in models.py).

Separate from customers on purpose: a staff member is no `customer` row, and a staff session is no
`chatsession`, so no customer credential can ever stand for a staff one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from mock_backends.orders.models import utcnow
from mock_backends.orders.pii_columns import REDACTED

STAFF_ROLES = ("agent", "lead")


class StaffMember(SQLModel, table=True):
    """A person who answers handed-off conversations (`agent`) or also runs the desk (`lead`)."""

    __table_args__ = (CheckConstraint("role IN ('agent', 'lead')", name="ck_staff_role"),)
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True, index=True, description="Lower-cased sign-in name.")
    display_name: str = Field(max_length=100, description="What customers see next to the staff member's replies.")
    role: str = Field(default="agent", max_length=10)
    password_hash: str = Field(max_length=255, description="argon2id hash (argon2-cffi's encoded form).")
    created_at: datetime = Field(default_factory=utcnow)
    disabled_at: datetime | None = Field(default=None, description="NULL: may sign in.")


class StaffSession(SQLModel, table=True):
    """A staff sign-in: the cookie holds a random token; only its SHA-256 digest is stored."""

    token_digest: str = Field(primary_key=True, max_length=64)
    staff_id: int = Field(foreign_key="staffmember.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    ended_at: datetime | None = Field(default=None, description="When the staff member signed out.")


ASSIST_MODES = ("front", "assist")
DRAFT_KINDS = ("reply", "card")
DRAFT_STATUSES = ("pending", "approved", "edited", "rejected")


class AssistDraft(SQLModel, table=True):
    """Agent-assist mode: an assistant reply (or a proposed confirmation card) held for a staff member
    to approve, edit or reject before the customer sees it. The text the customer is to read lives in
    the conversation's checkpoint; these copies (redacted) are for the queue's figures and the audit."""

    __table_args__ = (
        CheckConstraint("kind IN ('reply', 'card')", name="ck_assistdraft_kind"),
        CheckConstraint("status IN ('pending', 'approved', 'edited', 'rejected')", name="ck_assistdraft_status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="chatsession.id", index=True, max_length=64)
    kind: str = Field(default="reply", max_length=8)
    status: str = Field(default="pending", max_length=10, index=True)
    language: str = Field(default="en", max_length=8)
    asked: str = Field(default="", sa_column=Column(SAText, nullable=False, default="", info=REDACTED))
    draft_text: str = Field(default="", sa_column=Column(SAText, nullable=False, default="", info=REDACTED))
    final_text: str | None = Field(default=None, sa_column=Column(SAText, nullable=True, info=REDACTED))
    action_id: str | None = Field(default=None, max_length=64, description="The card's action, for a card draft.")
    edited: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    decided_at: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="staffmember.id")


class AssistOverride(SQLModel, table=True):
    """A lead's per-conversation choice of front-line or agent-assist mode (else the deployment's)."""

    __table_args__ = (CheckConstraint("mode IN ('front', 'assist')", name="ck_assistoverride_mode"),)
    session_id: str = Field(primary_key=True, foreign_key="chatsession.id", max_length=64)
    mode: str = Field(max_length=8)
    set_by: int = Field(foreign_key="staffmember.id")
    set_at: datetime = Field(default_factory=utcnow)


class FeedbackReview(SQLModel, table=True):
    """A thumbs-down a staff member has looked at: it leaves the feedback queue."""

    feedback_id: int = Field(primary_key=True, foreign_key="feedback.id")
    reviewed_by: int = Field(foreign_key="staffmember.id")
    reviewed_at: datetime = Field(default_factory=utcnow)
