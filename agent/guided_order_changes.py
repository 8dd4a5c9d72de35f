"""Guided mode's after-sales flows for a pending order: cancelling it (and, with its own handlers,
changing it). Registered in `agent/guided_handlers.py`; the words are the catalogues' `guided.*`.

Each flow looks the order up first, so a customer is never asked for a reason or a detail about an
order that cannot be changed: a shipped order is refused with tracking offered, a delivered one
with a return, anything else with a person.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from agent.guided_steps import GuidedSteps
from agent.guided_text import button, mentions, menu_buttons
from core.messages import t
from core.money import format_amount

CANCELLABLE = ("pending", "items_modified")
REASONS = {"reason_no_longer_needed": "no longer needed", "reason_by_mistake": "ordered by mistake"}


def cancel_reason(text: str) -> str | None:
    """The policy's cancel reason the customer's words name, if any."""
    return next((reason for table, reason in REASONS.items() if mentions(text, table)), None)  # type: ignore[arg-type]


def start_cancel_order(steps: GuidedSteps) -> AIMessage | None:
    """ "Cancel order #W…": look the order up (its status decides what to ask), then propose with a reason."""
    if steps.c.intent != "cancel_order":
        return None
    if steps.c.order_id is None:
        return steps.call("list_orders", limit=10)
    reason = cancel_reason(steps.c.request)
    if reason and steps.c.previous.get("awaiting") == "cancel_reason":
        return steps.call("cancel_order", order_id=steps.c.order_id, reason=reason)
    return steps.call("lookup_order", order_id=steps.c.order_id)


def refuse_for_status(steps: GuidedSteps, order: dict[str, Any], action: str) -> AIMessage:
    """Why the order cannot be changed now, with what can be done instead (never a different question)."""
    status = order["status"]
    words = {"order": order["order_id"], "status": steps.order_status(status), "action": t(action, steps.lang)}
    if status == "shipped":
        return steps.say(
            "order_shipped",
            quick_replies=[button("track_this_parcel", steps.lang), button("handoff", steps.lang)],
            intent="menu",
            **words,
        )
    if status in ("delivered", "return_requested", "exchange_requested"):
        return steps.say(
            "order_delivered",
            quick_replies=[button("return", steps.lang), button("handoff", steps.lang)],
            intent="menu",
            **words,
        )
    message = steps.say(
        "order_not_changeable",
        quick_replies=[button("handoff", steps.lang)],
        awaiting="handoff_offer",
        intent="menu",
        **words,
    )
    message.response_metadata["guided"]["reason"] = f"Customer asked to change order {order['order_id']} ({status})."
    return message


def cancel_after_lookup(steps: GuidedSteps, order: dict[str, Any]) -> AIMessage:
    if order["status"] not in CANCELLABLE:
        return refuse_for_status(steps, order, "guided.action.cancel")
    if reason := cancel_reason(steps.c.request):
        return steps.call("cancel_order", order_id=order["order_id"], reason=reason)
    return steps.say(
        "ask_cancel_reason",
        order=order["order_id"],
        awaiting="cancel_reason",
        quick_replies=[
            button("no_longer_needed", steps.lang),
            button("by_mistake", steps.lang),
            button("handoff", steps.lang),
        ],
    )


def refund_lines(steps: GuidedSteps, data: dict[str, Any]) -> str:
    """One line per refund (method, amount, when it arrives), for a cancelled order or a payment change."""
    return "\n".join(
        t(
            "guided.refund_move",
            steps.lang,
            method=r["payment_method"],
            timing=r["timing"],
            amount=format_amount(r["amount"], r.get("currency"), steps.lang),
        )
        for r in data.get("refunds", [])
    )


def after_cancel_order(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    """Cancelled: each refund, where it goes and when it arrives."""
    lines = refund_lines(steps, data)
    return steps.say(
        "order_cancelled",
        order=data["order_id"],
        refunds=lines,
        quick_replies=menu_buttons(steps.lang)[:3],
        intent="menu",
    )
