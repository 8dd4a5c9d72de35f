"""Guided mode after get_return_status / cancel_return answered for an exchange (an EXC- number):
where the exchange stands, its items and the replacement's parcel, and, once cancelled, the price
difference given back and the carrier's word on the parcels. A return's answer goes on as before."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from agent.guided_exchanges import options_text
from agent.guided_item_changes import money_line
from agent.guided_steps import GuidedSteps, label_line
from agent.guided_text import button, menu_buttons
from core.messages import t


def swap_lines(steps: GuidedSteps, items: list[dict[str, Any]]) -> str:
    return "\n".join(
        t(
            "guided.swap_line",
            steps.lang,
            product=i["product"],
            quantity=i["quantity"],
            old=options_text(i["old_options"]),
            new=options_text(i["new_options"]),
        )
        for i in items
    )


def after_get_return_status(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    if not data.get("exchange"):
        return steps.after_get_return_status(data)
    tracking = data.get("replacement_tracking")
    cancel = [button("cancel_this_exchange", steps.lang)] if data.get("cancellable") else []
    return steps.say(
        "exchange_status",
        exchange=data["exchange"],
        order=data.get("order_id", ""),
        status=data.get("status_text") or data.get("status", "?"),
        lines=swap_lines(steps, data.get("items", [])),
        tracking=t("guided.exchange_tracking", steps.lang, tracking=tracking) if tracking else "",
        quick_replies=[*cancel, *menu_buttons(steps.lang)[:1]],
        intent="menu",
    )


def after_cancel_return(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    if not data.get("exchange"):
        return steps.after_cancel_return(data)
    return steps.say(
        "exchange_cancelled",
        exchange=data["exchange"],
        money=money_line(steps, data.get("payment_back")),
        label=label_line(data),
        quick_replies=menu_buttons(steps.lang),
        intent="menu",
    )
