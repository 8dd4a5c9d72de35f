"""Recording live sessions (RETURNDESK_RECORD_DIR): each turn is written to the session's directory as it ends.

`ConversationService` starts a recording when a session opens with `record=True` (or every session
with RETURNDESK_RECORD_ALL) and runs each turn of it through `record_turn`. The directory is complete
after every turn, so nothing waits for the customer to leave, and it is found again from the
session id alone, so any server process sharing the directory can serve the next turn:

    2026-11-25-143012-<hash of the session id>/
      conversation.yaml   the replayable conversation: customer, turns with exact expectations,
                          end_state, and the recording block (time, LLM endpoint and model)
      cassette.yaml       vcrpy: this session's HTTP exchanges (LLM endpoint, carrier), scrubbed
      transcript.jsonl    one line per turn: text, reply, mode, tool calls with results, time
      db_changes.json     returns created (RMA, items, refund) and hand-off tickets opened

vcrpy patches HTTP for the whole process, so recorded turns run one at a time (`RECORDING_LOCK`),
and only requests made by the recorded turn are written (a context variable marks them; LangGraph
copies context into the threads that run nodes and tools).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import suppress
from contextvars import ContextVar
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine

from agent.endpoint import resolve_model_name
from core.settings import Settings
from mock_backends.orders.models import utcnow
from qa.recording import (
    CASSETTE,
    CONVERSATION,
    append_transcript,
    end_state_from,
    recorded_customer,
    recorded_turn,
    write_db_changes,
)
from qa.runner import TurnObservation, end_state, observe
from qa.spec import ConversationSpec, CustomerSpec, RecordingMeta, Turn, dump_spec
from service.streaming import TurnDone, TurnEvent

RECORDING_LOCK = threading.Lock()  # one recorded turn at a time: nested vcrpy patches undo each other
_recorded_session: ContextVar[str | None] = ContextVar("returndesk_recorded_session", default=None)


def _key(session_id: str) -> str:
    """Names the directory: not the id itself (it lets anyone continue the chat, and OpenAI-route ids are
    free text that must not become a path)."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:16]


class SessionRecorder:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        assert settings.record_dir is not None, "recording is on only with RETURNDESK_RECORD_DIR"
        self.root: Path = settings.record_dir
        self.settings = settings
        self.engine = engine

    @cached_property
    def llm_model(self) -> str | None:
        """The served model name, as the replay must ask for it (asked once, like the client does)."""
        return resolve_model_name(self.settings) if self.settings.llm_base_url else None

    def start(self, session_id: str, *, customer: dict[str, Any], language: str) -> Path:
        """Open the session's directory with its header; turns are added as they end."""
        now = utcnow()
        directory = self.root / f"{now:%Y-%m-%d-%H%M%S}-{_key(session_id)}"
        directory.mkdir(parents=True)
        meta = RecordingMeta(recorded_at=now, llm_base_url=self.settings.llm_base_url, llm_model=self.llm_model)
        header = {
            "name": f"recorded-{directory.name}",
            "description": "Recorded from a live session; replay it with `returndesk replay` on this directory.",
            "language": language,
            "customer": recorded_customer(CustomerSpec.model_validate(customer)).model_dump(
                exclude_none=True, exclude_defaults=True
            ),
            "turns": [],
            "recording": meta.model_dump(mode="json", exclude_none=True),
        }
        (directory / CONVERSATION).write_text(
            yaml.safe_dump(header, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        return directory

    def directory_of(self, session_id: str) -> Path | None:
        found = sorted(self.root.glob(f"*-{_key(session_id)}")) if self.root.is_dir() else []
        return found[-1] if found else None

    def record_turn(
        self, session_id: str, events: Iterator[TurnEvent], *, user: str | None = None, action: str | None = None
    ) -> Iterator[TurnEvent]:
        """`events` as they come, with the turn's HTTP recorded; the turn is written before `TurnDone`."""
        directory = self.directory_of(session_id)
        if directory is None:
            yield from events
            return
        from qa.cassettes import cassette_context  # vcrpy: imported by the first recorded turn, not by every start

        done: TurnDone | None = None
        with RECORDING_LOCK:
            mark = _recorded_session.set(session_id)
            try:
                with cassette_context(
                    directory / CASSETTE,
                    record_mode="all",
                    append=True,
                    keep=lambda _request: _recorded_session.get() == session_id,
                ):
                    for event in events:
                        if isinstance(event, TurnDone):
                            done = event
                        else:
                            yield event
            finally:
                with suppress(ValueError):  # closed from another thread: that context ends anyway
                    _recorded_session.reset(mark)
            if done is not None:
                self._write_turn(directory, session_id, Turn(user=user, action=action), observe(done.result))
        if done is not None:
            yield done

    def record_refusal(
        self, session_id: str, message: str, *, user: str | None = None, action: str | None = None
    ) -> None:
        """A turn the service refused (a card still waiting, nothing to confirm): replays expect the same."""
        with RECORDING_LOCK:
            if (directory := self.directory_of(session_id)) is not None:
                self._write_turn(directory, session_id, Turn(user=user, action=action), TurnObservation(error=message))

    def _write_turn(self, directory: Path, session_id: str, turn: Turn, seen: TurnObservation) -> None:
        path = directory / CONVERSATION
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["turns"].append(recorded_turn(turn, seen).model_dump(mode="json", exclude_none=True))
        end = end_state(self.engine, session_id)
        data["end_state"] = end_state_from(end).model_dump(mode="json", exclude_none=True)
        dump_spec(ConversationSpec.model_validate(data), path)
        append_transcript(directory, turn, seen)
        write_db_changes(directory, end)
