"""A conversation as the staff console shows it: every message, tool call (with its result) and
confirmation card (with how it was answered), read from the graph's checkpoint."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from service.streaming import parsed_content
from service.takeover import author_of
from tools.cards import ConfirmationCard
from tools.registry import SENSITIVE_TOOLS


def transcript(messages: list[BaseMessage], pending: ConfirmationCard | None) -> list[dict[str, Any]]:
    """Entries in order: `customer`, `assistant`, `staff`, `notice` (text), `tool` (a call and its
    result; `card` is "confirmed" / "declined" for a sensitive call) and a waiting `card` last."""
    results = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    entries: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            entries.append({"kind": "customer", "text": str(message.content)})
        elif isinstance(message, AIMessage):
            if message.content:
                entries.append(_text_entry(message))
            entries += [_tool_entry(dict(call), results.get(call["id"] or "")) for call in message.tool_calls]
    if pending is not None:
        for entry in entries:  # the call the card stands for has not run: it waits for the customer
            if entry["kind"] == "tool" and entry["outcome"] == "not run" and entry["tool"] == pending.tool:
                entry["outcome"] = "waiting for the customer's answer to the card"
        entries.append({"kind": "card", "text": pending.summary, "tool": pending.tool, "answer": "waiting"})
    return entries


def _text_entry(message: AIMessage) -> dict[str, Any]:
    metadata = message.response_metadata or {}
    if author := author_of(message):
        return {"kind": "staff", "text": str(message.content), "author": author}
    kind = "notice" if metadata.get("returndesk_notice") or metadata.get("returndesk_handoff") else "assistant"
    return {"kind": kind, "text": str(message.content), "mode": metadata.get("returndesk_mode") or "model"}


def _tool_entry(call: dict[str, Any], result: ToolMessage | None) -> dict[str, Any]:
    data = parsed_content(result.content) if result is not None else None
    entry: dict[str, Any] = {
        "kind": "tool",
        "tool": call["name"],
        "args": call.get("args", {}),
        "result": data,
        "outcome": _outcome(data) if result is not None else "not run",
    }
    if call["name"] in SENSITIVE_TOOLS and result is not None:
        declined = isinstance(data, dict) and data.get("code") == "declined"
        entry["card"] = "declined" if declined else "confirmed"
    return entry


def _outcome(data: Any) -> str:
    if isinstance(data, dict) and "ok" in data:
        return "ok" if data["ok"] else f"failed ({data.get('code', 'error')})"
    return "ok"
