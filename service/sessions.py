"""A chat session's life: its id, idle and absolute expiry, sign-out, and the cap on anonymous ones.

The session id is the conversation's only credential (a bearer secret the client presents), so it
is 256 random bits (`secrets.token_urlsafe(32)`, 43 characters) and stops working when the session
has been idle for RETURNDESK_SESSION_IDLE_MINUTES, is older than RETURNDESK_SESSION_MAX_HOURS, or was
signed out. Rows stay (feedback and audit rows refer to them); `ended_at` marks a sign-out.

Application logic, no HTTP: the ConversationService turns `SessionGone` into its errors.
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from limits import RateLimitItemPerHour
from limits.errors import StorageError
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from core.settings import Settings
from mock_backends.orders.models import ChatSession
from tools.sign_in_throttle import throttle_storage

SESSION_ID_BYTES = 32
MAX_SESSION_ID_CHARS = 64  # ChatSession.id's column
TOUCH_EVERY = timedelta(minutes=1)  # how stale `last_seen_at` may get: one write a minute, not one per request


class SessionGone(Exception):
    """No live session with that id: `reason` is "unknown", "expired" or "ended" (signed out)."""

    def __init__(self, reason: Literal["unknown", "expired", "ended"]) -> None:
        super().__init__(reason)
        self.reason = reason


def new_session_id() -> str:
    return secrets.token_urlsafe(SESSION_ID_BYTES)


def open_session(engine: Engine, *, customer_id: str | None, language: str, now: datetime) -> ChatSession:
    with Session(engine, expire_on_commit=False) as db:
        chat = ChatSession(
            id=new_session_id(), customer_id=customer_id, language=language, created_at=now, last_seen_at=now
        )
        db.add(chat)
        db.commit()
        return chat


def live_session(db: Session, settings: Settings, session_id: str, *, now: datetime) -> ChatSession:
    """The session, if it is still live; marks it used (at most once a minute). Raises SessionGone."""
    chat = db.get(ChatSession, session_id) if session_id and len(session_id) <= MAX_SESSION_ID_CHARS else None
    if chat is None:
        raise SessionGone("unknown")
    if chat.ended_at is not None:
        raise SessionGone("ended")
    last_seen = _utc(chat.last_seen_at or chat.created_at)
    if now - _utc(chat.created_at) > timedelta(hours=settings.session_max_hours) or now - last_seen > timedelta(
        minutes=settings.session_idle_minutes
    ):
        raise SessionGone("expired")
    if now - last_seen >= TOUCH_EVERY:
        db.execute(update(ChatSession).where(col(ChatSession.id) == chat.id).values(last_seen_at=now))
        db.commit()
    return chat


def end_session(engine: Engine, session_id: str, *, now: datetime) -> None:
    """Sign out: the id stops working at once, on every server process. Raises SessionGone("unknown")."""
    with Session(engine) as db:
        chat = db.get(ChatSession, session_id) if session_id and len(session_id) <= MAX_SESSION_ID_CHARS else None
        if chat is None:
            raise SessionGone("unknown")
        if chat.ended_at is None:  # signing out twice is no error
            db.execute(update(ChatSession).where(col(ChatSession.id) == chat.id).values(ended_at=now))
            db.commit()


@dataclass
class AnonymousSessionCap:
    """At most `per_hour` anonymous sessions per client address per hour, counted where the sign-in
    throttle counts (RETURNDESK_THROTTLE_URL), so every server process shares the count."""

    per_hour: int
    limiter: MovingWindowRateLimiter | None

    @classmethod
    def from_settings(cls, settings: Settings) -> AnonymousSessionCap:
        per_hour = settings.anonymous_sessions_per_hour
        return cls(per_hour, MovingWindowRateLimiter(throttle_storage(settings)) if per_hour > 0 else None)

    def wait_for(self, address: str | None) -> int:
        """Seconds until `address` may open another anonymous session; 0 (and counted) when it may now."""
        if self.limiter is None or not address:
            return 0
        item = RateLimitItemPerHour(self.per_hour)
        try:
            if self.limiter.hit(item, "anonymous-sessions", address):
                return 0
            reset = self.limiter.get_window_stats(item, "anonymous-sessions", address).reset_time
        except StorageError:  # an outage of the counter must not stop customers from starting a chat
            return 0
        return max(1, math.ceil(reset - time.time()))


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite hands back naive UTC
