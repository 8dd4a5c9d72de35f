"""What a turn and a session look like to the doors: plain data, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core import languages
from tools.cards import EXAMPLE as CARD_EXAMPLE  # a card, for the API docs
from tools.cards import ConfirmationCard  # the confirmation card, as the doors show it
from tools.registry import ToolRegistry  # which tools a conversation uses (labels, panels)

__all__ = ["CARD_EXAMPLE", "ConfirmationCard", "SessionInfo", "ToolRegistry", "ToolTraceEntry", "TurnResult"]


@dataclass
class SessionInfo:
    session_id: str
    customer_id: str | None  # None until the customer is verified
    customer_name: str | None
    language: str
    recording: bool = False  # this session is being recorded for QA (RETURNDESK_RECORD_DIR)


@dataclass
class ToolTraceEntry:
    tool: str
    args: dict[str, Any]
    result: Any


@dataclass
class TurnResult:
    session_id: str
    reply: str
    mode: str  # "model" or "guided": which one wrote the reply
    pending: ConfirmationCard | None = None
    tool_trace: list[ToolTraceEntry] = field(default_factory=list)
    # Suggested next messages, from the reply's response_metadata["quick_replies"] when it has them.
    quick_replies: list[str] = field(default_factory=list)
    language: str = languages.DEFAULT  # the language the reply is written in (a code of core.languages)
    # "waiting" for a person (a hand-off ticket is open) or with "staff" (claimed): the assistant is silent.
    with_person: str | None = None
    staff_name: str | None = None  # the staff member who has the conversation
    # How many entries `GET .../messages` shows after this turn, and whether the last is the assistant's
    # (what a thumbs up rates); None: not counted, ask `history`. The web app reads no checkpoint again.
    history_length: int | None = None
    ends_with_reply: bool = False
