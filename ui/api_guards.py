"""What stands in front of the server: the optional API key (/v1, docs, metrics), the body size cap (every route)."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings
from ui.api_errors import ApiError, error_response

bearer = HTTPBearer(auto_error=False, description="The server's RETURNDESK_API_KEY, when one is set.")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Alternative to the bearer token.")


def require_api_key(
    request: Request,
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    header_key: Annotated[str | None, Depends(api_key_header)],
) -> None:
    """Lets the request through when no key is configured, or when it carries the key."""
    expected = request.app.state.settings.api_key
    if not expected:
        return
    given = header_key or (token.credentials if token else "")
    if not given or not secrets.compare_digest(given.encode(), expected.encode()):
        raise ApiError(
            401,
            "unauthorized",
            "This API needs a key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )


class BodySizeLimit:
    """Refuses request bodies over `max_bytes` with 413 in the API's error shape, on every route (the web
    app's Gradio routes and uploads too): by Content-Length at once; a body without one (chunked) is read
    up to the cap before the route sees it, so no route's own body parsing turns the refusal into a 400.

    Our own ASGI middleware: FastAPI's `max_body_size` answers in plain text, or in Gradio's `{"detail"}`
    shape on the mounted web app.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.max_bytes = app, settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_bytes:
                await self._refuse(scope, receive, send)
            else:  # the server holds the client to its Content-Length
                await self.app(scope, receive, send)
            return
        chunks, seen = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"The request body is larger than {self.max_bytes} bytes."
        await error_response(413, "body_too_large", message)(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay
