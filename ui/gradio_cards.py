"""What the web app shows beside the chat, as Markdown: order, eligibility, confirmation, return (created,
or its status), parcels. It knows no tool by name: the confirmation card has one shape for every tool
(`tools.cards`), and tool results come keyed by the panel their tool declares (`ToolSpec.panel`)."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from core import languages
from core.dates import format_date, format_datetime, zone_name
from core.money import format_amount
from service.results import ConfirmationCard
from service.streaming import ToolFinished, ToolStarted
from ui import i18n
from ui.i18n import order_status, t


class CheckedSteps:
    """This turn's tool calls as ONE collapsed "What I checked" chat entry (Gradio message metadata):
    its title names the steps, its body their arguments and results. A step appears once it runs:
    a call still waiting on the confirmation card is not shown."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.message: dict[str, Any] | None = None
        self.steps: dict[str, dict[str, Any]] = {}  # call id -> label, args, result, outcome

    def started(self, event: ToolStarted, label: str) -> dict[str, Any] | None:
        """Adds a running step; returns the chat entry when this turn's first step created it."""
        self.steps[event.call_id] = {"label": label, "args": event.args, "result": None}
        return self._render()

    def finished(self, event: ToolFinished, label: str) -> dict[str, Any] | None:
        step = self.steps.setdefault(event.call_id, {"label": label, "args": {}, "result": None})
        step["result"], step["outcome"] = event.result, event.outcome
        return self._render()

    def done(self) -> None:
        """The turn ended: steps that never ran (waiting on the card) leave the entry."""
        self.steps = {call: step for call, step in self.steps.items() if step["result"] is not None}
        self._render(final=True)

    def _render(self, *, final: bool = False) -> dict[str, Any] | None:
        created = self.message is None and bool(self.steps)
        if self.message is None:
            if not self.steps:
                return None
            self.message = {"role": "assistant", "content": ""}
        labels = list(dict.fromkeys(step["label"] for step in self.steps.values()))
        running = any(step["result"] is None for step in self.steps.values())
        self.message["content"] = "\n\n".join(_step_text(step, self.language) for step in self.steps.values())
        self.message["metadata"] = {
            "title": t("checked", self.language, what=", ".join(labels)),
            "status": "pending" if running and not final else "done",
        }
        return self.message if created else None


def _step_text(step: dict[str, Any], language: str) -> str:
    text = f"**{step['label']}**"
    if step["args"]:
        text += f"\n\n{t('arguments', language)}: `{json.dumps(step['args'], ensure_ascii=False)}`"
    if step["result"] is not None:
        result = json.dumps(step["result"], ensure_ascii=False)[:600]
        text += f"\n\n{t('result', language)} ({step.get('outcome', '')}): `{result}`"
    return text


def refund_method(method: str | None, language: str) -> str:
    return i18n.refund_method(method, language)


def fact(name: str, value: object, language: str) -> str:
    """ "**Status:** delivered", with the colon the language writes ("**状态：** 已签收")."""
    return t("fact", language, name=t(name, language), value=value)


def confirmation_card(card: ConfirmationCard, language: str) -> str:
    """Any tool's confirmation card: its title, its lines and amounts in one table (money in the card's
    locale), and what confirming does."""
    rows = [t("fact", language, name=line.label, value=line.value) for line in card.lines]
    rows += [t("fact", language, name=amount.label, value=amount.formatted(card.language)) for amount in card.amounts]
    facts = "\n".join(f"- {row}" for row in rows)  # a list: a two-column table would need an empty header
    parts = (t("card_title", language), f"**{card.title}**", facts, card.on_confirm)
    return "\n\n".join(part for part in parts if part)


def order_card(order: dict[str, Any], language: str) -> str:
    money = lambda amount: format_amount(amount, order.get("currency"), language)  # noqa: E731
    facts = [
        fact("status", order_status(order.get("status"), language), language),
        fact("ordered", format_date(order.get("ordered_at"), language), language),
    ]
    if order.get("delivered_at"):
        facts.append(fact("delivered", format_date(order["delivered_at"], language), language))
    if order.get("total"):
        facts.append(fact("total", money(order["total"]), language))
    rows = "\n".join(
        f"| {i['product']} | {i['quantity']} | {money(i.get('unit_price'))} |" for i in order.get("items", [])
    )
    header = f"| {t('item', language)} | {t('qty', language)} | {t('price', language)} |\n|---|---|---|"
    return f"{t('order_title', language, order=order.get('order_id'))}\n{' · '.join(facts)}\n\n{header}\n{rows}"


def eligibility_card(result: dict[str, Any], language: str) -> str:
    lines = [
        f"- {'✅' if i.get('eligible') else '⛔'} **{i.get('product')}**: {i.get('explanation', '')}"
        for i in result.get("items", [])
    ]
    return t("eligibility_title", language) + "\n" + "\n".join(lines)


def return_card(
    result: dict[str, Any], language: str, *, label_loaded: bool = True, title: str = "return_title"
) -> str:
    """RMA, refund and the label's state; the label image itself is shown beside this card."""
    parts = [
        t(title, language),
        fact("rma", f"`{result.get('rma')}`", language),
        t(
            "refund_to",
            language,
            amount=format_amount(result.get("refund_amount"), result.get("currency"), language),
            method=refund_method(result.get("refund_method"), language),
        ),
    ]
    if title == "return_status_title":
        parts.insert(2, fact("status", return_status(result, language), language))
    if line := label_line(result.get("label"), language, label_loaded=label_loaded):
        parts.append(fact("label", line, language))
    return "\n\n".join(parts)


def exchange_card(result: dict[str, Any], language: str) -> str:
    """An exchange's number, status, the items' old and new options and the replacement's parcel."""
    parts = [
        t("exchange_status_title", language),
        fact("exchange_number", f"`{result.get('exchange')}`", language),
        fact("status", str(result.get("status_text") or result.get("status") or ""), language),
        "\n".join(
            f"- **{i.get('product')}** × {i.get('quantity')}: {options(i.get('old_options'))} → "
            f"{options(i.get('new_options'))}"
            for i in result.get("items", [])
        ),
    ]
    if result.get("replacement_tracking"):
        parts.append(fact("replacement", f"`{result['replacement_tracking']}`", language))
    return "\n\n".join(part for part in parts if part)


def options(values: dict[str, str] | None) -> str:
    return ", ".join(f"{k}: {v}" for k, v in (values or {}).items()) or "-"


def label_line(label: dict[str, Any] | None, language: str, *, label_loaded: bool) -> str:
    """The label's state in words; '' when the result says nothing about a label (a parcel already sent)."""
    if label is None:
        return ""
    if label.get("status") == "created":
        ready = "label_ready" if label_loaded else "label_unloaded"
        return t(ready, language, tracking=label.get("tracking_number"))
    if label.get("status") in ("voided", "void_pending"):
        return t("label_void", language)
    return t("label_pending", language)


def return_status(result: dict[str, Any], language: str) -> str:
    status = result.get("status") or ""
    return i18n.return_status(status, language) or result.get("status_text") or status


def tracking_card(result: dict[str, Any], language: str, zone: ZoneInfo | None = None) -> str:
    """Each parcel of the order: where it is now, then its scans, newest first. `zone`: the
    customer's time zone (their browser's); by default their language's."""
    if not result.get("parcels"):
        return t("not_shipped", language, order=result.get("order_id"))
    return "\n\n".join(parcel_card(parcel, language, zone) for parcel in result["parcels"])


def when_heading(language: str, zone: ZoneInfo | None) -> str:
    """The time column's heading, naming the zone its times are in: "Time (Pacific Time)"."""
    if zone is None or zone.key == languages.get(language).time_zone:
        return t("when", language)  # the language's own zone, as its catalogue names it ("北京时间")
    return t("when_zone", language, zone=zone_name(zone, language))


def parcel_card(parcel: dict[str, Any], language: str, zone: ZoneInfo | None = None) -> str:
    title = t("parcel_title", language, number=parcel.get("tracking_number"))
    if parcel.get("direction") == "return":
        title += f" ({t('parcel_return', language)})"
    facts = [fact("latest", parcel.get("status_text", ""), language)]
    if parcel.get("estimated_delivery"):
        facts.append(fact("eta", format_date(parcel["estimated_delivery"], language), language))
    rows = "\n".join(
        f"| {format_datetime(e.get('at'), language, zone)} | {e.get('location') or ''} | {e.get('description', '')} |"
        for e in reversed(parcel.get("events", []))
    )
    header = f"| {when_heading(language, zone)} | {t('where', language)} | {t('what', language)} |\n|---|---|---|"
    return f"{title}\n{' · '.join(facts)}" + (f"\n\n{header}\n{rows}" if rows else "")


def side_panel(
    results: dict[str, Any], language: str, *, label_loaded: bool = True, zone: ZoneInfo | None = None
) -> str:
    """The cards for the tools that ran this turn (a successful result only), in a fixed order.

    `results`: this turn's tool results keyed by their tool's panel ("order", "eligibility",
    "return", "return_status", "tracking"). `label_loaded`: whether the web app could load the
    return's label image to show beside it. `zone`: the customer's time zone (their browser's).
    """
    cards = []
    if (order := results.get("order")) and order.get("ok"):
        cards.append(order_card(order["order"], language))
    if (check := results.get("eligibility")) and check.get("ok"):
        cards.append(eligibility_card(check, language))
    if (created := results.get("return")) and created.get("ok"):
        cards.append(return_card(created, language, label_loaded=label_loaded))
    if (status := results.get("return_status")) and status.get("ok") and status.get("exchange"):
        cards.append(exchange_card(status, language))  # the status step also answers for an EXC- number
    elif status and status.get("ok"):
        cards.append(return_card(status, language, label_loaded=label_loaded, title="return_status_title"))
    if (tracking := results.get("tracking")) and tracking.get("ok"):
        cards.append(tracking_card(tracking, language, zone))
    return "\n\n---\n\n".join(cards)
