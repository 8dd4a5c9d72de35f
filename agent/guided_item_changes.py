"""Guided mode's flow for changing the items of an order that has not shipped: the same steps as an
exchange (which item, which variant, with the variant buttons), routed by the order's status: a
pending order gets `change_order_items`, a delivered one the exchange flow, anything else is refused
with what its status allows. Registered in `agent/guided_handlers.py`."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from agent.guided_exchanges import exchange_after_details, swap_lines
from agent.guided_order_changes import refuse_for_status
from agent.guided_steps import GuidedSteps
from agent.guided_text import menu_buttons
from core.messages import t
from core.money import format_amount

ITEMS_CHANGEABLE = ("pending",)  # policy.yaml order_changes.item_change_statuses
EXCHANGEABLE = ("delivered", "return_requested", "exchange_requested")


def start_change_items(steps: GuidedSteps) -> AIMessage | None:
    """ "Change the size on my order #W… that hasn't shipped": the order's items and variants first."""
    if steps.c.intent != "change_items":
        return None
    if steps.c.order_id is None:
        return steps.call("list_orders", limit=10)
    return steps.call("get_product_details", order_id=steps.c.order_id)


def swap_after_details(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    """An exchange or an item change, by the order's status (the customer's words may say either)."""
    status = data.get("order_status")
    if status in ITEMS_CHANGEABLE:
        return exchange_after_details(steps, data, change=True)
    if steps.c.intent == "change_items" and status not in EXCHANGEABLE and status is not None:
        return refuse_for_status(
            steps, {"order_id": data.get("order_id", ""), "status": status}, "guided.action.change"
        )
    return exchange_after_details(steps, data)


def money_line(steps: GuidedSteps, payment: dict[str, Any] | None) -> str:
    """The price difference charged or refunded, on its own line; "" without one."""
    if not payment:
        return ""
    key = "guided.exchange_refund" if payment["direction"] == "refund" else "guided.exchange_charge"
    return "\n" + t(
        key,
        steps.lang,
        amount=format_amount(payment["amount"], payment.get("currency"), steps.lang),
        method=payment["payment_method"],
        timing=payment.get("timing", ""),
    )


def after_change_order_items(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    lines = swap_lines(steps, data)
    return steps.say(
        "items_changed",
        order=data["order_id"],
        lines=lines,
        money=money_line(steps, data.get("payment")),
        quick_replies=menu_buttons(steps.lang)[:3],
        intent="menu",
    )
