"""A confirmation card whose call already ran: the server stopped between a write and the turn's checkpoint.

A turn is checkpointed once, when it ends (`graphs.returns_graph.DURABILITY`). If the process dies
after the confirmed write tool committed (say while it waits on the carrier for the label), the saved
conversation still shows the card, while the database holds the change. These helpers tell such a
card apart (the registry's `ToolSpec.committed`, asked by tool call id) and find what a finished call
answered, so the service can retire the card by replaying the idempotent call, and can tell a
customer who cancels, or confirms again, what was really done. No interface code is imported here.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolCall, ToolMessage

from tools.base import tool_result
from tools.cards import ConfirmationCard
from tools.deps import ToolDeps
from tools.registry import spec_for

DONE_ALREADY = {
    "create_return": "return {rma} was already created",
    "cancel_return": "return {rma} was already cancelled",
}


def card_call(messages: list[BaseMessage], card: ConfirmationCard) -> ToolCall | None:
    """The tool call the card stands for: the last message's call whose id starts the card's action id."""
    last = messages[-1] if messages else None
    if not isinstance(last, AIMessage):
        return None
    return next((c for c in last.tool_calls if c["id"] and card.action_id.startswith(f"{c['id']}~")), None)


def card_already_ran(snapshot: Any, card: ConfirmationCard, deps: ToolDeps, session_id: str) -> bool:
    """Whether the call behind `card` has already committed its change (only tools that can tell say yes)."""
    spec = spec_for(card.tool)
    call = card_call(snapshot.values.get("messages", []), card)
    if spec is None or spec.committed is None or call is None or call["id"] is None:
        return False
    return spec.committed(deps, dict(snapshot.values), session_id, call["id"])


def finished_call_result(messages: list[BaseMessage], action_id: str | None) -> tuple[str, dict[str, Any]] | None:
    """(tool, result) of the call a (former) card's `action_id` names, if it ran to a successful result."""
    if not action_id or "~" not in action_id:
        return None
    call_id = action_id.split("~", 1)[0]
    for message in reversed(messages):
        if isinstance(message, ToolMessage) and message.tool_call_id == call_id:
            result = tool_result(message.content)
            return (message.name or "", result) if result.get("ok") else None
    return None


def done_already(tool: str, result: dict[str, Any]) -> str:
    """'return RMA-1A2B3C4D was already created': what a finished call did, in the customer's terms."""
    template = DONE_ALREADY.get(tool)
    if template is None or not result.get("rma"):
        return "that action was already carried out"
    return template.format(rma=result["rma"])
