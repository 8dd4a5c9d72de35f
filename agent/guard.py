"""Guard and confirmation: a sensitive tool runs only if code allows it and the customer says yes.

`guard` asks the tool's preview (ToolSpec.preview) whether the proposed call is allowed: its
items must have been found eligible in this conversation and still be eligible. `confirm` shows the
card (`interrupt`) and lets exactly that call run on "yes": same call id, same arguments.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Literal

from langchain_core.messages import AIMessage, ToolCall, ToolMessage
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from agent.handoff import repeated_failure
from agent.state import ReturnDeskState
from mock_backends.orders.errors import OrderSystemError
from tools.base import GuardRefusal, failure
from tools.cards import ConfirmationCard
from tools.deps import ToolDeps, deps_of
from tools.registry import REGISTRY, ToolRegistry

DECLINED = {
    "ok": False,
    "code": "declined",
    "error": "The customer did not confirm; nothing was changed.",
    "hint": "Acknowledge, and ask what else you can help with.",
}
# Where `guard` and `confirm` go next (the graph declares these as their destinations).
GuardRoute = Literal["confirm", "assist", "handoff"]
ConfirmRoute = Literal["tools", "assist", "handoff"]
ONE_AT_A_TIME = {
    "ok": False,
    "code": "one_at_a_time",
    "error": "Propose one action at a time.",
    "hint": "Call the sensitive tool alone, after the checks it needs.",
}


def fingerprint(call: Mapping[str, Any]) -> str:
    """Identifies a tool call by name and arguments: what the customer saw is what runs."""
    canonical = json.dumps({"name": call["name"], "args": call["args"]}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def answer(call: Mapping[str, Any], result: dict[str, Any]) -> ToolMessage:
    return ToolMessage(content=json.dumps(result, ensure_ascii=False), tool_call_id=call["id"], name=call["name"])


def _sensitive_call(state: ReturnDeskState) -> list[ToolCall]:
    last = state["messages"][-1]
    return list(last.tool_calls) if isinstance(last, AIMessage) else []


def _back_to_assist(state: ReturnDeskState, messages: list[ToolMessage]) -> Command:
    goto = "handoff" if repeated_failure([*state.get("messages", []), *messages]) else "assist"
    return Command(goto=goto, update={"messages": messages, "pending_action": None})


def guard(
    state: ReturnDeskState, runtime: Runtime[ToolDeps], *, registry: ToolRegistry = REGISTRY
) -> Command[GuardRoute]:
    """Code decides whether the proposed sensitive call may even be shown to the customer
    (asking the preview of the tool in `registry`, the graph's tools)."""
    calls = _sensitive_call(state)
    if len(calls) != 1:
        return _back_to_assist(state, [answer(c, ONE_AT_A_TIME) for c in calls])
    call = calls[0]
    spec = registry.spec_for(call["name"])
    try:
        if spec is None or spec.preview is None:
            raise GuardRefusal(f"{call['name']} cannot be confirmed.")
        pending = spec.preview(call["args"], dict(state), deps_of(runtime))
    except OrderSystemError as error:
        args = call.get("args") or {}
        refusal = failure(
            error,
            state.get("language"),
            order_id=str(args["order_id"]) if args.get("order_id") else None,
            reference=str(args["rma"]) if args.get("rma") else None,
        )
        return _back_to_assist(state, [answer(call, refusal)])
    # The card's id names this call *and* its arguments: a "yes" given for one card never runs another.
    pending = pending.model_copy(update={"action_id": f"{call['id']}~{fingerprint(call)[:12]}"})
    return Command(
        goto="confirm", update={"pending_action": {"action": pending.model_dump(), "fingerprint": fingerprint(call)}}
    )


def confirm(state: ReturnDeskState) -> Command[ConfirmRoute]:
    """Show the card and wait; only a "yes" for this exact call lets it run."""
    calls = _sensitive_call(state)
    stored = state.get("pending_action") or {}
    pending = ConfirmationCard.model_validate(stored["action"])
    # Everything above re-runs when the graph resumes; it is read-only, so that is safe.
    decision = interrupt(pending.model_dump())
    approved = (
        isinstance(decision, dict)
        and decision.get("approved") is True
        and decision.get("action_id") == pending.action_id
    )
    if not approved:
        return _back_to_assist(state, [answer(c, DECLINED) for c in calls])
    if len(calls) != 1 or fingerprint(calls[0]) != stored.get("fingerprint"):
        refusal = GuardRefusal("The action changed after it was shown to the customer; nothing was changed.")
        return _back_to_assist(state, [answer(c, failure(refusal)) for c in calls])
    return Command(goto="tools", update={"pending_action": None})
