"""vcrpy cassettes of a conversation's HTTP exchanges (the LLM endpoint and the carrier).

Requests match on method, path (volatile ids masked) and the parts of a JSON body that matter: for chat
completions the model, the tool names and the non-system messages (so a prompt-only edit replays,
while a change in what the agent says or calls shows up as a divergence). Volatile ids are masked.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import vcr
from vcr.persisters.filesystem import CassetteNotFoundError, FilesystemPersister
from vcr.request import Request
from vcr.serialize import deserialize

from core.redaction import redact_data
from qa.masking import mask, mask_value
from qa.scrubbing import scrub_body

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
    """What of a request's body decides whether a recorded answer still applies.

    PII is redacted on both sides (all of it, demo emails too): a recorded body was scrubbed before it
    was written, and the same request made live must still match it."""
    return redact_data(_meaningful_body(request))


def _meaningful_body(request: Request) -> Any:
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


def path_matcher(r1: Request, r2: Request) -> None:
    """Paths match with volatile ids masked: a label's tracking number derives from the (random) RMA."""
    if mask(r1.path) != mask(r2.path):
        raise AssertionError(f"path differs from the recording: now {r1.path}, recorded {r2.path}")


def body_matcher(r1: Request, r2: Request) -> None:
    a, b = meaningful_body(r1), meaningful_body(r2)
    if a != b:
        raise AssertionError(f"request body differs from the recording:\n  now:      {a}\n  recorded: {b}")


def scrub_request(request: Request) -> Request:
    """vcrpy's before_record_request hook: PII out of the body (vcrpy hands us a copy)."""
    body = request.body
    if body:
        text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        request.body = scrub_body(text).encode("utf-8")
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy's before_record_response hook (after decompression): PII out of a text body."""
    raw = (response.get("body") or {}).get("string")
    if not raw:
        return response
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:  # a PNG label: nothing to read in it
        return response
    scrubbed = scrub_body(text).encode("utf-8")
    response["body"]["string"] = scrubbed
    for name in response.get("headers") or {}:
        if name.lower() == "content-length":
            response["headers"][name] = [str(len(scrubbed))]
    return response


class AppendingPersister(FilesystemPersister):
    """Each save adds this context's exchanges to the file (one recorded turn at a time).

    vcrpy's "all" mode on an existing file would drop an earlier turn's exchange when a later turn
    repeats it (the same tracking look-up twice), and the replay needs both.
    """

    @classmethod
    def load_cassette(cls, cassette_path: Any, serializer: Any) -> Any:
        raise CassetteNotFoundError()  # start empty: only what this turn records is saved

    @staticmethod
    def save_cassette(cassette_path: Any, cassette_dict: dict[str, Any], serializer: Any) -> None:
        path = Path(cassette_path)
        if path.is_file() and (earlier := path.read_text(encoding="utf-8")).strip():
            requests, responses, *_ = deserialize(earlier, serializer)
            cassette_dict = {
                "requests": [*requests, *cassette_dict["requests"]],
                "responses": [*responses, *cassette_dict["responses"]],
            }
        FilesystemPersister.save_cassette(path, cassette_dict, serializer)


RMA = re.compile(r"RMA-[0-9A-F]{8}")


def _texts(interactions: list[tuple[Request, dict[str, Any]]]) -> str:
    """What was said in these exchanges (not the tool schemas: their examples are no one's RMA)."""
    parts: list[str] = []
    for request, response in interactions:
        raw = (response.get("body") or {}).get("string")
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", errors="replace")
        parts += [json.dumps(_meaningful_body(request), ensure_ascii=False), raw or ""]
    return "\n".join(parts)


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

    def answer_with_rmas(self, created: Callable[[], list[str]]) -> None:
        """Played answers name the RMAs this run created (`created()`, oldest first), not the recording's.

        An RMA is random: the model's recorded reply names the one made while recording, and the graph's
        check_reply would refuse it as invented. Recorded RMAs, in order of first appearance, stand for
        this run's in order of creation.
        """
        recorded = list(dict.fromkeys(RMA.findall(_texts(self.cassette.data))))
        play = self.cassette.play_response

        def play_response(request: Request) -> Any:
            response = copy.deepcopy(play(request))
            mapping = dict(zip(recorded, created(), strict=False))
            body = response.get("body") or {}
            if mapping and isinstance(raw := body.get("string"), bytes | str):
                text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
                text = RMA.sub(lambda m: mapping.get(m.group(), m.group()), text)
                body["string"] = text.encode("utf-8") if isinstance(raw, bytes) else text
            return response

        self.cassette.play_response = play_response

    def unmatched(self) -> str | None:
        if not self.misses:
            return None
        request = self.misses[0]
        return (
            f"{request.method} {request.path}: no recorded exchange matches this request "
            f"({self._difference(request)}); if the change is intended, record it again: "
            "returndesk replay --record-http FILE (or --rerecord for recordings)"
        )

    def _difference(self, request: Request) -> str:
        """For a model call, the first message that differs from the closest recorded call; else the body."""
        now = meaningful_body(request)
        recorded = [meaningful_body(r) for r in self.cassette.requests if r.path == request.path]
        if not (isinstance(now, dict) and "messages" in now and recorded):
            return f"body: {json.dumps(now, ensure_ascii=False)[:400]}"

        def shared(other: Any) -> int:
            pairs = zip(now["messages"], other.get("messages") or [], strict=False)
            return next(
                (i for i, (a, b) in enumerate(pairs) if a != b),
                min(len(now["messages"]), len(other.get("messages") or [])),
            )

        closest = max(recorded, key=shared)
        at = shared(closest)
        if closest.get("tools") != now["tools"] or closest.get("model") != now["model"]:
            return (
                f"model or tools changed: now {now['model']} {now['tools']}, recorded {closest.get('model')} "
                f"{closest.get('tools')}"
            )

        def show(messages: list[Any]) -> str:
            return json.dumps(messages[at], ensure_ascii=False)[:400] if at < len(messages) else "(none)"

        return f"message {at + 1} sent to the model: now {show(now['messages'])}, recorded {show(closest['messages'])}"


@contextmanager
def cassette_context(
    path: Path, *, record_mode: str = "none", append: bool = False, keep: Callable[[Request], bool] | None = None
) -> Iterator[CassetteSession]:
    """Patch HTTP for the duration: replay from `path` (record_mode 'none') or record into it.

    `append` adds what is recorded now to the file (a live session, turn by turn); `keep` decides which
    requests are recorded at all (a live server's other sessions also make requests while HTTP is
    patched, process-wide). Bodies are scrubbed of PII before anything is written.
    """

    def before_record_request(request: Request) -> Request | None:
        if keep is not None and not keep(request):
            return None
        return scrub_request(request)

    recorder = vcr.VCR(
        serializer="yaml",
        record_mode=record_mode,
        # Not host/port: a cassette belongs to one conversation, and the carrier a recording started
        # listened on a free port that the replay need not know.
        match_on=["method", "masked_path", "query", "meaningful_body"],
        filter_headers=SECRET_HEADERS,
        before_record_request=before_record_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )
    recorder.register_matcher("masked_path", path_matcher)
    recorder.register_matcher("meaningful_body", body_matcher)
    if append:
        recorder.register_persister(AppendingPersister)
    path.parent.mkdir(parents=True, exist_ok=True)
    with recorder.use_cassette(str(path)) as cassette:
        yield CassetteSession(cassette, record_mode)
