"""The customer's page while a person has the conversation: their replies arrive without a turn.

While a hand-off ticket is open or claimed, or (agent-assist mode) a draft waits for a staff member,
the page looks every RETURNDESK_STAFF_POLL_S for answers it has not shown (a staff member's replies,
"X has joined", "handed back", an approved draft), by position in the conversation's history, and
stops looking once the conversation is back with the assistant. An approved card draft shows as the
card (`released_card`).
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
        # Before the history: an answer written just after this read is shown at the next look.
        with_person = (
            conversations.takeover.holder(session_id) is not None
            or conversations.assist.waiting(session_id) is not None
        )
        history = conversations.history(session_id)
    except ConversationError:  # signed out or expired: the next turn tells the customer
        return messages, seen, False
    new = [shown_as(entry) for entry in history[seen:] if entry["role"] == "assistant"]
    return ([*messages, *new] if new else messages), len(history), with_person


def person_holding(conversations: ConversationService, session_id: str | None) -> str | None:
    """The display name of the staff member who has claimed the conversation, if one has."""
    if not session_id:
        return None
    ticket = conversations.takeover.holder(session_id)
    return ticket.staff_name if ticket is not None and ticket.ticket.status == "claimed" else None


def released_card(conversations: ConversationService, session_id: str | None, shown: str | None) -> Any:
    """The card waiting for the customer, when it is not the one on screen (a staff member just
    approved it); None otherwise."""
    if not session_id:
        return None
    try:
        card = conversations.pending(session_id)
    except ConversationError:
        return None
    return card if card is not None and card.action_id != shown else None
