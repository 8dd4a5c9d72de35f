"""What every /v1 router shares: the error responses it documents, the service it calls, the caller's
address and the staff check."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from service.conversation import ConversationService
from ui.schemas import ErrorResponse

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 403, 404, 409, 413, 422, 429, 503)
}


def service(request: Request) -> ConversationService:
    return request.app.state.conversations


Service = Annotated[ConversationService, Depends(service)]
staff_header = APIKeyHeader(
    name="X-Staff-Token",
    auto_error=False,
    description="Staff: the server's RETURNDESK_STAFF_TOKEN, to record a session for QA.",
)


def client_address(request: Request) -> str | None:
    """The caller's network address: sign-in guesses and new anonymous sessions are counted per address."""
    return request.client.host if request.client else None


Client = Annotated[str | None, Depends(client_address)]


def is_staff(request: Request, token: Annotated[str | None, Depends(staff_header)]) -> bool:
    """Staff may record sessions: where an API key is set, holding it (checked for all of /v1) is enough;
    otherwise the request needs the staff token."""
    settings = request.app.state.settings
    if settings.api_key:
        return True
    expected = settings.staff_token.get_secret_value() if settings.staff_token else ""
    return bool(token and expected and secrets.compare_digest(token.encode(), expected.encode()))
