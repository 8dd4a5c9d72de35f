"""Live takeover: while a conversation's hand-off ticket is open or claimed, a person has it.

The customer's messages are written into the conversation's checkpoint (as if the graph's `handoff`
node had ended the turn) and the graph is not run: the assistant stays silent. A staff member's
replies are written the same way, as AI messages marked `returndesk_mode: "staff"` with their display
name in `response_metadata`, so the customer's history shows them and, once handed back, the
assistant reads them as earlier turns of its own conversation. Whether a person has the conversation
is the ticket's row in the database, so every server process agrees; every write holds the session's
turn lock, so a customer's message and a staff reply never overwrite each other's checkpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from core import languages
from core.messages import t
from mock_backends.orders.handoff_queue import QueuedTicket, active_ticket, queue_position, withdraw
from mock_backends.orders.models import utcnow
from service.results import SessionInfo, TurnResult
from service.turn_lock import TurnLockTimeout

Notice = Literal["waiting", "claimed", "handed_back", "resolved"]
# The words of each notice are the catalogue's (`takeover.<notice>`).
STAFF_MODE = "staff"
# The hand-off message's own button: before anyone claims the ticket, it takes the customer back.
START_OVER = frozenset(t("guided.button.start_over", code) for code in languages.codes())


class TakeoverBusy(Exception):
    """The conversation's turn lock was held past the wait deadline (another message being written)."""


def staff_message(text: str, *, staff_id: int, staff_name: str) -> AIMessage:
    return AIMessage(
        content=text,
        name=f"staff-{staff_id}",
        response_metadata={
            "returndesk_mode": STAFF_MODE,
            "returndesk_staff": staff_name,
            "returndesk_staff_id": staff_id,
            "quick_replies": [],
        },
    )


def notice_message(kind: Notice, language: str, **values: Any) -> AIMessage:
    text = t(f"takeover.{kind}", language, **values)
    return AIMessage(
        content=text, response_metadata={"returndesk_mode": "guided", "returndesk_notice": kind, "quick_replies": []}
    )


def author_of(message: BaseMessage) -> str | None:
    """The staff member's display name on a message they wrote; None on everything else."""
    metadata = getattr(message, "response_metadata", None) or {}
    return metadata.get("returndesk_staff") if metadata.get("returndesk_mode") == STAFF_MODE else None


class Takeover:
    """Writes into a conversation that a person holds. `graph`, `engine`, `turn_lock`: the service's."""

    def __init__(self, graph: Any, engine: Any, turn_lock: Any, mode: str) -> None:
        self.graph, self.engine, self.turn_lock, self.mode = graph, engine, turn_lock, mode

    def holder(self, session_id: str) -> QueuedTicket | None:
        """The open or claimed ticket that keeps the assistant silent, if any."""
        return active_ticket(self.engine, session_id)

    def customer_message(self, info: SessionInfo, text: str, language: str) -> TurnResult | None:
        """Record the customer's message for the person who has (or will have) the conversation; None
        when nobody does (the graph answers). While the ticket waits, the customer is told their place."""
        if self.holder(info.session_id) is None:  # the common case: one indexed query, no lock
            return None
        with self._locked(info.session_id):
            ticket = self.holder(info.session_id)  # again, under the lock: it may have been handed back
            if ticket is None:
                return None
            if (
                ticket.ticket.status == "open"
                and text.strip() in START_OVER
                and withdraw(self.engine, ticket.ticket.id or 0, info.customer_id, utcnow())
            ):
                return None  # the assistant answers "Start over" (its menu)
            messages: list[BaseMessage] = [HumanMessage(content=text)]
            reply = ""
            if ticket.ticket.status == "open":
                position = queue_position(self.engine, ticket.ticket.id or 0)
                notice = notice_message("waiting", language, position=position)
                messages.append(notice)
                reply = str(notice.content)
            self._write(info.session_id, messages, language=language)
        return TurnResult(
            session_id=info.session_id,
            reply=reply,
            mode=self.mode,
            language=language,
            with_person="waiting" if ticket.ticket.status == "open" else "staff",
            staff_name=ticket.staff_name,
        )

    def post(self, session_id: str, messages: list[BaseMessage]) -> None:
        """A staff reply or a notice, written under the conversation's lock."""
        with self._locked(session_id):
            self._write(session_id, messages)

    def _write(self, session_id: str, messages: list[BaseMessage], **values: Any) -> None:
        # As the `handoff` node: its only edge is to the end, so the next customer turn starts afresh.
        self.graph.update_state(
            {"configurable": {"thread_id": session_id}}, {"messages": messages, **values}, as_node="handoff"
        )

    @contextmanager
    def _locked(self, session_id: str) -> Iterator[None]:
        try:
            with self.turn_lock.hold(session_id):
                yield
        except TurnLockTimeout:
            raise TakeoverBusy(session_id) from None
