"""An OpenAI-compatible face of the agent: `POST /v1/chat/completions` and `GET /v1/models`.

Any OpenAI client (and the seed article's Chainlit app with only `base_url` changed) can talk to
ReturnDesk. Only the last user message is read; the conversation lives in a session, chosen by the
`X-Session-Id` header, else by the `user` field, else a new anonymous one. The session id comes back
in the `X-Session-Id` response header.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import iterate_in_threadpool

from core.messages import t
from ui.api import ERRORS, Service
from ui.api_guards import require_api_key
from ui.i18n import error_text
from ui.conversation import CardWaiting, ConversationService, SessionInfo, TurnResult, clean_message
from ui.openai_schemas import (
    MODEL_ID,
    AssistantMessage,
    ChatCompletion,
    ChatCompletionRequest,
    Choice,
    ModelCard,
    ModelList,
)
from ui.streaming import Token, TurnDone, detached

router = APIRouter(prefix="/v1", tags=["openai-compatible"], responses=ERRORS,
                   dependencies=[Depends(require_api_key)])
SESSION_HEADER = "X-Session-Id"


@router.get("/models", response_model=ModelList)
def list_models() -> ModelList:
    """The one model this endpoint serves: `returndesk` (the agent, not a raw LLM)."""
    return ModelList(data=[ModelCard()])


def choose_session(conversations: ConversationService, header: str | None, user: str | None) -> SessionInfo:
    if header:
        return conversations.session(header)  # an unknown id is a 404, not a new conversation
    if user:
        # The `user` value names the conversation; hashed so any printable name fits the id column.
        return conversations.session_named("oai-" + hashlib.sha256(user.encode()).hexdigest()[:32])
    return conversations.start_anonymous()


def with_card_hint(result: TurnResult) -> str:
    if result.pending is None:
        return result.reply
    return result.reply + t("card.hint", result.language)  # the card's summary is in the reply's language


def card_reminder(conversations: ConversationService, session_id: str, error: CardWaiting) -> str:
    pending = conversations.pending(session_id)
    language = conversations.session(session_id).language
    said = error_text(error.code, str(error), language)
    return f"{said} {pending.summary if pending else ''}".strip() + t("card.hint", language)


@router.post("/chat/completions", response_model=ChatCompletion,
             responses={200: {"content": {"text/event-stream": {}},
                              "description": "A chat.completion, or chunks when `stream` is true."}})
def chat_completions(body: ChatCompletionRequest, conversations: Service, request: Request, response: Response,
                     x_session_id: Annotated[str | None, Header(max_length=64)] = None) -> Any:
    """Talk to the agent as if it were an OpenAI chat model."""
    text = clean_message(body.last_user_text())
    info = choose_session(conversations, x_session_id, body.user)
    request.app.state.rate_limiter.check(info.session_id)
    headers = {SESSION_HEADER: info.session_id}
    if body.stream:
        try:
            events: Iterator[Any] = conversations.stream(info.session_id, text)
        except CardWaiting as error:
            events = iter([card_reminder(conversations, info.session_id, error)])
        return EventSourceResponse(completion_chunks(events), headers=headers, ping=15)
    try:
        content = with_card_hint(conversations.send(info.session_id, text))
    except CardWaiting as error:
        content = card_reminder(conversations, info.session_id, error)
    response.headers.update(headers)
    return ChatCompletion(id=f"chatcmpl-{uuid.uuid4().hex}", created=int(time.time()),
                          choices=[Choice(message=AssistantMessage(content=content))],
                          returndesk={"session_id": info.session_id})


async def completion_chunks(events: Iterator[Any]) -> AsyncIterator[ServerSentEvent]:
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None) -> ServerSentEvent:
        return ServerSentEvent(data=json.dumps({
            "id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}, ensure_ascii=False))

    yield chunk({"role": "assistant", "content": ""})
    streamed = ""
    try:
        async for event in iterate_in_threadpool(detached(events)):
            if isinstance(event, str):  # a reminder of the waiting card
                yield chunk({"content": event})
            elif isinstance(event, Token):
                streamed += event.text
                yield chunk({"content": event.text})
            elif isinstance(event, TurnDone):
                # The final reply is the truth: send what the tokens did not already say.
                final = with_card_hint(event.result)
                rest = final[len(streamed):] if final.startswith(streamed) else "\n\n" + final
                if rest:
                    yield chunk({"content": rest})
    except Exception:
        yield ServerSentEvent(data=json.dumps({"error": {
            "code": "internal_error", "message": "Something went wrong on our side; please try again."}}))
        return
    yield chunk({}, finish="stop")
    yield ServerSentEvent(data="[DONE]")
