"""The customer's page while a person has the conversation: their replies arrive without a turn.

While a hand-off ticket is open or claimed, the page looks every RETURNDESK_STAFF_POLL_S for answers
it has not shown (a staff member's replies, "X has joined", "handed back"), by position in the
conversation's history, and stops looking once the conversation is back with the assistant.
"""

from __future__ import annotations

import html
from typing import Any

from service.conversation import ConversationError, ConversationService


def shown_as(entry: dict[str, Any]) -> dict[str, Any]:
    """A history entry as a chat message; a person's reply is signed with their display name."""
    text = html.escape(str(entry["content"]), quote=False)
    if entry.get("author"):
        text = f"**{html.escape(entry['author'], quote=False)}**: {text}"
    return {"role": "assistant", "content": text}


def news_from_person(
    conversations: ConversationService, session_id: str | None, messages: list[dict[str, Any]], seen: int
) -> tuple[list[dict[str, Any]], int, bool]:
    """(the chat with the new answers appended, the history length now shown, whether to keep looking)."""
    if not session_id:
        return messages, seen, False
    try:
        with_person = conversations.takeover.holder(session_id) is not None  # before the history: see above
        history = conversations.history(session_id)
    except ConversationError:  # signed out or expired: the next turn tells the customer
        return messages, seen, False
    new = [shown_as(entry) for entry in history[seen:] if entry["role"] == "assistant"]
    return ([*messages, *new] if new else messages), len(history), with_person
