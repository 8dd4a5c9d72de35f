"""The staff console's JSON API under /v1/staff: sign-in, the queue, a ticket, and its actions.

Thin routes over `service.staff.StaffService`; the console's page (`ui/staff_console.py`) calls them.
The staff cookie is the credential (HttpOnly, SameSite=Strict), not the API key.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from ui.api_deps import ERRORS, Client
from ui.staff_deps import STAFF_COOKIE, SignedInStaff, Staff, clear_staff_cookie, set_staff_cookie

router = APIRouter(prefix="/v1/staff", tags=["staff"], responses=ERRORS)


class StaffSignIn(BaseModel):
    email: str = Field(max_length=255)
    password: str = Field(max_length=1000)


class StaffReply(BaseModel):
    text: str = Field(description="What the customer reads, under your display name (1 to 4,000 characters).")


class ClosingNote(BaseModel):
    note: str = Field("", description="For colleagues (not shown to the customer), up to 2,000 characters.")


class StaffPublic(BaseModel):
    id: int
    email: str
    display_name: str
    role: Literal["agent", "lead"]


def public(member: Any) -> StaffPublic:
    return StaffPublic(id=member.id, email=member.email, display_name=member.display_name, role=member.role)


@router.post("/login", response_model=StaffPublic)
def sign_in(body: StaffSignIn, staff: Staff, client: Client, request: Request, response: Response) -> StaffPublic:
    """Sign in with a staff account (`returndesk staff add`): sets the staff cookie. Throttled like
    customers' sign-ins (429 with Retry-After)."""
    signed = staff.sign_in(body.email, body.password, client=client)
    set_staff_cookie(response, signed.token, request)
    return public(signed.member)


@router.post("/logout", status_code=204, response_class=Response)
def sign_out(staff: Staff, request: Request) -> Response:
    """End the staff session (its cookie stops working on every server process)."""
    staff.sign_out(request.cookies.get(STAFF_COOKIE))
    response = Response(status_code=204)
    clear_staff_cookie(response)
    return response


@router.get("/me", response_model=StaffPublic)
def me(member: SignedInStaff) -> StaffPublic:
    return public(member)


@router.get("/tickets")
def tickets(
    member: SignedInStaff, staff: Staff, queue: Literal["active", "open", "claimed", "closed"] = "active"
) -> list[dict[str, Any]]:
    """The hand-off queue, oldest first: `active` (open and claimed), `open`, `claimed` or `closed`
    (handed back or resolved). Each: reference, status, reason, language, customer, who holds it,
    waiting time in seconds."""
    return staff.queue(queue)


@router.get("/tickets/{ticket_id}")
def ticket(ticket_id: int, member: SignedInStaff, staff: Staff) -> dict[str, Any]:
    """One ticket: the code-written summary, the whole transcript (messages, tool calls and results,
    confirmation cards and their answers), the customer's orders and returns."""
    return staff.ticket(ticket_id)


@router.post("/tickets/{ticket_id}/claim")
def claim(ticket_id: int, member: SignedInStaff, staff: Staff) -> dict[str, Any]:
    """Take the conversation: the customer's messages come to you, the assistant stays silent.
    409 `ticket_claimed` (saying who has it) when someone was faster."""
    return staff.claim(member, ticket_id)


@router.post("/tickets/{ticket_id}/reply")
def reply(ticket_id: int, body: StaffReply, member: SignedInStaff, staff: Staff) -> dict[str, Any]:
    """Write to the customer (you must hold the ticket). 400 empty, 413 too long, 409 not yours or closed."""
    return staff.reply(member, ticket_id, body.text)


@router.post("/tickets/{ticket_id}/hand-back")
def hand_back(ticket_id: int, member: SignedInStaff, staff: Staff, body: ClosingNote | None = None) -> dict[str, Any]:
    """Give the conversation back to the assistant; it answers the customer's next message."""
    return staff.hand_back(member, ticket_id, body.note if body else "")


@router.post("/tickets/{ticket_id}/resolve")
def resolve(ticket_id: int, member: SignedInStaff, staff: Staff, body: ClosingNote | None = None) -> dict[str, Any]:
    """Close the ticket with a note; the assistant answers the customer's next message."""
    return staff.resolve(member, ticket_id, body.note if body else "")


@router.get("/feedback")
def feedback(member: SignedInStaff, staff: Staff) -> list[dict[str, Any]]:
    """Thumbs-down answers, newest first: the customer's comment, the answer, what they had asked."""
    return staff.feedback()


@router.get("/dashboard")
def dashboard(member: SignedInStaff, staff: Staff) -> dict[str, Any]:
    """Leads only (else 403 `lead_only`): the last 14 days' conversations per day, containment and
    hand-off rates, hand-off reasons, returns created, thumbs-down rate, median first staff reply."""
    return staff.dashboard(member)


@router.get(
    "/exports/training.jsonl",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/jsonl": {}}, "description": "One example per line."}},
)
def training_export(member: SignedInStaff, staff: Staff) -> StreamingResponse:
    """Leads only: every thumbs-up answer as one OpenAI chat-with-tools fine-tuning example (the
    conversation up to it, tool calls included, PII redacted); conversations a person wrote in are left out."""
    lines = staff.training_jsonl(member)
    return StreamingResponse(
        (line + "\n" for line in lines),
        media_type="application/jsonl",
        headers={"Content-Disposition": 'attachment; filename="returndesk-training.jsonl"'},
    )


@router.get("/exports/help-centre-gaps")
def help_centre_gap_report(member: SignedInStaff, staff: Staff) -> list[dict[str, Any]]:
    """Leads only: what customers asked that the help centre did not answer (no passage found, the
    answer rated down, or handed to a person after), most often first."""
    return staff.help_centre_gaps(member)


# --- agent-assist drafts (RETURNDESK_ASSIST_MODE=assist, or a lead's choice per conversation) -------
class DraftEdit(BaseModel):
    text: str = Field(description="What the customer reads instead, as the assistant's answer (1 to 4,000 characters).")


class DraftReject(BaseModel):
    text: str = Field(
        "",
        description="Your own reply, under your display name; empty: the conversation joins the hand-off queue.",
    )


class AssistMode(BaseModel):
    mode: Literal["front", "assist", "default"] = Field(
        description="`front`: the assistant answers; `assist`: its answers are drafts; `default`: the deployment's."
    )


@router.get("/drafts")
def drafts(
    member: SignedInStaff, staff: Staff, queue: Literal["pending", "decided"] = "pending"
) -> list[dict[str, Any]]:
    """Agent-assist drafts: `pending` (oldest first) or `decided` (newest first). Each: the customer's
    question, the draft (a reply's text, or the proposed card), recent context, how long it waited."""
    return staff.drafts(queue)


@router.get("/drafts/{draft_id}")
def draft(draft_id: int, member: SignedInStaff, staff: Staff) -> dict[str, Any]:
    return staff.draft(draft_id)


@router.post("/drafts/{draft_id}/approve")
def approve_draft(draft_id: int, member: SignedInStaff, staff: Staff) -> dict[str, Any]:
    """The customer reads the draft (a card: they see it and confirm or cancel it themselves).
    409 `draft_decided` (saying who) when a colleague was faster."""
    return staff.approve_draft(member, draft_id)


@router.post("/drafts/{draft_id}/edit")
def edit_draft(draft_id: int, body: DraftEdit, member: SignedInStaff, staff: Staff) -> dict[str, Any]:
    """Send your text instead of the draft's. 400 empty or with a NUL byte, 413 too long, 409 decided already."""
    return staff.edit_draft(member, draft_id, body.text)


@router.post("/drafts/{draft_id}/reject")
def reject_draft(draft_id: int, member: SignedInStaff, staff: Staff, body: DraftReject | None = None) -> dict[str, Any]:
    """The customer gets nothing of the draft: your own reply if you write one, else the conversation
    joins the hand-off queue (a person must answer). A rejected card is dropped."""
    return staff.reject_draft(member, draft_id, body.text if body else "")


@router.post("/drafts/{draft_id}/mode")
def draft_conversation_mode(draft_id: int, body: AssistMode, member: SignedInStaff, staff: Staff) -> dict[str, Any]:
    """Leads only: this draft's conversation in front-line or agent-assist mode from its next turn."""
    return staff.set_assist_mode(member, draft_id, body.mode)


@router.post("/tickets/{ticket_id}/assist-mode")
def ticket_conversation_mode(ticket_id: int, body: AssistMode, member: SignedInStaff, staff: Staff) -> dict[str, Any]:
    """Leads only: the ticket's conversation in front-line or agent-assist mode once handed back."""
    return staff.ticket_assist_mode(member, ticket_id, body.mode)


@router.post("/feedback/{feedback_id}/reviewed", status_code=204, response_class=Response)
def feedback_reviewed(feedback_id: int, member: SignedInStaff, staff: Staff) -> Response:
    """Mark a thumbs-down reviewed: it leaves the feedback queue (audited). 404 for no such thumbs-down."""
    staff.mark_feedback_reviewed(member, feedback_id)
    return Response(status_code=204)
