"""Guided mode's exchange flow: which item, which variant (size, colour, ...), whether the item may
still be exchanged, then the card. Registered in `agent/guided_handlers.py`.

The steps, all in one customer turn when the words say enough: `get_product_details` for the order
(each item's variants and the in-stock ones it can be swapped for), `check_return_eligibility` for
the chosen item (an exchange follows the return window and final-sale rule), then `exchange_items`.
Anything missing is asked with quick replies; a sold-out variant is said and the in-stock ones offered.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import AIMessage

from agent.guided_items import names_item
from agent.guided_steps import GuidedSteps
from agent.guided_text import button, mentions, menu_buttons
from core.messages import t
from core.money import format_amount

YES_NO = ("yes", "no")


def options_text(options: dict[str, str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in options.items()) or "-"


def _said(text: str, word: str) -> bool:
    flags = 0 if len(word) <= 2 else re.IGNORECASE  # "M" the size, not the m of "I'm"
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text, flags) is not None


def variant_score(text: str, variant: dict[str, Any], ordered: dict[str, str]) -> int:
    """How many of the variant's options the words name, counting only options that differ from the ordered one."""
    score = 0
    for key, value in (variant.get("options") or {}).items():
        if ordered.get(key) == value:
            continue
        score += _said(text, key if str(value).lower() in YES_NO else str(value))
    return score


def wanted_variant(steps: GuidedSteps, item: dict[str, Any]) -> dict[str, Any] | None:
    """The variant the customer's newest words (else their request) name, if one stands out."""
    ordered = item.get("ordered_options") or {}
    others = [v for v in item["product"].get("variants", []) if v["variant_id"] != item["ordered_variant_id"]]
    for text in (steps.c.text, steps.c.request):
        scored = sorted(((variant_score(text, v, ordered), v) for v in others), key=lambda p: -p[0])
        if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
            return scored[0][1]
    return None


def available(steps: GuidedSteps, variants: dict[str, dict[str, Any]], currency: str | None) -> str:
    """The in-stock variants, one a line, with their prices."""
    return "\n".join(
        t(
            "guided.available_line",
            steps.lang,
            options=options_text(v["options"]),
            price=format_amount(v["price"], currency, steps.lang),
        )
        for v in variants.values()
    )


def chosen_item(steps: GuidedSteps, items: list[dict[str, Any]]) -> dict[str, Any] | None:
    if len(items) == 1:
        return items[0]
    named = [i for i in items if names_item(steps.c.request, {"product": i["product"]["name"]})]
    return named[0] if len(named) == 1 else None


def start_exchange(steps: GuidedSteps) -> AIMessage | None:
    """ "Exchange the T-shirt from #W… for size L": read the order's items and their variants first."""
    if steps.c.intent != "exchange":
        return None
    if steps.c.order_id is None:
        return steps.call("list_orders", limit=10)
    return steps.call("get_product_details", order_id=steps.c.order_id)


def start_product_question(steps: GuidedSteps) -> AIMessage | None:
    """ "What sizes does it come in?": the order's items and their variants; without an order, the help centre."""
    if steps.c.intent != "product":
        return None
    if steps.c.order_id is None:
        return steps.call("search_help_centre", query=steps.c.text[:300], language=steps.lang)
    return steps.call("get_product_details", order_id=steps.c.order_id)


def exchange_after_details(steps: GuidedSteps, data: dict[str, Any], *, change: bool = False) -> AIMessage:
    """Which item and which variant, then the next call: for an exchange the return rules
    (check_return_eligibility); for a pending order's items (`change`), the change itself."""
    items = data.get("items", [])
    item = chosen_item(steps, items)
    if item is None:
        names = [i["product"]["name"] for i in items]
        return steps.say(
            "which_change_item" if change else "which_exchange_item",
            order=data.get("order_id", ""),
            quick_replies=names,
            awaiting="exchange_item",
        )
    in_stock = {v["variant_id"]: v for v in item["product"]["variants"] if v["variant_id"] in item["can_swap_for"]}
    # A button in the customer's words ("换成 size: 43"), so the reply stays in their language.
    buttons = [t("guided.variant_button", steps.lang, options=options_text(v["options"])) for v in in_stock.values()]
    variant = wanted_variant(steps, item)
    if variant is not None and variant["variant_id"] not in in_stock:
        return steps.say(
            "variant_sold_out",
            product=item["product"]["name"],
            options=options_text(variant["options"]),
            available=available(steps, in_stock, data.get("currency")),
            quick_replies=[*buttons, button("handoff", steps.lang)],
            awaiting="exchange_variant",
        )
    if variant is None:
        if not in_stock:
            return steps.say(
                "no_change_variant_in_stock" if change else "no_variant_in_stock",
                product=item["product"]["name"],
                quick_replies=[button("handoff", steps.lang)]
                if change
                else [button("return", steps.lang), button("handoff", steps.lang)],
                intent="menu",
            )
        return steps.say(
            "which_change_variant" if change else "which_variant",
            product=item["product"]["name"],
            order=data.get("order_id", ""),
            ordered=options_text(item.get("ordered_options") or {}),
            available=available(steps, in_stock, data.get("currency")),
            quick_replies=[*buttons, button("handoff", steps.lang)],
            awaiting="exchange_variant",
        )
    if change:
        return steps.call(
            "change_order_items",
            order_id=data["order_id"],
            items=[{"order_item_id": item["order_item_id"], "new_variant_id": variant["variant_id"]}],
            **({"payment_method_id": "gift_card"} if mentions(steps.c.request, "gift_card") else {}),
        )
    return steps.call(
        "check_return_eligibility",
        order_id=data["order_id"],
        items=[{"order_item_id": item["order_item_id"], "quantity": 1}],
    )


def exchange_after_eligibility(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    """The item may still be exchanged (the return rules): propose the exchange the words chose."""
    refused = [i for i in data.get("items", []) if not i.get("eligible")]
    if refused:
        lines = "\n".join(
            t("guided.item_line", steps.lang, name=i["product"], explanation=i["explanation"]) for i in refused
        )
        return steps.say(
            "not_exchangeable",
            order=data["order_id"],
            lines=lines,
            quick_replies=[button("handoff", steps.lang), *menu_buttons(steps.lang)[:2]],
            intent="menu",
        )
    details = steps.last_result("get_product_details") or {}
    item = next((i for i in details.get("items", []) if i["order_item_id"] == data["items"][0]["order_item_id"]), None)
    variant = wanted_variant(steps, item) if item else None
    if item is None or variant is None:  # cannot happen after exchange_after_details; say so, never guess
        return steps.no_next_step("check_return_eligibility")
    return steps.call(
        "exchange_items",
        order_id=data["order_id"],
        items=[{"order_item_id": item["order_item_id"], "new_variant_id": variant["variant_id"], "quantity": 1}],
    )


def swap_lines(steps: GuidedSteps, data: dict[str, Any]) -> str:
    """One line per swapped item (product, quantity, old -> new options), for exchanges and item changes."""
    return "\n".join(
        t(
            "guided.swap_line",
            steps.lang,
            product=i["product"],
            quantity=i["quantity"],
            old=options_text(i["old_options"]),
            new=options_text(i["new_options"]),
        )
        for i in data.get("items", [])
    )


def after_exchange_items(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    lines = swap_lines(steps, data)
    payment = data.get("payment")
    money = ""
    if payment:
        key = "guided.exchange_refund" if payment["direction"] == "refund" else "guided.exchange_charge"
        money = "\n" + t(
            key,
            steps.lang,
            amount=format_amount(payment["amount"], payment.get("currency"), steps.lang),
            method=payment["payment_method"],
            timing=payment.get("timing", ""),
        )
    label = f"\n{data['label_message']}" if data.get("label_message") else ""
    return steps.say(
        "exchange_created",
        exchange=data["exchange"],
        order=data["order_id"],
        lines=lines,
        money=money,
        label=label,
        quick_replies=menu_buttons(steps.lang)[:3],
        intent="menu",
    )
