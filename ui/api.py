"""The HTTP API under /v1: thin routes over the ConversationService."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ui.conversation import ConversationError, ConversationService, TurnResult
from ui.schemas import (
    ConfirmRequest,
    ErrorResponse,
    HistoryEntry,
    MessageRequest,
    PendingResponse,
    SessionResponse,
    SignInRequest,
    TurnResponse,
)

router = APIRouter(prefix="/v1", tags=["sessions"], responses={
    400: {"model": ErrorResponse}, 401: {"model": ErrorResponse}, 404: {"model": ErrorResponse},
    409: {"model": ErrorResponse}, 422: {"model": ErrorResponse},
})


def service(request: Request) -> ConversationService:
    return request.app.state.conversations


Service = Annotated[ConversationService, Depends(service)]


def _turn(result: TurnResult) -> TurnResponse:
    return TurnResponse.model_validate(asdict(result) | {"pending": result.pending})


@router.post("/sessions", response_model=SessionResponse, status_code=201)
def create_session(body: SignInRequest, conversations: Service) -> SessionResponse:
    """Sign the customer in and open a conversation."""
    info = conversations.sign_in(email=body.email, order_id=body.order_id, name=body.name, postcode=body.postcode)
    return SessionResponse(session_id=info.session_id, customer_name=info.customer_name,
                           language=info.language, mode=conversations.mode)  # type: ignore[arg-type]


@router.post("/sessions/{session_id}/messages", response_model=TurnResponse)
def post_message(session_id: str, body: MessageRequest, conversations: Service) -> TurnResponse:
    """Send the customer's message; the reply may carry a pending action to confirm."""
    return _turn(conversations.send(session_id, body.text))


@router.get("/sessions/{session_id}/messages", response_model=list[HistoryEntry])
def get_history(session_id: str, conversations: Service) -> list[HistoryEntry]:
    return [HistoryEntry.model_validate(entry) for entry in conversations.history(session_id)]


@router.get("/sessions/{session_id}/pending", response_model=PendingResponse)
def get_pending(session_id: str, conversations: Service) -> PendingResponse:
    conversations.session(session_id)
    return PendingResponse(pending=conversations.pending(session_id))


@router.post("/sessions/{session_id}/confirm", response_model=TurnResponse)
def confirm(session_id: str, conversations: Service, body: ConfirmRequest | None = None) -> TurnResponse:
    """The customer confirms the pending action (e.g. create the return)."""
    return _turn(conversations.resolve(session_id, approved=True, action_id=body.action_id if body else None))


@router.post("/sessions/{session_id}/cancel", response_model=TurnResponse)
def cancel(session_id: str, conversations: Service, body: ConfirmRequest | None = None) -> TurnResponse:
    """The customer declines the pending action; nothing is changed."""
    return _turn(conversations.resolve(session_id, approved=False, action_id=body.action_id if body else None))


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


def install_api(app: FastAPI) -> None:
    app.include_router(router)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "mode": app.state.conversations.mode}

    @app.exception_handler(ConversationError)
    async def conversation_error(_request: Request, error: ConversationError) -> JSONResponse:
        return _error(error.status, error.code, str(error))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        return _error(422, "invalid_request", f"{where}: {first.get('msg')}" if where else str(first.get("msg")))
