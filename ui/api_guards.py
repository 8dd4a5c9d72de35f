"""What stands in front of /v1: the optional API key, the body size cap, the per-session rate limit."""

from __future__ import annotations

import secrets
import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.settings import Settings
from ui.api_errors import ApiError, error_response

bearer = HTTPBearer(auto_error=False, description="The server's RETURNDESK_API_KEY, when one is set.")
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Alternative to the bearer token.")


def require_api_key(request: Request,
                    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
                    header_key: Annotated[str | None, Depends(api_key_header)]) -> None:
    """Lets the request through when no key is configured, or when it carries the key."""
    expected = request.app.state.settings.api_key
    if not expected:
        return
    given = header_key or (token.credentials if token else "")
    if not given or not secrets.compare_digest(given.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "This API needs a key: send 'Authorization: Bearer <key>' "
                                            "or 'X-API-Key: <key>'.", headers={"WWW-Authenticate": "Bearer"})


class SessionRateLimiter:
    """A moving window of turns per session (the `limits` library, in memory: per server process)."""

    def __init__(self, per_minute: int) -> None:
        self.item = RateLimitItemPerMinute(per_minute) if per_minute > 0 else None
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, session_id: str) -> None:
        if self.item is None or self.limiter.hit(self.item, "turns", session_id):
            return
        reset = self.limiter.get_window_stats(self.item, "turns", session_id).reset_time
        wait = max(1, int(reset - time.time()) + 1)
        raise ApiError(429, "rate_limited",
                       f"Too many messages in this conversation; please wait {wait} seconds.",
                       headers={"Retry-After": str(wait)})


class BodySizeLimit:
    """Refuses /v1 bodies over `max_bytes` with 413, by Content-Length or while reading a chunked body.

    Our own ASGI middleware: neither Starlette nor uvicorn caps request bodies.
    """

    def __init__(self, app: ASGIApp, settings: Settings, prefix: str = "/v1") -> None:
        self.app, self.max_bytes, self.prefix = app, settings.max_body_bytes, prefix

    def too_large(self) -> ApiError:
        return ApiError(413, "body_too_large", f"The request body is larger than {self.max_bytes} bytes.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise self.too_large()
            return message

        await self.app(scope, counting_receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = self.too_large()
        await error_response(error.status, error.code, str(error))(scope, receive, send)
