"""`GET /v1/sessions/{id}/events`: the conversation's new messages as server-sent events, as they arrive.

What a program (or a page) listens to while a person has the conversation: a staff member's replies
come without a turn of the customer's. Each `message` event is a history entry with its `index` in
`GET /v1/sessions/{id}/messages`; the stream looks every RETURNDESK_STAFF_POLL_S (state is in the
database, so any server process can serve it) and ends with `error` when the session does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from service.conversation import ConversationError
from ui.api_deps import ERRORS, Service
from ui.api_guards import require_api_key

router = APIRouter(prefix="/v1", tags=["sessions"], responses=ERRORS, dependencies=[Depends(require_api_key)])


@router.get(
    "/sessions/{session_id}/events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "New messages as they arrive."}},
)
def session_events(
    session_id: str,
    conversations: Service,
    after: Annotated[int, Query(ge=0, description="Messages already shown: send from this index on.")] = 0,
) -> EventSourceResponse:
    """Server-sent events: `message` (`{"index", "role", "content", "mode", "author"}`) for every message
    from `after` on, then each new one (a staff member's reply carries `mode: "staff"` and `author`)."""
    conversations.history(session_id)  # an unknown or ended session is a 4xx now, not an event
    return EventSourceResponse(_messages(conversations, session_id, after), ping=15)


async def _messages(conversations: Service, session_id: str, after: int) -> AsyncIterator[ServerSentEvent]:
    seen = after
    while True:
        try:
            history = await run_in_threadpool(conversations.history, session_id)
        except ConversationError as error:
            yield ServerSentEvent(event="error", data=json.dumps({"code": error.code, "message": str(error)}))
            return
        for index in range(seen, len(history)):
            entry = {"index": index, "mode": None, "author": None, **history[index]}
            yield ServerSentEvent(event="message", data=json.dumps(entry, ensure_ascii=False))
        seen = max(seen, len(history))
        await asyncio.sleep(conversations.settings.staff_poll_s)
