"""What every request passes before a route sees it, and every response carries (SECURITY.md, "The doors").

`install_edge` wires, outermost first: the security headers, CORS (origins from RETURNDESK_CORS_ORIGINS,
none by default), the web app's closed programmatic routes, the body size cap, and the refusal of text
no database can store (`ui.edge_text`).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings
from ui.api_errors import error_response
from ui.api_guards import BodySizeLimit
from ui.edge_text import RefuseInvalidText

# Gradio's page writes its config in inline <script>s (different per request, so no hash or nonce fits):
# scripts and styles may be inline, but come from here only; nothing may frame the page (the Confirm
# button), and the page may talk to no other origin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers that predate CSP 2
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # session ids and RMAs travel in URLs
]

# The web app's Gradio routes a program could use but the page never does: named calls, direct runs,
# the endpoint listing, uploads (the page has no upload), MCP, monitoring, run history, dev tools.
# The page itself needs only the queue (`/gradio_api/queue/...`), its files and its assets.
CLOSED_PREFIXES = (
    *(
        f"/gradio_api/{name}"
        for name in (
            "call/",
            "run/",
            "api/",
            "info",
            "openapi.json",
            "upload",
            "mcp",
            "runs",
            "run-history",
            "vibe-",
            "undo-vibe-",
            "process_recording",
            "proxy=",
            "dev/",
        )
    ),
    "/monitoring",
)


class SecurityHeaders:
    """Adds the security headers to every HTTP response (the page, the API, errors, static files).

    Our own few lines: five constant headers do not need a dependency.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


class CloseGradioApi:
    """404 (in the API's error shape) for the web app's programmatic routes (`CLOSED_PREFIXES`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope["path"].startswith(CLOSED_PREFIXES):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await error_response(
                404, "not_found", "Not found. The web app has no programmatic API; programs use /v1 (see /docs)."
            )(scope, receive, send)
            return
        await self.app(scope, receive, send)


def install_edge(app: FastAPI, settings: Settings) -> None:
    """Adds the edge middleware to `app` (Starlette runs the last added first)."""
    app.add_middleware(RefuseInvalidText)
    app.add_middleware(BodySizeLimit, settings=settings)
    app.add_middleware(CloseGradioApi)
    # A CORSMiddleware on the parent app also switches off Gradio's own, which echoes any localhost
    # origin with credentials. No origins configured: no cross-origin page may call us.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=False,
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Session-Id"],
        expose_headers=["X-Session-Id", "Retry-After"],
    )
    app.add_middleware(SecurityHeaders)
