"""The staff console at /staff: server-rendered pages (Jinja2) with a little vanilla JS that calls
the JSON API (`ui/staff_api.py`) and refreshes the queue and the open ticket every few seconds.

Pages without a staff cookie redirect to /staff/login; a customer's session gets 403 (the error shape).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from service.staff import StaffError, StaffService, StaffSignInRequired
from ui.api_deps import client_address
from ui.staff_api import router as staff_api_router
from ui.staff_deps import STAFF_COOKIE, Staff, clear_staff_cookie, current_staff, set_staff_cookie

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)
STATUS_WORDS = {
    "open": "Waiting",
    "claimed": "Claimed",
    "handed_back": "Handed back",
    "resolved": "Resolved",
    "withdrawn": "Withdrawn",
}  # by the customer ("Start over") before anyone claimed it
LANGUAGE_WORDS = {"en": "English", "zh": "中文"}
REASON_WORDS = {
    "customer_asked": "Customer asked for a person",
    "repeated_failure": "Repeated failure",
    "tool_round_limit": "Too many tool rounds in one turn",
    "draft_rejected": "Assistant's draft rejected (agent-assist)",
}
BOLD = re.compile(r"\*\*(.+?)\*\*")


def waited(seconds: int) -> str:
    """'45 s', '12 min', '3 h 05 min': how long a customer has waited."""
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def with_bold(text: str) -> Markup:
    """The assistant's `**HD-000042**` as bold, everything else escaped (the customer saw it rendered)."""
    return Markup(BOLD.sub(r"<strong>\1</strong>", str(escape(text))))


def reason_words(reason: str) -> str:
    """'customer_asked' -> 'Customer asked'; 'repeated_failure:<tool>:not_found' -> 'Repeated failure: ...'."""
    head, _, rest = reason.partition(":")
    words = REASON_WORDS.get(head, head.replace("_", " ").capitalize())
    return f"{words}: {rest.replace(':', ', ')}" if rest else words


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f} %"


templates.env.filters |= {"waited": waited, "bold": with_bold, "reason": reason_words, "percent": percent}
templates.env.globals |= {"STATUS_WORDS": STATUS_WORDS, "LANGUAGE_WORDS": LANGUAGE_WORDS}


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    poll_ms = int(request.app.state.settings.staff_poll_s * 1000)
    return templates.TemplateResponse(request, name, {"poll_ms": poll_ms, **context}, status_code=status_code)


def signed_in_or_redirect(request: Request, staff: StaffService) -> Any:
    """The staff member, or a redirect to the sign-in page (a customer's session raises 403)."""
    try:
        return current_staff(request, staff)
    except StaffSignInRequired:
        return RedirectResponse("/staff/login", status_code=303)


@router.get("/staff/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return page(request, "staff/login.html", error=None, email="")


@router.post("/staff/login", response_class=HTMLResponse)
def login(
    request: Request, staff: Staff, email: str = Form("", max_length=255), password: str = Form("", max_length=1000)
) -> Response:
    try:
        signed = staff.sign_in(email, password, client=client_address(request))
    except StaffError as error:
        refused = page(request, "staff/login.html", status_code=error.status, error=str(error), email=email)
        refused.headers.update(error.headers or {})
        return refused
    response = RedirectResponse("/staff", status_code=303)
    set_staff_cookie(response, signed.token, request)
    return response


@router.post("/staff/logout")
def logout(request: Request, staff: Staff) -> Response:
    staff.sign_out(request.cookies.get(STAFF_COOKIE))
    response = RedirectResponse("/staff/login", status_code=303)
    clear_staff_cookie(response)
    return response


@router.get("/staff", response_class=HTMLResponse)
def queue_page(request: Request, staff: Staff) -> Response:
    member = signed_in_or_redirect(request, staff)
    if isinstance(member, Response):
        return member
    return page(request, "staff/queue.html", member=member, **queues(staff))


@router.get("/staff/fragments/queue", response_class=HTMLResponse)
def queue_fragment(request: Request, staff: Staff) -> Response:
    member = current_staff(request, staff)
    return page(request, "staff/_queue.html", member=member, **queues(staff))


@router.get("/staff/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_page(ticket_id: int, request: Request, staff: Staff) -> Response:
    member = signed_in_or_redirect(request, staff)
    if isinstance(member, Response):
        return member
    return page(request, "staff/ticket.html", member=member, ticket=staff.ticket(ticket_id))


@router.get("/staff/fragments/tickets/{ticket_id}", response_class=HTMLResponse)
def ticket_fragment(ticket_id: int, request: Request, staff: Staff) -> Response:
    member = current_staff(request, staff)
    return page(request, "staff/_ticket.html", member=member, ticket=staff.ticket(ticket_id))


@router.get("/staff/static/{name}")
def static(name: str) -> Response:
    files = {"console.js": "text/javascript", "console.css": "text/css"}
    if name not in files:
        return Response(status_code=404)
    return FileResponse(HERE / "static" / f"staff-{name}", media_type=files[name])


@router.get("/staff/feedback", response_class=HTMLResponse)
def feedback_page(request: Request, staff: Staff) -> Response:
    member = signed_in_or_redirect(request, staff)
    if isinstance(member, Response):
        return member
    return page(request, "staff/feedback.html", member=member, rows=staff.feedback())


@router.get("/staff/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, staff: Staff) -> Response:
    member = signed_in_or_redirect(request, staff)
    if isinstance(member, Response):
        return member
    return page(
        request,
        "staff/dashboard.html",
        member=member,
        stats=staff.dashboard(member),
        gaps=staff.help_centre_gaps(member)[:15],
    )


@router.get("/staff/drafts", response_class=HTMLResponse)
def drafts_page(request: Request, staff: Staff) -> Response:
    member = signed_in_or_redirect(request, staff)
    if isinstance(member, Response):
        return member
    return page(request, "staff/drafts.html", member=member, **draft_lists(staff))


@router.get("/staff/fragments/drafts", response_class=HTMLResponse)
def drafts_fragment(request: Request, staff: Staff) -> Response:
    member = current_staff(request, staff)
    return page(request, "staff/_drafts.html", member=member, **draft_lists(staff))


def draft_lists(staff: StaffService) -> dict[str, Any]:
    return {"drafts": staff.drafts("pending"), "decided": staff.drafts("decided")[:20]}


def queues(staff: StaffService) -> dict[str, Any]:
    return {
        "waiting": staff.queue("open"),
        "claimed": staff.queue("claimed"),
        "closed": staff.queue("closed")[-20:][::-1],
    }


def install_staff(app: FastAPI) -> None:
    """The staff side: its JSON API under /v1/staff and the console's pages under /staff."""
    app.state.staff = StaffService(app.state.conversations)
    app.include_router(staff_api_router)
    app.include_router(router)
