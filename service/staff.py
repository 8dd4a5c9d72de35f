"""The staff side: accounts, sign-in, the hand-off queue and the actions on a ticket (claim, reply,
hand back, resolve), every one audited with actor "staff:<id>". No HTTP: the doors turn the errors
below (ConversationErrors, so the API's error shape renders them) into answers.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from mock_backends.orders import handoff_queue as queue
from mock_backends.orders import staff as accounts
from mock_backends.orders.handoff_queue import ACTIVE, CLOSED, QueuedTicket, TicketConflict
from mock_backends.orders.staff_models import STAFF_ROLES, StaffMember
from service.assist_desk import AssistDesk
from service.conversation import CONTROL_CHARS, ConversationError, ConversationService, SessionBusy
from service.desk_stats import desk_stats
from service.exports import help_centre_gaps, training_jsonl
from service.feedback_review import thumbs_down
from service.staff_transcript import transcript
from service.takeover import Notice, TakeoverBusy, notice_message, staff_message
from tools.sign_in_throttle import SignInThrottle, SignInThrottled, SignInUnavailable

MAX_REPLY_CHARS = 4000
MAX_NOTE_CHARS = 2000
MIN_PASSWORD_CHARS = 10
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
QUEUES = {"open": ("open",), "claimed": ("claimed",), "closed": CLOSED, "active": ACTIVE}
HASHER = PasswordHasher()  # argon2id with argon2-cffi's current defaults


@cache
def unknown_account_hash() -> str:
    """Verified against when the email is unknown, so a wrong email costs as long as a wrong password.

    Made at the first sign-in, known account or not (so that one costs the same either way), not at
    import: hashing is half a second of every server start."""
    return HASHER.hash(secrets.token_urlsafe(16))


__all__ = ["StaffMember", "StaffService"]  # the doors name the account type through here


class StaffError(ConversationError):
    code = "staff_error"


class StaffSignInFailed(StaffError):
    status, code = 401, "staff_sign_in_failed"


class StaffSignInRequired(StaffError):
    status, code = 401, "staff_sign_in_required"


class CustomerNotStaff(StaffError):
    """A customer's session on a staff route: it is no staff credential, whatever it holds."""

    status, code = 403, "staff_only"


class LeadOnly(StaffError):
    status, code = 403, "lead_only"


class TicketNotFound(StaffError):
    status, code = 404, "ticket_not_found"


class TicketTaken(StaffError):
    status, code = 409, "ticket_claimed"


class TicketClosed(StaffError):
    status, code = 409, "ticket_closed"


class ReplyTooLong(StaffError):
    status, code = 413, "reply_too_long"


class BadStaffAccount(ValueError):
    """`returndesk staff add` with an email, role, name or password that cannot be used."""


@dataclass(frozen=True)
class SignedIn:
    token: str  # the cookie's value; only its digest is stored
    member: StaffMember


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class StaffService(AssistDesk):
    def __init__(self, conversations: ConversationService) -> None:
        self.conversations = conversations
        self.settings = conversations.settings
        self.engine = conversations.deps.engine
        self.clock = conversations.deps.clock
        self.throttle = SignInThrottle.from_settings(self.settings)

    # --- accounts ---------------------------------------------------------------------------
    def add(self, email: str, display_name: str, role: str, password: str) -> StaffMember:
        return add_staff_member(self.engine, email, display_name, role, password)

    # --- sign-in ----------------------------------------------------------------------------
    def sign_in(self, email: str, password: str, *, client: str | None) -> SignedIn:
        """Check the password (throttled per email and per address, as customers' sign-ins are)."""
        email = (email or "").strip().lower()[:255]
        try:
            attempt = self.throttle.begin(account=f"staff:{email}", address=client)
        except SignInThrottled as error:
            raise _throttled(str(error), error.retry_after) from error
        except SignInUnavailable as error:
            raise StaffError(str(error)) from error
        member = accounts.staff_by_email(self.engine, email) if email else None
        matches = _password_matches(member, password)  # hashed even for an unknown email: same time taken
        if member is None or member.disabled_at is not None or not matches:
            self.throttle.failed(attempt)
            queue.audit_staff(self.engine, None, (member.id or 0) if member else 0, "staff_sign_in", "refused")
            raise StaffSignInFailed("Wrong email or password.")
        self.throttle.succeeded(attempt)
        if HASHER.check_needs_rehash(member.password_hash):
            accounts.set_password_hash(self.engine, member.id or 0, HASHER.hash(password))
        token, now = secrets.token_urlsafe(32), self.clock()
        accounts.open_staff_session(
            self.engine,
            token_digest=token_digest(token),
            staff_id=member.id or 0,
            now=now,
            expires_at=now + timedelta(hours=self.settings.staff_session_hours),
        )
        queue.audit_staff(self.engine, None, member.id or 0, "staff_sign_in")
        return SignedIn(token, member)

    def member_for(self, token: str | None) -> StaffMember | None:
        """The signed-in staff member this cookie belongs to; None for anything else."""
        if not token or len(token) > 100:
            return None
        return accounts.live_staff_session(self.engine, token_digest(token), self.clock())

    def sign_out(self, token: str | None) -> None:
        if token and (member := self.member_for(token)) is not None:
            accounts.end_staff_session(self.engine, token_digest(token), self.clock())
            queue.audit_staff(self.engine, None, member.id or 0, "staff_sign_out")

    def is_customer_session(self, value: str | None) -> bool:
        """Whether `value` is a live customer session id (so a staff route answers 403, not 401)."""
        if not value:
            return False
        try:
            self.conversations.session(value)
        except ConversationError:
            return False
        return True

    def require_lead(self, member: StaffMember) -> StaffMember:
        if member.role != "lead":
            raise LeadOnly("This is for leads (returndesk staff add ... --role lead).")
        return member

    def dashboard(self, member: StaffMember) -> dict[str, Any]:
        """The lead's figures for the last two weeks (service/desk_stats.py)."""
        self.require_lead(member)
        return desk_stats(self.engine, self.clock())

    def training_jsonl(self, member: StaffMember) -> Iterator[str]:
        """Thumbs-up answers as OpenAI chat-with-tools fine-tuning lines, redacted (service/exports.py)."""
        self.require_lead(member)
        queue.audit_staff(self.engine, None, member.id or 0, "staff_export_training")
        return training_jsonl(self.conversations)

    def help_centre_gaps(self, member: StaffMember) -> list[dict[str, Any]]:
        self.require_lead(member)
        return help_centre_gaps(self.conversations)

    def feedback(self) -> list[dict[str, Any]]:
        """Thumbs-down answers with their comments, newest first; those marked reviewed are left out."""
        return thumbs_down(self.conversations)

    # --- the queue --------------------------------------------------------------------------
    def queue(self, which: str = "active") -> list[dict[str, Any]]:
        statuses = QUEUES.get(which)
        if statuses is None:
            raise StaffError(f"Unknown queue {which!r}: one of {', '.join(QUEUES)}.")
        return [self._summary(t) for t in queue.list_tickets(self.engine, statuses)]

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        """The ticket with the whole transcript and the customer's orders and returns."""
        found = self._find(ticket_id)
        view = self._summary(found) | {
            "summary": found.ticket.summary,
            "closing_note": found.ticket.closing_note,
            "transcript": [],
            "orders": [],
            "returns": [],
        }
        if sid := found.ticket.session_id:
            state = self.conversations.graph.get_state({"configurable": {"thread_id": sid}})
            view["transcript"] = transcript(state.values.get("messages", []), self.conversations._card(sid))
        if cid := found.ticket.customer_id:
            view["orders"] = [
                {
                    "id": o.id,
                    "status": o.status,
                    "created_at": o.created_at.isoformat(),
                    "total": f"{o.total_cents / 100:.2f}",
                }
                for o in queue.customer_orders(self.engine, cid)
            ]
            view["returns"] = [
                {
                    "rma": r.rma,
                    "order_id": r.order_id,
                    "status": r.status,
                    "refund": f"{r.refund_amount_cents / 100:.2f}",
                    "refund_method": r.refund_method,
                    "created_at": r.created_at.isoformat(),
                }
                for r in queue.customer_returns(self.engine, cid)
            ]
        return view

    # --- actions ----------------------------------------------------------------------------
    def claim(self, member: StaffMember, ticket_id: int) -> dict[str, Any]:
        found = self._find(ticket_id)
        try:
            queue.claim(self.engine, ticket_id, member.id or 0, self.clock())
        except TicketConflict as conflict:
            queue.audit_staff(self.engine, ticket_id, member.id or 0, "staff_claim", "refused", status=conflict.status)
            raise _conflict_error(found.reference, conflict) from None
        self._notify(found, "claimed", member)
        return self.ticket(ticket_id)

    def reply(self, member: StaffMember, ticket_id: int, text: str) -> dict[str, Any]:
        """Write to the customer: it appears in their chat under the staff member's display name."""
        text = CONTROL_CHARS.sub("", text or "").strip()
        if not text:
            raise StaffError("The reply is empty.")
        if len(text) > MAX_REPLY_CHARS:
            raise ReplyTooLong(f"The reply is too long ({len(text)} characters; the limit is {MAX_REPLY_CHARS}).")
        found = self._find(ticket_id)
        try:
            queue.check_holds(self.engine, ticket_id, member.id or 0)
        except TicketConflict as conflict:
            raise _conflict_error(found.reference, conflict, replying=True) from None
        self._post(found, [staff_message(text, staff_id=member.id or 0, staff_name=member.display_name)])
        queue.audit_staff(self.engine, ticket_id, member.id or 0, "staff_reply", chars=len(text))
        return self.ticket(ticket_id)

    def hand_back(self, member: StaffMember, ticket_id: int, note: str = "") -> dict[str, Any]:
        """The assistant answers again, with the staff member's turns in its history."""
        return self._close(member, ticket_id, "handed_back", note)

    def resolve(self, member: StaffMember, ticket_id: int, note: str = "") -> dict[str, Any]:
        return self._close(member, ticket_id, "resolved", note)

    def _close(self, member: StaffMember, ticket_id: int, status: str, note: str) -> dict[str, Any]:
        note = CONTROL_CHARS.sub("", note or "").strip()
        if len(note) > MAX_NOTE_CHARS:
            raise ReplyTooLong(f"The note is too long ({len(note)} characters; the limit is {MAX_NOTE_CHARS}).")
        found = self._find(ticket_id)
        try:
            queue.close(self.engine, ticket_id, member.id or 0, status=status, note=note, now=self.clock())
        except TicketConflict as conflict:
            raise _conflict_error(found.reference, conflict) from None
        self._notify(found, status, member)  # type: ignore[arg-type]
        return self.ticket(ticket_id)

    def ticket_assist_mode(self, member: StaffMember, ticket_id: int, mode: str) -> dict[str, Any]:
        """Leads: the ticket's conversation in front-line or agent-assist mode (service/assist_desk.py)."""
        found = self._find(ticket_id)
        self.set_ticket_assist_mode(member, found.ticket.session_id, mode)
        return self.ticket(ticket_id)

    # --- internals --------------------------------------------------------------------------
    def _find(self, ticket_id: int) -> QueuedTicket:
        found = queue.get_ticket(self.engine, ticket_id)
        if found is None:
            raise TicketNotFound(f"There is no ticket {ticket_id}.")
        return found

    def _notify(self, found: QueuedTicket, kind: Notice, member: StaffMember) -> None:
        language = found.ticket.language or "en"
        self._post(found, [notice_message(kind, language, staff=member.display_name)])

    def _post(self, found: QueuedTicket, messages: list[Any]) -> None:
        if not found.ticket.session_id:
            return
        try:
            self.conversations.takeover.post(found.ticket.session_id, messages)
        except TakeoverBusy:
            raise SessionBusy("The customer's message is still being written; try again in a moment.") from None

    def _summary(self, found: QueuedTicket) -> dict[str, Any]:
        ticket, now = found.ticket, self.clock()
        created = ticket.created_at if ticket.created_at.tzinfo else ticket.created_at.replace(tzinfo=now.tzinfo)
        return {
            "id": ticket.id,
            "reference": found.reference,
            "status": ticket.status,
            "reason": ticket.reason,
            "language": ticket.language or "en",
            "customer_id": ticket.customer_id,
            "customer_name": found.customer_name,
            "staff_name": found.staff_name,
            "staff_id": ticket.claimed_by,
            "session_id_hint": (ticket.session_id or "")[:6],
            "created_at": created.isoformat(),
            "waiting_s": _waited(ticket, created, now),
            "assist_mode": self.conversations.assist.mode_for(ticket.session_id) if ticket.session_id else None,
            "summary_first_line": next((line for line in ticket.summary.splitlines() if line.startswith(">")), "")[2:],
        }


def add_staff_member(engine: Any, email: str, display_name: str, role: str, password: str) -> StaffMember:
    """A new staff account (`returndesk staff add`); raises BadStaffAccount with what to fix."""
    email, display_name = email.strip().lower(), display_name.strip()
    if not EMAIL.match(email):
        raise BadStaffAccount(f"{email!r} is not an email address.")
    if role not in STAFF_ROLES:
        raise BadStaffAccount(f"The role is {' or '.join(STAFF_ROLES)}, not {role!r}.")
    if not display_name or len(display_name) > 100:
        raise BadStaffAccount("The display name (what customers see) needs 1 to 100 characters.")
    if len(password) < MIN_PASSWORD_CHARS:
        raise BadStaffAccount(f"The password needs at least {MIN_PASSWORD_CHARS} characters.")
    try:
        member = accounts.add_staff(
            engine, email=email, display_name=display_name, role=role, password_hash=HASHER.hash(password)
        )
    except accounts.StaffExists as error:
        raise BadStaffAccount(str(error)) from None
    queue.audit_staff(engine, None, member.id or 0, "staff_account_added", role=role)
    return member


def staff_members(engine: Any) -> list[StaffMember]:
    return accounts.all_staff(engine)


def _waited(ticket: Any, created: Any, now: Any) -> int:
    """Seconds the customer waited for a person: until claimed (or closed unclaimed), or until now."""
    until = ticket.claimed_at or ticket.closed_at or now
    until = until if until.tzinfo else until.replace(tzinfo=now.tzinfo)
    return max(0, int((until - created).total_seconds()))


def _password_matches(member: StaffMember | None, password: str) -> bool:
    try:
        unknown = unknown_account_hash()  # made (once) before the branch: the first sign-in costs the same both ways
        return HASHER.verify(member.password_hash if member else unknown, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _conflict_error(reference: str, conflict: TicketConflict, replying: bool = False) -> StaffError:
    if conflict.status == "claimed":
        who = conflict.staff_name or "another colleague"
        return TicketTaken(f"{reference} is held by {who}." + (" Claim it before replying." if replying else ""))
    if conflict.status == "open":
        return TicketTaken(f"{reference} is not claimed yet: claim it before replying.")
    if conflict.status == "missing":
        return TicketNotFound(f"There is no ticket {reference}.")
    return TicketClosed(f"{reference} is {conflict.status.replace('_', ' ')} already: nothing was changed.")


def _throttled(message: str, retry_after: int) -> StaffError:
    error = StaffError(message)
    error.status, error.code = 429, "sign_in_throttled"
    error.headers = {"Retry-After": str(retry_after)}
    return error
