"""The HTTP API under /v1: thin routes over the ConversationService.

`install_api` puts together the session routes (here), the return label route (`ui.api_labels`),
the OpenAI-compatible routes (`ui.api_openai`), the ops routes (`ui.api_ops`), the guards and the
error schema.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Response
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import iterate_in_threadpool

from service.conversation import TurnResult
from service.feedback import record_feedback
from service.streaming import PendingConfirmation, Token, ToolFinished, ToolStarted, TurnDone, TurnEvent, detached
from ui.api_deps import ERRORS, Client, Service, is_staff
from ui.api_errors import install_error_handlers
from ui.api_guards import require_api_key
from ui.api_labels import router as labels_router
from ui.api_live import router as live_router
from ui.api_openai import router as openai_router
from ui.api_ops import router as ops_router
from ui.schemas import (
    ConfirmRequest,
    FeedbackRequest,
    FeedbackResponse,
    HistoryEntry,
    MessageRequest,
    PendingResponse,
    SessionResponse,
    SignInRequest,
    TurnResponse,
)

router = APIRouter(prefix="/v1", tags=["sessions"], responses=ERRORS, dependencies=[Depends(require_api_key)])


def turn_response(result: TurnResult) -> TurnResponse:
    return TurnResponse.model_validate(asdict(result) | {"pending": result.pending})


@router.post("/sessions", response_model=SessionResponse, status_code=201)
def create_session(
    body: SignInRequest, conversations: Service, client: Client, staff: Annotated[bool, Depends(is_staff)]
) -> SessionResponse:
    """Sign the customer in (email + order number, or name + postcode) and open a conversation.
    An empty body opens an anonymous conversation: the customer identifies in the chat.
    Failed sign-ins are throttled per client address and per account (429 with Retry-After), and so
    are new anonymous sessions per address. `"record": true` (staff: `X-Staff-Token`, or the API key
    where one is set; else 403) records the session for QA replays when the server allows it.
    The session id is the conversation's credential: keep it secret, and sign out when done."""
    if body.anonymous:
        info = conversations.start_anonymous(body.language, record=body.record, staff=staff, client=client)
    else:
        info = conversations.sign_in(
            email=body.email,
            order_id=body.order_id,
            name=body.name,
            postcode=body.postcode,
            record=body.record,
            staff=staff,
            client=client,
            language=body.language,
        )
    return SessionResponse(
        session_id=info.session_id,
        signed_in=info.customer_id is not None,
        customer_name=info.customer_name,
        language=info.language,
        mode=conversations.mode,
        recording=info.recording,
    )


@router.delete("/sessions/{session_id}", status_code=204, response_class=Response)
def sign_out(session_id: str, conversations: Service) -> Response:
    """Sign out: the session id stops working at once (its routes answer 401 `session_ended`)."""
    conversations.sign_out(session_id)
    return Response(status_code=204)


@router.post("/sessions/{session_id}/messages", response_model=TurnResponse)
def post_message(session_id: str, body: MessageRequest, conversations: Service, client: Client) -> TurnResponse:
    """Send the customer's message; the reply may carry a pending action to confirm."""
    return turn_response(conversations.send(session_id, body.text, client=client))


STREAM_DOC = """Server-sent events, in order: `token` (`{"text"}`, a piece of the reply), `tool_started`
(`{"call_id", "tool", "args"}`), `tool_finished` (`{"call_id", "tool", "outcome", "result"}`),
`pending` (the confirmation card), then `done` (the same body as the JSON route, with `mode`).
A failure mid-turn ends the stream with `error` (`{"code", "message"}`)."""


@router.post(
    "/sessions/{session_id}/messages/stream",
    response_class=EventSourceResponse,
    description=STREAM_DOC,
    responses={200: {"content": {"text/event-stream": {}}, "description": "The turn as it happens."}},
)
def stream_message(
    session_id: str, body: MessageRequest, conversations: Service, client: Client
) -> EventSourceResponse:
    """Send the customer's message and receive the reply as it is written."""
    events = conversations.stream(session_id, body.text, client=client)  # bad input raises here, as a 4xx
    return EventSourceResponse(sse_events(events), ping=15)


async def sse_events(events: Any) -> AsyncIterator[ServerSentEvent]:
    try:
        async for event in iterate_in_threadpool(detached(events)):
            yield sse_event(event)
    except Exception:  # the status line is sent already: the error travels as an event
        yield ServerSentEvent(
            event="error",
            data=json.dumps(
                {"code": "internal_error", "message": "Something went wrong on our side; please try again."}
            ),
        )


def sse_event(event: TurnEvent) -> ServerSentEvent:
    if isinstance(event, Token):
        name, data = "token", {"text": event.text}
    elif isinstance(event, ToolStarted):
        name, data = "tool_started", asdict(event)
    elif isinstance(event, ToolFinished):
        name, data = "tool_finished", asdict(event) | {"outcome": event.outcome}
    elif isinstance(event, PendingConfirmation):
        name, data = "pending", event.pending.model_dump()
    else:
        assert isinstance(event, TurnDone)
        name, data = "done", turn_response(event.result).model_dump()
    return ServerSentEvent(event=name, data=json.dumps(data, ensure_ascii=False))


@router.get("/sessions/{session_id}/messages", response_model=list[HistoryEntry])
def get_history(session_id: str, conversations: Service) -> list[HistoryEntry]:
    """The conversation so far: the customer's messages and the assistant's answers, oldest first."""
    return [HistoryEntry.model_validate(entry) for entry in conversations.history(session_id)]


@router.get("/sessions/{session_id}/pending", response_model=PendingResponse)
def get_pending(session_id: str, conversations: Service) -> PendingResponse:
    """The confirmation card waiting for the customer, if any."""
    conversations.session(session_id)
    return PendingResponse(pending=conversations.pending(session_id))


@router.post("/sessions/{session_id}/confirm", response_model=TurnResponse)
def confirm(
    session_id: str, conversations: Service, client: Client, body: ConfirmRequest | None = None
) -> TurnResponse:
    """The customer confirms the pending action (e.g. create the return)."""
    return turn_response(
        conversations.resolve(session_id, approved=True, action_id=body.action_id if body else None, client=client)
    )


@router.post("/sessions/{session_id}/cancel", response_model=TurnResponse)
def cancel(session_id: str, conversations: Service, client: Client, body: ConfirmRequest | None = None) -> TurnResponse:
    """The customer declines the pending action; nothing is changed."""
    return turn_response(
        conversations.resolve(session_id, approved=False, action_id=body.action_id if body else None, client=client)
    )


@router.post("/sessions/{session_id}/feedback", response_model=FeedbackResponse, status_code=201)
def feedback(session_id: str, body: FeedbackRequest, conversations: Service) -> FeedbackResponse:
    """Thumbs up or down on one answer (rating it again replaces the earlier rating)."""
    row = record_feedback(conversations, session_id, body.message_index, body.rating, body.comment)
    return FeedbackResponse(
        session_id=row.session_id, message_index=row.message_index, rating=row.rating, comment=row.comment
    )


def install_api(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(live_router)
    app.include_router(labels_router)
    app.include_router(openai_router)
    app.include_router(ops_router)
    install_error_handlers(app, lambda: app.state.conversations.metrics.errors.labels(where="api").inc())
