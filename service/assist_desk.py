"""The staff side of agent-assist mode: the drafts queue and each draft's Approve / Edit and send /
Reject, a lead's per-conversation mode, and "reviewed" marks on thumbs-down feedback. Mixed into
`service.staff.StaffService`; every action is audited with actor "staff:<id>".

Two staff members acting on one draft at once: both wait for the conversation's turn lock, the first
decides it (a conditional UPDATE, `mock_backends/orders/assist_drafts.py`), the second is told who did
(409 `draft_decided`); nothing the first wrote is lost.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableConfig

from mock_backends.orders import assist_drafts as drafts
from mock_backends.orders.assist_drafts import DraftConflict
from mock_backends.orders.handoff import open_ticket
from mock_backends.orders.handoff_queue import active_ticket, queue_position
from mock_backends.orders.staff_models import ASSIST_MODES, AssistDraft, StaffMember
from service.assist import notice_for, released_message
from service.conversation import (
    CONTROL_CHARS,
    ConversationError,
    ConversationService,
    SessionBusy,
    _pending_in,
    history_of,
)
from service.takeover import notice_message, staff_message
from service.turn_lock import TurnLockTimeout

MAX_DRAFT_CHARS = 4000
DRAFT_QUEUES = {"pending": ("pending",), "decided": ("approved", "edited", "rejected")}


class DraftError(ConversationError):
    code = "draft_error"


class DraftNotFound(DraftError):
    status, code = 404, "draft_not_found"


class DraftDecided(DraftError):
    status, code = 409, "draft_decided"


class DraftTextRefused(DraftError):
    status, code = 400, "bad_draft_text"


class DraftTextTooLong(DraftError):
    status, code = 413, "reply_too_long"


class FeedbackNotFound(DraftError):
    status, code = 404, "feedback_not_found"


def draft_text(text: str | None, *, required: bool) -> str:
    """A staff member's edit or own reply: no NUL bytes, no control characters, 1 to 4,000 characters."""
    if text is not None and "\x00" in text:
        raise DraftTextRefused("The text contains a NUL byte.")
    cleaned = CONTROL_CHARS.sub("", text or "").strip()
    if required and not cleaned:
        raise DraftTextRefused("The text is empty.")
    if len(cleaned) > MAX_DRAFT_CHARS:
        raise DraftTextTooLong(f"The text is too long ({len(cleaned)} characters; the limit is {MAX_DRAFT_CHARS}).")
    return cleaned


class AssistDesk:
    """Needs `conversations`, `engine`, `clock` and `require_lead` (StaffService has them)."""

    conversations: ConversationService
    engine: Any
    clock: Any

    def require_lead(self, member: StaffMember) -> StaffMember:
        raise NotImplementedError

    # --- the queue --------------------------------------------------------------------------
    def drafts(self, which: str = "pending") -> list[dict[str, Any]]:
        statuses = DRAFT_QUEUES.get(which)
        if statuses is None:
            raise DraftError(f"Unknown drafts queue {which!r}: one of {', '.join(DRAFT_QUEUES)}.")
        return [self._draft_view(d, name) for d, name in drafts.list_drafts(self.engine, statuses)]

    def draft(self, draft_id: int) -> dict[str, Any]:
        found = drafts.get_draft(self.engine, draft_id)
        if found is None:
            raise DraftNotFound(f"There is no draft {draft_id}.")
        return self._draft_view(*found)

    # --- decisions --------------------------------------------------------------------------
    def approve_draft(self, member: StaffMember, draft_id: int) -> dict[str, Any]:
        """The customer reads the draft as it is (a card: they see it, and confirm or cancel it themselves)."""
        return self._decide(member, draft_id, "approved", None)

    def edit_draft(self, member: StaffMember, draft_id: int, text: str) -> dict[str, Any]:
        """The customer reads the staff member's text instead, as the assistant's answer."""
        return self._decide(member, draft_id, "edited", draft_text(text, required=True))

    def reject_draft(self, member: StaffMember, draft_id: int, text: str = "") -> dict[str, Any]:
        """The customer gets nothing of the draft. With `text`, they read that, under the staff member's
        name; without, the conversation goes to the hand-off queue: a person must answer it."""
        return self._decide(member, draft_id, "rejected", draft_text(text, required=False) or None)

    def set_assist_mode(self, member: StaffMember, draft_id: int, mode: str) -> dict[str, Any]:
        """Leads: this draft's conversation in `front` or `assist` mode, or `default` (the deployment's)."""
        self.require_lead(member)
        if mode not in (*ASSIST_MODES, "default"):
            raise DraftError(f"The mode is front, assist or default, not {mode!r}.")
        found = drafts.get_draft(self.engine, draft_id)
        if found is None:
            raise DraftNotFound(f"There is no draft {draft_id}.")
        session_id = found[0].session_id
        drafts.set_mode_override(
            self.engine, session_id, None if mode == "default" else mode, member.id or 0, self.clock()
        )
        return self._draft_view(*found)

    def set_ticket_assist_mode(self, member: StaffMember, session_id: str | None, mode: str) -> None:
        self.require_lead(member)
        if mode not in (*ASSIST_MODES, "default"):
            raise DraftError(f"The mode is front, assist or default, not {mode!r}.")
        if session_id:
            drafts.set_mode_override(
                self.engine, session_id, None if mode == "default" else mode, member.id or 0, self.clock()
            )

    # --- feedback reviewed ------------------------------------------------------------------
    def mark_feedback_reviewed(self, member: StaffMember, feedback_id: int) -> None:
        if not drafts.feedback_exists(self.engine, feedback_id):
            raise FeedbackNotFound(f"There is no thumbs-down {feedback_id}.")
        drafts.mark_reviewed(self.engine, feedback_id, member.id or 0, self.clock())  # twice: the same

    # --- internals --------------------------------------------------------------------------
    def _decide(self, member: StaffMember, draft_id: int, status: str, text: str | None) -> dict[str, Any]:
        found = drafts.get_draft(self.engine, draft_id)
        if found is None:
            raise DraftNotFound(f"There is no draft {draft_id}.")
        session_id = found[0].session_id
        try:
            with self.conversations.turn_lock.hold(session_id):
                try:
                    draft = drafts.decide(
                        self.engine, draft_id, member.id or 0, status=status, final_text=text, now=self.clock()
                    )
                except DraftConflict as conflict:
                    drafts.audit_refusal(self.engine, draft_id, member.id or 0, status, conflict.status)
                    raise _decided(draft_id, conflict) from None
                self._release(draft, member, status, text)
        except TurnLockTimeout:
            raise SessionBusy("The customer's conversation is busy; try again in a moment.") from None
        return self.draft(draft_id)

    def _release(self, draft: AssistDraft, member: StaffMember, status: str, text: str | None) -> None:
        """What the customer reads now (the caller holds the conversation's turn lock)."""
        config: RunnableConfig = {"configurable": {"thread_id": draft.session_id}}
        graph = self.conversations.graph
        messages: list[BaseMessage] = []
        if draft.kind == "reply":
            notice = notice_for(graph.get_state(config).values.get("messages", []), draft.id or 0)
            original = str((notice.response_metadata or {}).get("returndesk_draft_text", "")) if notice else ""
            if status in ("approved", "edited") and notice is not None:
                messages.append(
                    released_message(
                        notice, (text or original) if status == "edited" else original, draft.id or 0, status
                    )
                )
        elif status == "rejected":
            self.conversations.drop_card(draft.session_id)
        if status == "rejected":
            if text:
                messages.append(staff_message(text, staff_id=member.id or 0, staff_name=member.display_name))
            else:
                messages += self._to_queue(draft, member)
        if messages:
            graph.update_state(config, {"messages": messages}, as_node="handoff")

    def _to_queue(self, draft: AssistDraft, member: StaffMember) -> list[AIMessage]:
        """A rejected draft with no reply of the staff member's own: a person must answer, so the
        conversation joins the hand-off queue and the customer is told their place."""
        if active_ticket(self.engine, draft.session_id) is not None:
            return []
        info = self.conversations.session(draft.session_id) if draft.session_id else None
        ticket = open_ticket(
            self.engine,
            customer_id=info.customer_id if info else None,
            session_id=draft.session_id,
            reason="draft_rejected",
            summary=f"> {draft.asked}\n\nThe assistant's draft answer was rejected by {member.display_name}.",
            language=draft.language,
        )
        position = queue_position(self.engine, ticket.id or 0)
        return [notice_message("waiting", draft.language, position=position)]

    def _draft_view(self, draft: AssistDraft, decided_by: str | None) -> dict[str, Any]:
        now = self.clock()
        created = draft.created_at if draft.created_at.tzinfo else draft.created_at.replace(tzinfo=now.tzinfo)
        decided = draft.decided_at
        if decided is not None and decided.tzinfo is None:
            decided = decided.replace(tzinfo=now.tzinfo)
        state = self.conversations.graph.get_state({"configurable": {"thread_id": draft.session_id}})
        messages = state.values.get("messages", [])
        text, card = draft.draft_text, None
        if draft.kind == "reply" and (notice := notice_for(messages, draft.id or 0)) is not None:
            text = str((notice.response_metadata or {}).get("returndesk_draft_text", text))
        pending = _pending_in(state) if draft.kind == "card" and draft.status == "pending" else None
        if pending is not None and pending.action_id == draft.action_id:
            card = {
                "title": pending.title,
                "summary": pending.summary,
                "lines": [{"label": line.label, "value": line.value} for line in pending.lines],
                "amounts": [{"label": a.label, "value": a.formatted(pending.language)} for a in pending.amounts],
                "on_confirm": pending.on_confirm,
            }
        history = history_of(messages)
        return {
            "id": draft.id,
            "kind": draft.kind,
            "status": draft.status,
            "language": draft.language,
            "session_id_hint": draft.session_id[:6],
            "mode": self.conversations.assist.mode_for(draft.session_id),
            "asked": draft.asked,
            "text": text,
            "card": card,
            "final_text": draft.final_text,
            "edited": draft.edited,
            "decided_by": decided_by,
            "created_at": created.isoformat(),
            "decided_at": decided.isoformat() if decided else None,
            "waiting_s": max(0, int(((decided or now) - created).total_seconds())),
            "context": [{"role": h["role"], "content": h["content"], "author": h.get("author")} for h in history[-6:]],
        }


def _decided(draft_id: int, conflict: DraftConflict) -> DraftError:
    if conflict.status == "missing":
        return DraftNotFound(f"There is no draft {draft_id}.")
    who = conflict.staff_name or "another colleague"
    return DraftDecided(f"Draft {draft_id} was {conflict.status} by {who} already: nothing was changed.")
