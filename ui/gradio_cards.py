"""What the web app shows beside the chat, as Markdown: order, eligibility, confirmation, return."""

from __future__ import annotations

import json
from typing import Any

from tools.base import PendingAction
from ui.i18n import REFUND_METHODS, t, tool_name
from ui.streaming import ToolFinished, ToolStarted


def trace_message(event: ToolStarted, language: str) -> dict[str, Any]:
    """A collapsible 'what I checked' entry in the chat (Gradio message metadata)."""
    return {"role": "assistant",
            "content": f"arguments: `{json.dumps(event.args, ensure_ascii=False)}`" if event.args else "",
            "metadata": {"title": t("checked", language, what=tool_name(event.tool, language)),
                         "id": event.call_id, "status": "pending"}}


def finish_trace(message: dict[str, Any], event: ToolFinished) -> None:
    result = json.dumps(event.result, ensure_ascii=False)
    message["content"] += f"\n\nresult ({event.outcome}): `{result[:600]}`"
    message["metadata"] = {**message["metadata"], "status": "done"}


def refund_method(method: str | None, language: str) -> str:
    return REFUND_METHODS.get(method or "", {}).get(language, method or "")


def confirmation_card(pending: PendingAction, language: str) -> str:
    rows = "\n".join(f"| {i.product} | {i.quantity} | {i.refund} |" for i in pending.items)
    header = f"| {t('item', language)} | {t('qty', language)} | {t('refund', language)} |\n|---|---|---|"
    card = f"{t('card_title', language)}\n{pending.summary}\n\n{header}\n{rows}"
    if pending.refund_amount:  # a cancellation card has no refund to announce
        card += "\n\n" + t("refund_to", language, amount=pending.refund_amount,
                            method=refund_method(pending.refund_method, language))
    return card


def order_card(order: dict[str, Any], language: str) -> str:
    facts = [f"**{t('status', language)}:** {order.get('status')}",
             f"**{t('ordered', language)}:** {order.get('ordered_at')}"]
    if order.get("delivered_at"):
        facts.append(f"**{t('delivered', language)}:** {order['delivered_at']}")
    if order.get("total"):
        facts.append(f"**{t('total', language)}:** {order['total']}")
    rows = "\n".join(f"| {i['product']} | {i['quantity']} | {i.get('unit_price', '')} |"
                     for i in order.get("items", []))
    header = f"| {t('item', language)} | {t('qty', language)} | |\n|---|---|---|"
    return f"{t('order_title', language, order=order.get('order_id'))}\n{' · '.join(facts)}\n\n{header}\n{rows}"


def eligibility_card(result: dict[str, Any], language: str) -> str:
    lines = [f"- {'✅' if i.get('eligible') else '⛔'} **{i.get('product')}**: {i.get('explanation', '')}"
             for i in result.get("items", [])]
    return t("eligibility_title", language) + "\n" + "\n".join(lines)


def return_card(result: dict[str, Any], language: str) -> str:
    parts = [t("return_title", language),
             f"**{t('rma', language)}:** `{result.get('rma')}`",
             t("refund_to", language, amount=result.get("refund_amount"),
               method=refund_method(result.get("refund_method"), language))]
    if result.get("label_url"):
        parts.append(f"**{t('label', language)}:** [{result['label_url']}]({result['label_url']})\n\n"
                     f"![{t('label', language)}]({result['label_url']})")
    elif result.get("label_ref"):
        parts.append(f"**{t('label', language)}:** `{result['label_ref']}`")
    return "\n\n".join(parts)


def side_panel(tool_results: dict[str, Any], language: str) -> str:
    """The cards for the tools that ran this turn (a successful result only), newest last."""
    cards = []
    if (order := tool_results.get("lookup_order")) and order.get("ok"):
        cards.append(order_card(order["order"], language))
    if (check := tool_results.get("check_return_eligibility")) and check.get("ok"):
        cards.append(eligibility_card(check, language))
    if (created := tool_results.get("create_return")) and created.get("ok"):
        cards.append(return_card(created, language))
    return "\n\n---\n\n".join(cards)
