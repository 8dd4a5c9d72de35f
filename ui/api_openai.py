"""An OpenAI-compatible face of the agent: `POST /v1/chat/completions` and `GET /v1/models`.

Any OpenAI client (and the seed article's Chainlit app with only `base_url` changed) can talk to
ReturnDesk. Only the last user message is read; the conversation lives in a session. A request
without the `X-Session-Id` header starts a new anonymous one, whose id comes back in the
`X-Session-Id` response header: the id is the conversation's secret, so a client continues the
conversation by sending it back. The `user` field never selects a session (anyone can send any
`user` string); it is accepted and ignored.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import iterate_in_threadpool

from core.messages import t
from service.conversation import CardWaiting, ConversationService, SessionInfo, TurnResult, clean_message
from service.results import ConfirmationCard
from service.streaming import Token, TurnDone, detached
from ui.api_deps import ERRORS, Client, Service
from ui.api_guards import require_api_key
from ui.i18n import error_text
from ui.openai_schemas import (
    MODEL_ID,
    AssistantMessage,
    ChatCompletion,
    ChatCompletionRequest,
    Choice,
    ModelCard,
    ModelList,
)

router = APIRouter(prefix="/v1", tags=["openai-compatible"], responses=ERRORS, dependencies=[Depends(require_api_key)])
SESSION_HEADER = "X-Session-Id"


@router.get("/models", response_model=ModelList)
def list_models() -> ModelList:
    """The one model this endpoint serves: `returndesk` (the agent, not a raw LLM)."""
    return ModelList(data=[ModelCard()])


def choose_session(conversations: ConversationService, header: str | None, client: str | None) -> SessionInfo:
    """The session the client presents (an unknown or expired one is an error, never a new conversation),
    else a new anonymous one."""
    if header:
        return conversations.session(header)
    return conversations.start_anonymous(client=client)


def card_text(card: ConfirmationCard) -> str:
    """Any tool's confirmation card as chat text (Markdown): title, a line per fact and amount (money in
    the card's locale), what confirming does, and how to answer."""
    rows = [f"- {line.label}: {line.value}" for line in card.lines]
    rows += [f"- {amount.label}: **{amount.formatted(card.language)}**" for amount in card.amounts]
    parts = (f"**{card.title}**", "\n".join(rows), card.on_confirm)
    return "\n\n".join(part for part in parts if part) + t("card.hint", card.language)


def with_card_hint(result: TurnResult) -> str:
    """The reply, or the card when one waits (after the reply, if the assistant wrote more than the card)."""
    if result.pending is None:
        if not result.reply and result.with_person:  # a person has the conversation: say so, never ""
            staff = result.staff_name or t("assist.a_colleague", result.language)
            return t("assist.with_staff", result.language, staff=staff)
        return result.reply
    said = "" if result.reply in ("", result.pending.summary) else result.reply + "\n\n"
    return said + card_text(result.pending)


def card_reminder(conversations: ConversationService, session_id: str, error: CardWaiting) -> str:
    pending = conversations.pending(session_id)
    language = conversations.session(session_id).language
    said = error_text(error.code, str(error), language)
    return f"{said}\n\n{card_text(pending)}" if pending else said + t("card.hint", language)


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "A chat.completion, or chunks when `stream` is true.",
        }
    },
)
def chat_completions(
    body: ChatCompletionRequest,
    conversations: Service,
    response: Response,
    client: Client,
    x_session_id: Annotated[str | None, Header(max_length=64)] = None,
) -> Any:
    """Talk to the agent as if it were an OpenAI chat model. Send the `X-Session-Id` the first answer
    returned to continue the conversation; without it every request starts a new one."""
    text = clean_message(body.last_user_text())
    info = choose_session(conversations, x_session_id, client)
    headers = {SESSION_HEADER: info.session_id}
    if body.stream:
        try:
            events: Iterator[Any] = conversations.stream(info.session_id, text, client=client)
        except CardWaiting as error:
            events = iter([card_reminder(conversations, info.session_id, error)])
        return EventSourceResponse(completion_chunks(events), headers=headers, ping=15)
    try:
        content = with_card_hint(conversations.send(info.session_id, text, client=client))
    except CardWaiting as error:
        content = card_reminder(conversations, info.session_id, error)
    response.headers.update(headers)
    return ChatCompletion(
        id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        choices=[Choice(message=AssistantMessage(content=content))],
        returndesk={"session_id": info.session_id},
    )


async def completion_chunks(events: Iterator[Any]) -> AsyncIterator[ServerSentEvent]:
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None) -> ServerSentEvent:
        return ServerSentEvent(
            data=json.dumps(
                {
                    "id": completion_id,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": MODEL_ID,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                },
                ensure_ascii=False,
            )
        )

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
                rest = final[len(streamed) :] if final.startswith(streamed) else "\n\n" + final
                if rest:
                    yield chunk({"content": rest})
    except Exception:
        yield ServerSentEvent(
            data=json.dumps(
                {"error": {"code": "internal_error", "message": "Something went wrong on our side; please try again."}}
            )
        )
        return
    yield chunk({}, finish="stop")
    yield ServerSentEvent(data="[DONE]")
