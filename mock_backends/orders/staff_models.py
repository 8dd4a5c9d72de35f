"""The staff side's tables: staff accounts and their sign-in sessions (the hand-off ticket is in models.py).

Separate from customers on purpose: a staff member is no `customer` row, and a staff session is no
`chatsession`, so no customer credential can ever stand for a staff one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from mock_backends.orders.models import utcnow

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
