"""Hand-off to a person: the ticket a human agent picks up, with a short summary of the conversation."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from mock_backends.orders.handoff import open_ticket, ticket_reference
from mock_backends.orders.handoff_queue import queue_position
from tools.base import AnyRuntime, ok, session_id_of, tool_result
from tools.deps import ToolDeps, deps_of

SUMMARY_CUSTOMER_LINES = 4


def summarize_conversation(messages: Sequence[BaseMessage], customer_id: str | None) -> str:
    """A few lines a colleague reads first: who, what they asked lately, what the tools found.
    Built by code, not by the model, so it holds no invented facts."""
    asked = [str(m.content)[:200] for m in messages if isinstance(m, HumanMessage)][-SUMMARY_CUSTOMER_LINES:]
    calls = {c["id"]: c for m in messages if isinstance(m, AIMessage) for c in m.tool_calls}
    steps = []
    for m in messages:
        if isinstance(m, ToolMessage):
            call: Mapping[str, Any] = calls.get(m.tool_call_id, {})
            outcome = _outcome(m.content)
            args = json.dumps(call.get("args", {}), ensure_ascii=False, sort_keys=True)[:120]
            steps.append(f"- {m.name or call.get('name', '?')}({args}): {outcome}")
    lines = [f"Customer: {customer_id or 'not verified'}", "Customer said:", *[f"> {a}" for a in asked]]
    if steps:
        lines += ["Tools:", *steps[-8:]]
    return "\n".join(lines)


def _outcome(content: Any) -> str:
    data = tool_result(content)
    if not data:
        return "?"
    return "ok" if data.get("ok") else f"failed ({data.get('code', 'error')})"


def hand_over(deps: ToolDeps, *, state: dict[str, Any], session_id: str | None, reason: str) -> dict[str, Any]:
    """Open (or refresh) this conversation's ticket; the structured result both the tool and the
    graph's hand-off node report."""
    customer_id = state.get("customer_id")
    ticket = open_ticket(
        deps.engine,
        customer_id=customer_id,
        session_id=session_id,
        reason=reason,
        summary=summarize_conversation(state.get("messages", []), customer_id),
        language=state.get("language"),
    )
    # `waiting`: the customer's place in the staff queue (1: next), told to them with the ticket number.
    return ok(
        ticket=ticket_reference(ticket), reason=ticket.reason, waiting=queue_position(deps.engine, ticket.id or 0)
    )


@tool(parse_docstring=True)
def transfer_to_human(reason: str, runtime: AnyRuntime) -> dict[str, Any]:
    """Pass the conversation to a human colleague. Use it when the customer asks for a person,
    or when you cannot solve the request with your tools. Tell the customer the ticket number.

    Args:
        reason: One short sentence: why a person should take over.
    """
    session_id = session_id_of(runtime.config)
    return hand_over(deps_of(runtime), state=dict(runtime.state or {}), session_id=session_id, reason=reason)
