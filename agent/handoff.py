"""Hand-off: the graph passes the conversation to a person, with a ticket and a summary.

Code hands off when the customer asks for a person (input screen), when a turn needs more tool
rounds than allowed, or when the same failure repeats. The model can also hand off by calling the
transfer_to_human tool; both open the ticket through `tools.handoff.hand_over`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from agent.state import ReturnDeskState
from core.messages import t
from tools.base import session_id_of
from tools.deps import ToolDeps, deps_of
from tools.handoff import hand_over

# Answers that are not failures of the agent: a "no", or the policy saying no.
NOT_FAILURES = frozenset({"declined", "not_eligible"})
SAME_FAILURE_IN_A_TURN = 2
SAME_FAILURE_IN_A_CONVERSATION = 3


def _failure_code(message: ToolMessage) -> str | None:
    try:
        data = json.loads(message.content) if isinstance(message.content, str) else message.content
    except ValueError:
        return None
    if isinstance(data, dict) and data.get("ok") is False and data.get("code") not in NOT_FAILURES:
        return str(data.get("code") or "error")
    return None


def repeated_failure(messages: Sequence[BaseMessage]) -> str | None:
    """'repeated_failure:<tool>:<code>' when the same tool failed the same way twice in this turn or
    three times since the last hand-off; None otherwise. Pure: testable on message lists."""
    since_handoff: list[BaseMessage] = []
    for message in reversed(messages):
        if isinstance(message, AIMessage) and message.response_metadata.get("returndesk_handoff"):
            break
        since_handoff.append(message)
    since_handoff.reverse()
    last_human = max((i for i, m in enumerate(since_handoff) if isinstance(m, HumanMessage)), default=-1)
    everything: Counter[tuple[str, str]] = Counter()
    this_turn: Counter[tuple[str, str]] = Counter()
    for i, message in enumerate(since_handoff):
        if isinstance(message, ToolMessage) and (code := _failure_code(message)):
            key = (message.name or "?", code)
            everything[key] += 1
            if i > last_human:
                this_turn[key] += 1
    newest = next((m for m in reversed(since_handoff) if isinstance(m, ToolMessage)), None)
    if newest is None or not (code := _failure_code(newest)):
        return None  # only the failure that just happened can trigger a hand-off
    key = (newest.name or "?", code)
    if this_turn[key] >= SAME_FAILURE_IN_A_TURN or everything[key] >= SAME_FAILURE_IN_A_CONVERSATION:
        return f"repeated_failure:{key[0]}:{key[1]}"
    return None


def _unanswered_calls(messages: Sequence[BaseMessage]) -> list[ToolMessage]:
    """Tool calls left without an answer (the hand-off interrupts them): answered as 'not run', so the
    conversation stays valid for the model afterwards."""
    last = messages[-1] if messages else None
    if not isinstance(last, AIMessage) or not last.tool_calls:
        return []
    result = {"ok": False, "code": "handed_off", "error": "Not run: the conversation was passed to a person."}
    return [ToolMessage(content=json.dumps(result), tool_call_id=c["id"], name=c["name"]) for c in last.tool_calls]


def hand_off(state: ReturnDeskState, runtime: Runtime[ToolDeps], config: RunnableConfig) -> dict[str, Any]:
    """Open the ticket and tell the customer its number, in their language."""
    messages = state.get("messages", [])
    language = state.get("language") or "en"
    reason = state.get("handoff_reason") or repeated_failure(messages) or "customer_asked"
    session_id = session_id_of(config)
    closing = _unanswered_calls(messages)
    result = hand_over(
        deps_of(runtime), state={**state, "messages": [*messages, *closing]}, session_id=session_id, reason=reason
    )
    text = (
        t("handoff.passed", language, ticket=result.get("ticket", ""))
        if result.get("ok")
        else t("handoff.failed", language)
    )
    if result.get("ok") and result.get("waiting"):
        text += t("handoff.queue", language, waiting=result["waiting"])
    reply = AIMessage(
        content=text,
        response_metadata={
            "returndesk_mode": "guided",
            "returndesk_handoff": reason,
            "handoff_ticket": result.get("ticket"),
            "quick_replies": [t("guided.button.start_over", language)],
        },
    )
    return {"messages": [*closing, reply], "handoff_reason": None}
