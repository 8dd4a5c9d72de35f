"""The web page's memory of its conversation across reloads and server restarts: an HttpOnly cookie.

The page's Gradio handlers cannot set cookies, and the session id (the conversation's credential) must
never reach the page's JavaScript. So at sign-in the handler issues a one-time ticket (random, valid
for a minute, kept in this process like Gradio's own per-page state) and renders it into a hidden
element; the page's script (`PAGE_SCRIPT`) posts it to `POST /page/session`, which answers with the
cookie: HttpOnly, SameSite=Strict, Secure when RETURNDESK_PUBLIC_URL is https, as long-lived as a
session may be. On every page load the app reads the cookie (`gr.Request.cookies`) and shows the
conversation again; sign-out ends the session and `DELETE /page/session` drops the cookie.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import BaseModel, Field

from core.settings import Settings

COOKIE = "returndesk_session"
TICKET_TTL_S = 60.0


@dataclass
class SessionTickets:
    """One-time tickets a page trades for its session cookie (this process only, a minute each)."""

    ttl_s: float = TICKET_TTL_S
    _tickets: dict[str, tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, session_id: str) -> str:
        ticket = secrets.token_urlsafe(24)
        now = time.monotonic()
        with self._lock:
            self._tickets = {t: v for t, v in self._tickets.items() if v[1] > now}  # drop the stale ones
            self._tickets[ticket] = (session_id, now + self.ttl_s)
        return ticket

    def redeem(self, ticket: str) -> str | None:
        """The session id the ticket was issued for, once; None when unknown, used or expired."""
        with self._lock:
            session_id, expires = self._tickets.pop(ticket, ("", 0.0))
        return session_id if expires > time.monotonic() else None


def ticket_html(ticket: str) -> str:
    """The hidden element the page's script picks the ticket up from."""
    return f'<span class="session-ticket" title="{html.escape(ticket)}"></span>'  # Markdown keeps title


class TicketBody(BaseModel):
    ticket: str = Field(min_length=10, max_length=100)


def install_page_session(app: FastAPI, settings: Settings, tickets: SessionTickets) -> None:
    """`POST /page/session` (a ticket for the cookie) and `DELETE /page/session` (sign-out drops it)."""
    router = APIRouter(include_in_schema=False)  # the page's own, no API

    @router.post("/page/session", status_code=204)
    def set_cookie(body: TicketBody, request: Request) -> Response:
        response = Response(status_code=204)
        session_id = tickets.redeem(body.ticket)
        if session_id is None:
            response.status_code = 404
            return response
        response.set_cookie(
            COOKIE,
            session_id,
            max_age=int(settings.session_max_hours * 3600),
            path="/",
            httponly=True,
            samesite="strict",
            secure=settings.public_url.lower().startswith("https://"),
        )
        return response

    @router.delete("/page/session", status_code=204)
    def clear_cookie() -> Response:
        response = Response(status_code=204)
        response.delete_cookie(
            COOKIE,
            path="/",
            httponly=True,
            samesite="strict",
            secure=settings.public_url.lower().startswith("https://"),
        )
        return response

    app.include_router(router)


# Inline (the CSP allows inline scripts, not eval, so no Gradio `js=`): trade a rendered ticket for the
# cookie; drop the cookie when the customer signs out.
ZONE_COOKIE = "returndesk_tz"  # the browser's time zone (not secret): times are shown on the customer's clock

PAGE_SCRIPT = """<script>
(() => {
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) document.cookie = "returndesk_tz=" + encodeURIComponent(zone) + "; path=/; SameSite=Strict";
  } catch (error) {}
  const url = new URL("page/session", document.baseURI).href;
  const trade = () => document.querySelectorAll("span.session-ticket[title]").forEach((el) => {
    const ticket = el.getAttribute("title");
    el.removeAttribute("title");
    if (ticket) fetch(url, {method: "POST", credentials: "same-origin",
                            headers: {"content-type": "application/json"}, body: JSON.stringify({ticket})});
  });
  new MutationObserver(trade).observe(document.documentElement, {subtree: true, childList: true, attributes: true});
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest("#sign-out-button"))
      fetch(url, {method: "DELETE", credentials: "same-origin"});
  }, true);
})();
</script>"""
