"""Staff accounts and staff sign-in sessions: the rows and the queries (no hashing, no HTTP)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mock_backends.orders.staff_models import StaffMember, StaffSession


class StaffExists(ValueError):
    """A staff account with that email exists already."""


def add_staff(engine: Engine, *, email: str, display_name: str, role: str, password_hash: str) -> StaffMember:
    with Session(engine, expire_on_commit=False) as db:
        if db.exec(select(StaffMember).where(func.lower(StaffMember.email) == email.lower())).first():
            raise StaffExists(f"A staff account for {email} exists already.")
        member = StaffMember(email=email.lower(), display_name=display_name, role=role, password_hash=password_hash)
        db.add(member)
        db.commit()
        return member


def all_staff(engine: Engine) -> list[StaffMember]:
    with Session(engine) as db:
        return list(db.exec(select(StaffMember).order_by(col(StaffMember.id))))


def staff_by_email(engine: Engine, email: str) -> StaffMember | None:
    with Session(engine, expire_on_commit=False) as db:
        return db.exec(select(StaffMember).where(StaffMember.email == email.strip().lower())).first()


def staff_by_id(engine: Engine, staff_id: int) -> StaffMember | None:
    with Session(engine, expire_on_commit=False) as db:
        return db.get(StaffMember, staff_id)


def set_password_hash(engine: Engine, staff_id: int, password_hash: str) -> None:
    """argon2 parameters changed since the hash was made: store the re-hash made at sign-in."""
    with Session(engine) as db:
        db.execute(update(StaffMember).where(col(StaffMember.id) == staff_id).values(password_hash=password_hash))
        db.commit()


def open_staff_session(
    engine: Engine, *, token_digest: str, staff_id: int, now: datetime, expires_at: datetime
) -> None:
    with Session(engine) as db:
        db.add(StaffSession(token_digest=token_digest, staff_id=staff_id, created_at=now, expires_at=expires_at))
        db.commit()


def live_staff_session(engine: Engine, token_digest: str, now: datetime) -> StaffMember | None:
    """The staff member signed in with this token, if the session is neither ended nor expired."""
    with Session(engine, expire_on_commit=False) as db:
        row = db.exec(
            select(StaffSession, StaffMember)
            .join(StaffMember, col(StaffMember.id) == col(StaffSession.staff_id))
            .where(StaffSession.token_digest == token_digest)
        ).first()
        if row is None:
            return None
        session, member = row
        expires = session.expires_at if session.expires_at.tzinfo else session.expires_at.replace(tzinfo=now.tzinfo)
        if session.ended_at is not None or expires <= now or member.disabled_at is not None:
            return None
        return member


def end_staff_session(engine: Engine, token_digest: str, now: datetime) -> None:
    with Session(engine) as db:
        db.execute(
            update(StaffSession)
            .where(col(StaffSession.token_digest) == token_digest, col(StaffSession.ended_at).is_(None))
            .values(ended_at=now)
        )
        db.commit()
