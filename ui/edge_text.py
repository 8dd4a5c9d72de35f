"""Text no database can store is refused at the door: a NUL character or an unpaired UTF-16 surrogate.

PostgreSQL rejects NUL in text (`psycopg.DataError`), and a lone surrogate (JSON `"\\ud800"`) cannot be
encoded to UTF-8 anywhere downstream; SQLite takes NUL but the same request must mean the same thing on
both databases. One ASGI middleware checks every request, whichever route (REST, the OpenAI route, the
web app's Gradio handlers) would read it: the path, the query string and every string (keys too) of a
JSON body. The answer is `400 invalid_text` in the API's error shape, and nothing runs.

Our own: no Starlette or FastAPI setting refuses these characters.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ui.api_errors import error_response

INVALID = re.compile("[\x00\ud800-\udfff]")
# The only ways a JSON text can carry either: a raw NUL byte, or a \u escape of NUL or of a surrogate.
# A valid surrogate pair decodes to one character, so what survives json.loads is unpaired.
SUSPECT = re.compile(rb"\x00|\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def invalid_location(value: Any, where: str = "") -> str | None:
    """Where in a decoded JSON value (dotted, e.g. `messages.0.content`) a NUL or lone surrogate sits."""
    if isinstance(value, str):
        return (where or "body") if INVALID.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            place = f"{where}.{key}" if where else str(key)
            if INVALID.search(str(key)):
                return place
            if found := invalid_location(item, place):
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if found := invalid_location(item, f"{where}.{index}" if where else str(index)):
                return found
    return None


def invalid_in_body(body: bytes) -> str | None:
    if not SUSPECT.search(body):
        return None  # the fast path: almost every body
    try:
        return invalid_location(json.loads(body))
    except ValueError:  # not JSON (a raw NUL byte included): say so only if it is the NUL
        return "body" if b"\x00" in body else None


def is_json(headers: Headers) -> bool:
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    # FastAPI reads a body without a content type as JSON, so it is checked as JSON too.
    return not content_type or content_type == "application/json" or content_type.endswith("+json")


class RefuseInvalidText:
    """ASGI middleware: `400 invalid_text` for a NUL or a lone surrogate in the path, query or JSON body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = None
        if INVALID.search(scope.get("path", "")):
            where = "path"
        elif INVALID.search(unquote(scope.get("query_string", b"").decode("latin-1"))):
            where = "query string"
        elif scope["method"] in BODY_METHODS and is_json(Headers(scope=scope)):
            body, receive = await read_body(receive)
            where = invalid_in_body(body)
        if where is None:
            await self.app(scope, receive, send)
            return
        message = (
            f"The request's {where} contains a NUL character or an unpaired surrogate, which is not "
            f"text we can store; send plain text."
        )
        await error_response(400, "invalid_text", message)(scope, receive, send)


async def read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole body (capped by `BodySizeLimit` outside us), and a `receive` that hands it on unchanged."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: pass that on
            return b"".join(chunks), _replay(b"".join(chunks), receive, message)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), _replay(b"".join(chunks), receive, None)


def _replay(body: bytes, receive: Receive, final: Message | None) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if final is not None:
        pending = [final]

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay
