"""Thumbs up / down on an answer: stored per (session, message), exported for fine-tuning."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Literal

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.redaction import redact_data
from mock_backends.orders.models import Feedback, utcnow
from service.conversation import ConversationError, ConversationService

Rating = Literal["up", "down"]


class NotAnAnswer(ConversationError):
    status = 422
    code = "not_an_answer"


def record_feedback(
    conversations: ConversationService, session_id: str, message_index: int, rating: Rating, comment: str = ""
) -> Feedback:
    """Rate the assistant answer at `message_index` of the history; rating it again replaces the rating."""
    history = conversations.history(session_id)
    if not 0 <= message_index < len(history) or history[message_index]["role"] != "assistant":
        raise NotAnAnswer(
            f"Message {message_index} is not an answer of this conversation; "
            f"rate an assistant message (0-{len(history) - 1})."
        )
    with Session(conversations.deps.engine, expire_on_commit=False) as db:
        row = db.exec(
            select(Feedback).where(Feedback.session_id == session_id, Feedback.message_index == message_index)
        ).first()
        row = row or Feedback(session_id=session_id, message_index=message_index, rating=rating)
        row.rating, row.comment, row.created_at = rating, comment, utcnow()
        db.add(row)
        db.commit()
        return row


def rated_session_ids(engine: Engine) -> list[str]:
    with Session(engine) as db:
        return sorted(set(db.exec(select(Feedback.session_id)).all()))


def rated_conversations(conversations: ConversationService, rating: Rating | None = None) -> Iterator[dict]:
    """One record per rated conversation: the messages (OpenAI chat format) and the ratings on them."""
    engine = conversations.deps.engine
    for session_id in rated_session_ids(engine):
        with Session(engine) as db:
            rows = db.exec(
                select(Feedback).where(Feedback.session_id == session_id).order_by(col(Feedback.message_index))
            ).all()
        ratings = [
            {"message_index": r.message_index, "rating": r.rating, "comment": r.comment}
            for r in rows
            if rating is None or r.rating == rating
        ]
        if not ratings:
            continue
        history = conversations.history(session_id)
        yield {
            "session_id": session_id,
            "messages": [{"role": m["role"], "content": m["content"]} for m in history],
            "feedback": ratings,
        }


def export_jsonl(conversations: ConversationService, rating: Rating | None = None) -> Iterator[str]:
    """One JSON line per rated conversation, PII redacted: an export leaves the customer's own chat."""
    for record in rated_conversations(conversations, rating):
        yield json.dumps(redact_data(record), ensure_ascii=False)
