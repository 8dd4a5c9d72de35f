"""What every /v1 router shares: the error responses it documents and the service it calls."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from service.conversation import ConversationService
from ui.schemas import ErrorResponse

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 403, 404, 409, 413, 422, 429)
}


def service(request: Request) -> ConversationService:
    return request.app.state.conversations


Service = Annotated[ConversationService, Depends(service)]
