"""What the service asks of a QA session recorder. The recorder itself lives in `qa/` and is handed in
(`ConversationService(..., recorder=SessionRecorder)`): the service never imports QA."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import Engine

from core.settings import Settings
from service.streaming import TurnEvent


class Recorder(Protocol):
    def start(self, session_id: str, *, customer: dict[str, Any], language: str) -> Path: ...

    def record_turn(
        self, session_id: str, events: Iterator[TurnEvent], *, user: str | None = None, action: str | None = None
    ) -> Iterator[TurnEvent]: ...

    def record_refusal(
        self, session_id: str, message: str, *, user: str | None = None, action: str | None = None
    ) -> None: ...


RecorderFactory = Callable[[Settings, Engine], Recorder]
