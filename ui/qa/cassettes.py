"""vcrpy cassettes of a conversation's HTTP exchanges (the LLM endpoint and the carrier).

Requests match on method, path and the parts of a JSON body that matter: for chat
completions the model, the tool names and the non-system messages (so a prompt-only edit replays,
while a change in what the agent says or calls shows up as a divergence). Volatile ids are masked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import vcr
from vcr.request import Request

from ui.qa.masking import mask, mask_value

SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "openai-organization", "cookie", "set-cookie"]


def _json_body(request: Request) -> Any:
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body


def meaningful_body(request: Request) -> Any:
    """What of a request's body decides whether a recorded answer still applies."""
    body = _json_body(request)
    if request.path.endswith("/chat/completions") and isinstance(body, dict):
        return {
            "model": body.get("model"),
            "stream": bool(body.get("stream")),
            "tools": sorted(t.get("function", {}).get("name", "") for t in body.get("tools") or []),
            "messages": [
                {
                    "role": m.get("role"),
                    "content": mask_value(m.get("content")),
                    "tool_calls": [
                        (c.get("function", {}).get("name"), mask(c.get("function", {}).get("arguments", "")))
                        for c in m.get("tool_calls") or []
                    ],
                }
                for m in body.get("messages", [])
                if m.get("role") != "system"
            ],
        }
    return mask_value(body)


def body_matcher(r1: Request, r2: Request) -> None:
    a, b = meaningful_body(r1), meaningful_body(r2)
    if a != b:
        raise AssertionError(f"request body differs from the recording:\n  now:      {a}\n  recorded: {b}")


class CassetteSession:
    """The open cassette, and the first request this run that it could not answer.

    The model call falls back to guided mode and the carrier client reports "unavailable" when
    vcrpy refuses a request, so a miss is noticed where the cassette is asked, not from errors.
    """

    def __init__(self, cassette: Any, record_mode: str) -> None:
        self.cassette, self.record_mode = cassette, record_mode
        self.misses: list[Request] = []
        answerable = cassette.can_play_response_for

        def can_play_response_for(request: Request) -> bool:
            found = answerable(request)
            if not found and record_mode == "none":
                self.misses.append(request)
            return found

        cassette.can_play_response_for = can_play_response_for

    def unmatched(self) -> str | None:
        if not self.misses:
            return None
        request = self.misses[0]
        return (f"{request.method} {request.path}: no recorded exchange matches this request "
                f"(body: {json.dumps(meaningful_body(request), ensure_ascii=False)[:400]}); if the change is "
                "intended, record it again: returndesk replay --record-http FILE (or --rerecord for recordings)")


@contextmanager
def cassette_context(path: Path, *, record_mode: str = "none") -> Iterator[CassetteSession]:
    """Patch HTTP for the duration: replay from `path` (record_mode 'none') or record into it."""
    recorder = vcr.VCR(
        serializer="yaml",
        record_mode=record_mode,
        # Not host/port: a cassette belongs to one conversation, and the carrier a recording started
        # listened on a free port that the replay need not know.
        match_on=["method", "path", "query", "meaningful_body"],
        filter_headers=SECRET_HEADERS,
        decode_compressed_response=True,
    )
    recorder.register_matcher("meaningful_body", body_matcher)
    path.parent.mkdir(parents=True, exist_ok=True)
    with recorder.use_cassette(str(path)) as cassette:
        yield CassetteSession(cassette, record_mode)
