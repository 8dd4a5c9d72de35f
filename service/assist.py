"""Agent-assist mode (RETURNDESK_ASSIST_MODE=assist, or a lead's choice for one conversation): the
assistant's replies and proposed confirmation cards are drafts a staff member approves, edits or
rejects before the customer sees them.

A reply draft: at the end of the turn the reply is taken out of the checkpoint and a notice takes its
place ("a colleague is checking the answer"), carrying the draft's text in its metadata (never shown,
never sent to a model). Approving (or editing) appends the text the staff member let through, so the
history, and the model's next turn, hold exactly what the customer saw. A card draft: the graph stays
paused at the card as usual, but the customer is not shown it (`hides`) until it is approved; they then
confirm or cancel it themselves. Whether a draft waits is its row in the database (every server
process agrees); every checkpoint write holds the session's turn lock.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, RemoveMessage

from core.messages import t
from mock_backends.orders.assist_drafts import hold_draft, mode_override, pending_draft
from mock_backends.orders.staff_models import AssistDraft
from service.results import SessionInfo, TurnResult

DRAFT_NOTICE = "draft_pending"
WITH_DRAFT = "assist"  # TurnResult.with_person while a draft waits for a staff member


def is_draft_notice(message: BaseMessage) -> bool:
    return (getattr(message, "response_metadata", None) or {}).get("returndesk_notice") == DRAFT_NOTICE


def notice_for(messages: list[BaseMessage], draft_id: int) -> AIMessage | None:
    """The notice that stands in the checkpoint for this reply draft."""
    for message in reversed(messages):
        metadata = getattr(message, "response_metadata", None) or {}
        if isinstance(message, AIMessage) and is_draft_notice(message) and metadata.get("returndesk_draft") == draft_id:
            return message
    return None


def released_message(notice: AIMessage, text: str, draft_id: int, decision: str) -> AIMessage:
    """The reply as the customer reads it: the draft's own metadata (mode, quick replies), the text let through."""
    metadata = dict((notice.response_metadata or {}).get("returndesk_draft_meta") or {})
    return AIMessage(
        content=text, response_metadata={**metadata, "returndesk_draft": draft_id, "returndesk_review": decision}
    )


class Assist:
    """`graph`, `engine`: the service's; `default_mode`: RETURNDESK_ASSIST_MODE."""

    def __init__(self, graph: Any, engine: Any, default_mode: str, clock: Any) -> None:
        self.graph, self.engine, self.default_mode, self.clock = graph, engine, default_mode, clock

    def mode_for(self, session_id: str) -> str:
        return mode_override(self.engine, session_id) or self.default_mode

    def waiting(self, session_id: str) -> AssistDraft | None:
        return pending_draft(self.engine, session_id)

    def hides(self, session_id: str, action_id: str) -> bool:
        """Whether this card is a draft no staff member has approved yet."""
        draft = self.waiting(session_id)
        return draft is not None and draft.kind == "card" and draft.action_id == action_id

    def hold(self, info: SessionInfo, result: TurnResult, before: int) -> TurnResult:
        """The turn's reply (or card) becomes a draft; the customer's result says a colleague is checking it.
        Runs under the session's turn lock (the end of the turn)."""
        config = {"configurable": {"thread_id": info.session_id}}
        messages = list(self.graph.get_state(config).values.get("messages", []))
        asked = next((str(m.content) for m in reversed(messages) if isinstance(m, HumanMessage)), "")
        language = result.language or info.language
        notice_text = t("assist.checking", language)
        if result.pending is not None:
            hold_draft(
                self.engine,
                session_id=info.session_id,
                kind="card",
                language=language,
                asked=asked,
                draft_text=result.pending.summary,
                action_id=result.pending.action_id,
                now=self.clock(),
            )
        else:
            new = messages[before:]
            reply = next(
                (m for m in reversed(new) if isinstance(m, AIMessage) and not m.tool_calls and m.content), None
            )
            if reply is None or reply.id is None:
                return result
            draft = hold_draft(
                self.engine,
                session_id=info.session_id,
                kind="reply",
                language=language,
                asked=asked,
                draft_text=str(reply.content),
                action_id=None,
                now=self.clock(),
            )
            metadata = reply.response_metadata or {}
            notice = AIMessage(
                content=notice_text,
                response_metadata={
                    "returndesk_mode": metadata.get("returndesk_mode", "model"),
                    "returndesk_notice": DRAFT_NOTICE,
                    "returndesk_draft": draft.id,
                    "returndesk_draft_text": str(reply.content),
                    "returndesk_draft_meta": dict(metadata),
                    "quick_replies": [],
                },
            )
            # As the `handoff` node: its only edge is to the end, so the next turn starts afresh.
            self.graph.update_state(config, {"messages": [RemoveMessage(id=reply.id), notice]}, as_node="handoff")
        return replace(
            result,
            reply=notice_text,
            pending=None,
            quick_replies=[],
            tool_trace=[],
            with_person=WITH_DRAFT,
            history_length=None,
        )
