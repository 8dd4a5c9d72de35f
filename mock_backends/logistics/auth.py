"""The carrier's door: with a shared secret configured, every call but the health check must bring it.

The shop and the carrier share `RETURNDESK_CARRIER_TOKEN`; the client sends it as
`Authorization: Bearer <token>`. Without it, anyone who can reach the carrier's port could book and
void labels or print a label (a customer's name and address) by guessing tracking numbers.
Checked before anything else runs, fault injection included, in constant time.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

OPEN_PATHS = frozenset({"/healthz", "/docs", "/docs/oauth2-redirect", "/openapi.json"})


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, credentials = (authorization or "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


def install_token_check(app: FastAPI, token: str | None) -> None:
    """Require `Authorization: Bearer <token>` on every path but OPEN_PATHS; no token: the carrier is open."""
    if not token:
        return
    expected = token.encode("utf-8")

    @app.middleware("http")
    async def require_token(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path in OPEN_PATHS:
            return await call_next(request)
        given = bearer_token(request.headers.get("authorization"))
        if given is None or not hmac.compare_digest(given.encode("utf-8"), expected):
            return JSONResponse(
                {"code": "unauthorized", "error": "A valid carrier token is required."},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return await call_next(request)
