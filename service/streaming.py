"""A turn as it happens: the events the web app, the SSE route and the terminal chat render.

`events_of` turns LangGraph's stream parts (`stream_mode=["messages", "updates"]`, version "v2")
into these few events, so no interface needs to know the graph's node names.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import threading
from collections.abc import AsyncIterator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage

from graphs.returns_graph import REPLY_NODES
from service.results import TurnResult
from tools.cards import ConfirmationCard


@dataclass
class Token:
    """A piece of the reply as the model writes it."""

    text: str


@dataclass
class ToolStarted:
    call_id: str
    tool: str
    args: dict[str, Any]


@dataclass
class ToolFinished:
    call_id: str
    tool: str
    result: Any

    @property
    def outcome(self) -> str:
        """'ok', 'declined' (the customer said no), 'refused' (a rule said no) or 'error'."""
        if not isinstance(self.result, dict) or self.result.get("ok") is not False:
            return "ok"
        code = self.result.get("code")
        return "declined" if code == "declined" else "error" if code == "internal_error" else "refused"


@dataclass
class PendingConfirmation:
    pending: ConfirmationCard


@dataclass
class TurnDone:
    result: TurnResult


@dataclass
class ReplyChecked:
    """check_reply's verdict on the reply just written (internal: ConversationService consumes it)."""

    passed: bool


TurnEvent = Token | ToolStarted | ToolFinished | PendingConfirmation | TurnDone


def events_of(parts: Iterable[dict[str, Any]]) -> Iterator[TurnEvent | ReplyChecked]:
    for part in parts:
        if part["type"] == "messages":
            message, metadata = part["data"]
            if metadata.get("langgraph_node") in REPLY_NODES and _is_reply_text(message):
                yield Token(str(message.content))
        elif part["type"] == "updates":
            yield from _update_events(part["data"])


def _is_reply_text(message: Any) -> bool:
    if not isinstance(message, AIMessage | AIMessageChunk) or not isinstance(message.content, str):
        return False
    return bool(message.content) and not message.tool_calls and not getattr(message, "tool_call_chunks", None)


def _update_events(data: dict[str, Any]) -> Iterator[TurnEvent | ReplyChecked]:
    for node, update in data.items():
        if node == "check_reply":  # passing sends no update; a retry or a replacement does
            yield ReplyChecked(passed=not (update or {}).get("messages"))
            continue
        if node == "__interrupt__":
            for item in update:
                yield PendingConfirmation(ConfirmationCard.model_validate(item.value))
            continue
        for message in (update or {}).get("messages", []) if isinstance(update, dict) else []:
            if isinstance(message, AIMessage):
                for call in message.tool_calls:
                    yield ToolStarted(call["id"] or "", call["name"], dict(call["args"]))
            elif isinstance(message, ToolMessage):
                yield ToolFinished(message.tool_call_id, message.name or "", parsed_content(message.content))


def parsed_content(content: Any) -> Any:
    """A tool result as data when it is JSON, else as the text it is (the trace shows either)."""
    try:
        return json.loads(content) if isinstance(content, str) else content
    except ValueError:
        return content


T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
_END = object()
# The page's turns run on kept threads: starting a thread makes the event loop wait until the new
# thread runs, which on a busy server is a GIL switch away, and every customer's page waits on that loop.
# Bounded far above the web app's turn limit: a turn whose page has gone still runs to its end.
TURN_THREADS = ThreadPoolExecutor(max_workers=256, thread_name_prefix="returndesk-turn")


@dataclass
class _Failed:
    error: BaseException


def detached(events: Iterator[T]) -> Iterator[T]:
    """Runs `events` to its end on its own thread, whatever the consumer does.

    Our own ten lines (stdlib queue + thread) because a customer who closes the page mid-reply must
    not leave the turn half-run or the session locked: the turn finishes and is checkpointed.
    """
    pipe: queue.Queue[Any] = queue.Queue()

    def pump() -> None:
        try:
            for event in events:
                pipe.put(event)
        except BaseException as error:  # handed to the consumer, who raises it
            pipe.put(_Failed(error))
        finally:
            pipe.put(_END)

    threading.Thread(target=pump, name="returndesk-turn", daemon=True).start()
    while True:
        item = pipe.get()
        if item is _END:
            return
        if isinstance(item, _Failed):
            raise item.error
        yield item


async def coalesced(updates: Iterator[dict[K, V]], interval_s: float) -> AsyncIterator[dict[K, V]]:
    """Runs `updates` (a page's partial updates, later keys winning) to its end on its own thread, as
    `detached` does, and hands them on merged: nothing before `interval_s`, then at most one update
    per `interval_s`, and the rest at once when `updates` ends. A turn done within `interval_s` is one
    update; a slow one shows what it has ten times a second (updates cost the page, not the turn).

    An async generator on the server's event loop: the turn holds its one thread, and no worker
    thread of the web framework waits beside it. Our own lines for the same reason as `detached`.
    """
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[Any] = asyncio.Queue()

    def post(item: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone (shutdown): the turn still finishes
            loop.call_soon_threadsafe(inbox.put_nowait, item)

    def pump() -> None:
        try:
            for update in updates:
                post(update)
        except BaseException as error:  # handed to the consumer, who raises it
            post(_Failed(error))
        finally:
            post(_END)

    TURN_THREADS.submit(pump)
    pending: dict[K, V] = {}
    due = loop.time() + interval_s
    while True:
        try:
            item = await asyncio.wait_for(inbox.get(), max(0.0, due - loop.time()) if pending else None)
        except TimeoutError:
            yield pending
            pending, due = {}, loop.time() + interval_s
            continue
        if item is _END:
            if pending:
                yield pending
            return
        if isinstance(item, _Failed):
            raise item.error
        pending |= item
