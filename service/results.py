"""What a turn and a session look like to the doors: plain data, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.base import PendingAction  # the confirmation card, as the doors show it

__all__ = ["PendingAction", "SessionInfo", "ToolTraceEntry", "TurnResult"]


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
    pending: PendingAction | None = None
    tool_trace: list[ToolTraceEntry] = field(default_factory=list)
    # Suggested next messages, from the reply's response_metadata["quick_replies"] when it has them.
    quick_replies: list[str] = field(default_factory=list)
    language: str = "en"  # the language the reply is written in ("en" or "zh")
    # "waiting" for a person (a hand-off ticket is open) or with "staff" (claimed): the assistant is silent.
    with_person: str | None = None
    staff_name: str | None = None  # the staff member who has the conversation
