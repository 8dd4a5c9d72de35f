"""The staff console's feedback queue: thumbs-down answers, with the customer's comment, the answer
and what the customer had asked, read from the checkpoint (the session may have expired long ago)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from mock_backends.orders.assist_drafts import reviewed_feedback
from mock_backends.orders.models import Feedback
from service.conversation import ConversationService, history_of


def thumbs_down(conversations: ConversationService, limit: int = 100) -> list[dict[str, Any]]:
    """Newest first: each with `answer`, `asked` (the customer's message before it) and `comment`;
    the ones a staff member marked reviewed are left out."""
    reviewed = reviewed_feedback(conversations.deps.engine)
    with Session(conversations.deps.engine) as db:
        rows = db.exec(
            select(Feedback).where(Feedback.rating == "down").order_by(col(Feedback.created_at).desc()).limit(limit)
        ).all()
    found = []
    for row in rows:
        if row.id in reviewed:
            continue
        state = conversations.graph.get_state({"configurable": {"thread_id": row.session_id}})
        history = history_of(state.values.get("messages", []))
        answer = history[row.message_index] if row.message_index < len(history) else {}
        asked = next((h["content"] for h in reversed(history[: row.message_index]) if h["role"] == "user"), "")
        found.append(
            {
                "id": row.id,
                "session_id_hint": row.session_id[:6],
                "message_index": row.message_index,
                "comment": row.comment,
                "created_at": row.created_at.isoformat(),
                "asked": asked,
                "answer": answer.get("content", ""),
                "mode": answer.get("mode"),
                "author": answer.get("author"),
            }
        )
    return found
