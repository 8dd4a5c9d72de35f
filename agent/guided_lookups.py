"""What guided mode does once a read tool answered, for every flow: the after-sales flows check the
order's status first; a return, a status question or tracking go on as before (GuidedSteps)."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from agent.guided_account_changes import change_after_list, change_after_lookup
from agent.guided_exchanges import exchange_after_eligibility
from agent.guided_item_changes import swap_after_details
from agent.guided_order_changes import cancel_after_lookup
from agent.guided_steps import GuidedSteps

AFTER_LOOKUP = {
    "cancel_order": cancel_after_lookup,
    "change_address": change_after_lookup,  # change_order_address / change_order_payment
    "change_payment": change_after_lookup,
}


def after_list_orders(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    """A change flow offers the customer's pending orders; every other flow lists the orders as before."""
    return change_after_list(steps, data) or steps.after_list_orders(data)


def after_lookup_order(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    flow = AFTER_LOOKUP.get(steps.c.intent or "")
    return flow(steps, data["order"]) if flow else steps.after_lookup_order(data)


def after_get_product_details(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    if steps.c.intent in ("exchange", "change_items"):
        return swap_after_details(steps, data)
    return steps.after_get_product_details(data)


def after_check_return_eligibility(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    if steps.c.intent == "exchange":
        return exchange_after_eligibility(steps, data)
    return steps.after_check_return_eligibility(data)
