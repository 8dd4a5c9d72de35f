"""What one answer of an agent under test looks like: the reply, the card it stops at, the tools that ran."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ToolUse:
    name: str
    args: dict[str, Any]
    result: Any


@dataclass
class AgentTurn:
    reply: str
    mode: str  # "model" or "guided": who wrote the reply
    card: dict[str, Any] | None = None  # the confirmation card the turn stopped at (ConfirmationCard)
    tools: list[ToolUse] = field(default_factory=list)
    refused: str | None = None  # the input was refused before anything ran (e.g. a card is waiting)
    error: str | None = None  # the agent failed this turn
