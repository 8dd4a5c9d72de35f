"""Guided mode's steps: from what the customer wrote and what the tools answered, the next message.

One method per situation: `first_step` when the customer just wrote, `after_<tool>` when a tool
answered (each registered for its tool in `agent/guided_handlers.py`, where a new tool's handler goes).
Replies carry quick replies (button labels) and what they wait for (`guided.awaiting`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agent.guided_items import choose_items, names_item, names_something_else
from agent.guided_text import (
    HANDOFF_REASON_UNCLEAR,
    TRACKING_NUMBER,
    after_decline_buttons,
    button,
    credentials_in,
    detect_intent,
    is_bare_yes,
    is_help_button,
    keywords,
    mentions,
    menu_buttons,
)
from core.dates import format_date
from core.messages import maybe, t
from core.money import format_amount
from core.references import EXCHANGE_NUMBER, RMA_NUMBER
from tools.base import tool_result

# Tool errors whose English message guided mode says in the customer's language.
LOCALISED_ERRORS = {"carrier_unavailable": "carrier_down", "order_not_found": "order_not_found"}
log = logging.getLogger(__name__)


@dataclass
class Conversation:
    """What guided mode knows at this step, derived from the messages alone."""

    phase: str
    text: str  # the customer's newest message
    lang: str
    intent: str | None
    request: str  # the customer's words since they stated the current intent
    order_id: str | None
    results: list[ToolMessage]  # tool results since the newest message
    earlier: list[BaseMessage] = field(default_factory=list)  # everything before the newest message
    previous: dict[str, Any] = field(default_factory=dict)  # what guided mode last asked for


class GuidedSteps:
    def __init__(
        self, conversation: Conversation, all_messages: list[BaseMessage], handlers: Mapping[str, GuidedHandler]
    ) -> None:
        self.c = conversation
        self.messages = all_messages
        self.lang = conversation.lang
        self.handlers = handlers  # tool name -> what to do after it answered (agent.guided_handlers)

    # --- writing ------------------------------------------------------------------------------
    def say(
        self,
        key: str,
        *,
        quick_replies: list[str] | None = None,
        awaiting: str | None = None,
        intent: str | None = None,
        **values: Any,
    ) -> AIMessage:
        return AIMessage(
            content=t(f"guided.{key}", self.lang, **values),
            response_metadata={
                "quick_replies": quick_replies or [],
                "guided": {"intent": intent if intent is not None else self.c.intent, "awaiting": awaiting},
            },
        )

    def menu(self, prefix: str = "") -> AIMessage:
        message = self.say("menu", quick_replies=menu_buttons(self.lang), intent="menu")
        message.content = prefix + str(message.content)
        return message

    def call(self, tool: str, **args: Any) -> AIMessage:
        # Unique within a thread (the message count only grows) and stable on replay.
        call_id = f"guided-{len(self.messages)}-{tool}"
        return AIMessage(content="", tool_calls=[{"name": tool, "args": args, "id": call_id, "type": "tool_call"}])

    def name_of(self, item: dict[str, Any]) -> str:
        """The product's name (the tools send it in the customer's language)."""
        return str(item["product"])

    # --- the customer just wrote --------------------------------------------------------------
    def next_message(self) -> AIMessage:
        if not self.c.results:
            return self.first_step()
        last = self.c.results[-1]
        data = tool_result(last.content)
        if data.get("ok") is False:
            return self.after_failure(last.name or "", data)
        handler = self.handlers.get(last.name or "")
        return handler.after(self, data) if handler else self.no_next_step(last.name or "?")

    def first_step(self) -> AIMessage:
        intent = self.c.intent
        if intent == "handoff":
            return self.call("transfer_to_human", reason=self.c.text[:200])
        if self.c.previous.get("awaiting") == "handoff_offer" and mentions(self.c.text, "agree"):
            return self.call("transfer_to_human", reason=self.c.previous.get("reason") or self.c.text[:200])
        if intent == "help":
            return self.help_step()
        if self.c.phase == "identify":
            return self.identify_step()
        if is_bare_yes(self.c.text):
            return self.yes_to_offer()
        for handler in self.handlers.values():  # a tool that proposes itself (one the steps below do not)
            if handler.start is not None and (step := handler.start(self)) is not None:
                return step
        if intent is None and self.c.previous.get("intent") == "unknown":
            # Not understood twice: a person is offered, in so many words; only accepting it opens a ticket.
            message = self.say(
                "offer_person",
                quick_replies=[button("handoff", self.lang), *menu_buttons(self.lang)[:3]],
                awaiting="handoff_offer",
                intent="menu",
            )
            message.response_metadata["guided"]["reason"] = HANDOFF_REASON_UNCLEAR
            return message
        if intent == "return":
            return self.return_step()
        if intent in ("track", "status"):
            return self.order_step(intent)
        if intent in ("return_status", "cancel_return"):
            rma = self.known_rma()
            if rma is None:
                return self.say("ask_exchange_number" if self.about_exchange() else "ask_rma", awaiting="rma")
            return self.call("get_return_status" if intent == "return_status" else "cancel_return", rma=rma)
        if intent == "greeting":
            return self.menu()
        message = self.menu()
        message.response_metadata["guided"]["intent"] = "unknown"
        return message

    def yes_to_offer(self) -> AIMessage:
        """A bare "yes" answers what the last reply offered: its one offer (`guided.offer`, or its
        only button besides a person, e.g. "Track this parcel" after a refusal), else a question
        which of its buttons. Never a hand-off: only asking for a person, or accepting an explicit
        offer of one (`handoff_offer`, answered in `first_step`), opens a ticket."""
        offered = [r for r in self.previous_quick_replies() if r != button("handoff", self.lang)]
        offer = self.c.previous.get("offer") or (offered[0] if len(offered) == 1 else None)
        if offer:
            self.c.text = self.c.request = str(offer)
            self.c.intent = detect_intent(self.c.text)
            return self.first_step()
        if offered:  # the question stays open: the next words still answer it
            return self.say(
                "which_offer",
                quick_replies=offered,
                intent=self.c.previous.get("intent") or "menu",
                awaiting=self.c.previous.get("awaiting"),
            )
        return self.menu()

    def previous_quick_replies(self) -> list[str]:
        for message in reversed(self.c.earlier):
            if isinstance(message, AIMessage) and not message.tool_calls:
                return [str(r) for r in message.response_metadata.get("quick_replies") or []]
        return []

    def identify_step(self) -> AIMessage:
        credentials = credentials_in(self.c.text)
        if credentials:
            return self.call("verify_customer", **credentials)
        return self.say(
            "identify", awaiting="identity", intent=self.c.intent or "menu", quick_replies=menu_buttons(self.lang)[-2:]
        )

    def help_step(self) -> AIMessage:
        if is_help_button(self.c.text):
            return self.say("ask_question", awaiting="help_query", intent="help")
        return self.call("search_help_centre", query=self.c.text[:300], language=self.lang)

    def return_step(self) -> AIMessage:
        if self.c.order_id is None:
            return self.call("list_orders", limit=10)
        checked = self.last_result("check_return_eligibility")
        if (
            self.c.previous.get("awaiting") == "retry_return"
            and checked
            and self.eligible(checked)
            and not self.names_items_in(self.c.text)
        ):
            # "Refund to a gift card instead": the items just checked, another refund method.
            return self.propose_return(checked)
        return self.call("lookup_order", order_id=self.c.order_id)

    def order_step(self, intent: str) -> AIMessage:
        if intent == "track":
            number = TRACKING_NUMBER.search(self.c.text)
            if number:
                return self.call("track_shipment", tracking_number=number.group(1).upper())
            if self.c.order_id:
                return self.call("track_shipment", order_id=self.c.order_id)
        if self.c.order_id:
            return self.call("lookup_order", order_id=self.c.order_id)
        return self.call("list_orders", limit=10)

    # --- a tool answered ----------------------------------------------------------------------
    def after_failure(self, tool: str, data: dict[str, Any]) -> AIMessage:
        if data.get("code") == "declined":
            if tool != "create_return":  # the return's own offers (a gift card instead) fit no other card
                return self.say("declined", quick_replies=menu_buttons(self.lang), intent="menu")
            return self.say(
                "declined", quick_replies=after_decline_buttons(self.lang), intent="return", awaiting="retry_return"
            )
        handler = self.handlers.get(tool)
        if handler and handler.refused and (step := handler.refused(self, data)) is not None:
            return step  # the tool's own flow answers this refusal (e.g. offers the other choices again)
        if data.get("code") == "order_shipped":  # an order that left the warehouse: tracking is what we can offer
            action = t("guided.action.cancel" if tool == "cancel_order" else "guided.action.change", self.lang)
            message = self.say(
                "order_shipped",
                order=self.c.order_id or "",
                action=action,
                intent="menu",
                quick_replies=[button("track_this_parcel", self.lang), button("handoff", self.lang)],
            )
            message.response_metadata["guided"]["offer"] = button("track_this_parcel", self.lang)  # what "yes" means
            return message
        if data.get("code") in ("not_verified", "verification_failed"):
            message = self.say("identify", awaiting="identity", intent=self.c.intent or "menu")
            message.content = f"{data.get('error', '')} {message.content}".strip()
            return message
        if tool in ("exchange_items", "change_order_items") and data.get("code") != "order_not_found":
            # Guided mode cannot pick another payment method or product: a colleague can.
            message = self.say(
                "exchange_refused" if tool == "exchange_items" else "items_change_refused",
                error=data.get("error", ""),
                awaiting="handoff_offer",
                intent="menu",
                quick_replies=[button("handoff", self.lang), menu_buttons(self.lang)[0]],
            )
            what = "Exchange" if tool == "exchange_items" else "Item change"
            message.response_metadata["guided"]["reason"] = f"{what} refused: {data.get('error', '')}"[:200]
            return message
        if (key := LOCALISED_ERRORS.get(str(data.get("code")))) is not None:
            return self.say(
                key, error=data.get("error", ""), order=self.c.order_id or "", quick_replies=menu_buttons(self.lang)
            )
        return self.say(
            "error", error=data.get("error", "Something went wrong."), quick_replies=menu_buttons(self.lang)
        )

    def no_next_step(self, tool: str) -> AIMessage:
        """A tool answered that no guided handler knows: say so and offer a person, never the menu."""
        log.error("guided mode has no handler for the result of %s (agent/guided_handlers.py)", tool)
        message = self.say(
            "no_next_step",
            tool=tool,
            quick_replies=[button("handoff", self.lang)],
            awaiting="handoff_offer",
            intent="menu",
        )
        message.response_metadata["guided"]["reason"] = f"Guided mode cannot continue after {tool}."
        return message

    def after_verify_customer(self, data: dict[str, Any]) -> AIMessage:
        """Verified: carry on with what the customer asked before we had to verify them."""
        welcome = t("guided.welcome", self.lang, name=data.get("customer_name", ""))
        for message in reversed(self.c.earlier):
            if (
                isinstance(message, HumanMessage)
                and (intent := detect_intent(str(message.content)))
                and intent not in ("greeting", "help", "handoff")
            ):
                self.c.intent, self.c.request, self.c.text = intent, str(message.content), str(message.content)
                step = self.first_step()
                if step.tool_calls:
                    return step
                step.content = welcome + str(step.content)
                return step
        return self.menu(prefix=welcome)

    def after_list_orders(self, data: dict[str, Any]) -> AIMessage:
        orders = data.get("orders", [])
        wanted = {"return": "delivered", "track": "shipped"}.get(self.c.intent or "")
        if wanted:
            matches = [o for o in orders if o["status"] == wanted]
            if len(matches) == 1:
                order_id = matches[0]["order_id"]
                return (
                    self.call("track_shipment", order_id=order_id)
                    if wanted == "shipped"
                    else self.call("lookup_order", order_id=order_id)
                )
            if matches:
                return self.say("which_order", quick_replies=[o["order_id"] for o in matches], awaiting="order")
            if not orders:
                return self.say("no_orders")
        lines = "\n".join(
            t(
                "guided.order_line",
                self.lang,
                order=o["order_id"],
                status=self.order_status(o["status"]),
                date=format_date(o["ordered_at"], self.lang),
            )
            for o in orders
        )
        if not orders:
            return self.say("no_orders", quick_replies=menu_buttons(self.lang))
        return self.say("orders", lines=lines, quick_replies=[o["order_id"] for o in orders[:6]], awaiting="order")

    def after_lookup_order(self, data: dict[str, Any]) -> AIMessage:
        order = data["order"]
        if self.c.intent == "return":
            items = choose_items(self.c.request, order["items"])
            if items is None:
                names = [self.name_of(i) for i in order["items"]]
                key = "not_on_order" if names_something_else(self.c.text, order["items"]) else "which_items"
                return self.say(
                    key,
                    order=order["order_id"],
                    names=t("list_separator", self.lang).join(names),
                    awaiting="items",
                    quick_replies=[*names, button("all_items", self.lang)],
                )
            return self.call(
                "check_return_eligibility",
                order_id=order["order_id"],
                items=items,
                damaged=mentions(self.c.request, "damaged"),
            )
        numbers = ", ".join(order.get("tracking_numbers") or [])
        tracking = t("guided.tracking", self.lang, numbers=numbers) if numbers else ""
        quick = [button("track_this_parcel", self.lang)] if numbers else []
        return self.say(
            "status",
            order=order["order_id"],
            status=self.order_status(order["status"]),
            tracking=tracking,
            quick_replies=[*quick, *menu_buttons(self.lang)[:1]],
        )

    def after_check_return_eligibility(self, data: dict[str, Any]) -> AIMessage:
        if not self.eligible(data):
            lines = "\n".join(
                t("guided.item_line", self.lang, name=self.name_of(i), explanation=i["explanation"])
                for i in data["items"]
            )
            message = self.say(
                "not_eligible", order=data["order_id"], lines=lines, quick_replies=menu_buttons(self.lang)
            )
            if any(i.get("reason") == "not_delivered" for i in data["items"]):
                message.content = str(message.content) + t("guided.not_delivered", self.lang)
                message.response_metadata["quick_replies"] = [
                    button("track_this_parcel", self.lang),
                    *menu_buttons(self.lang)[2:],
                ]
                message.response_metadata["guided"]["offer"] = button("track_this_parcel", self.lang)
            return message
        return self.propose_return(data)

    def after_create_return(self, data: dict[str, Any]) -> AIMessage:
        amount = format_amount(data["refund_amount"], data.get("currency"), self.lang)
        return self.say(
            "created",
            rma=data["rma"],
            amount=amount,
            method=self.refund_method(data["refund_method"]),
            label=label_line(data),
            quick_replies=menu_buttons(self.lang)[:4],
            intent="menu",
        )

    def after_get_product_details(self, data: dict[str, Any]) -> AIMessage:
        """A product's variants (options, price, stock), or per item of an order those it can be swapped for."""
        products = [data["product"]] if data.get("product") else [item["product"] for item in data.get("items", [])]
        lines = []
        for product in products:
            for variant in product.get("variants", []):
                options = ", ".join(f"{k}: {v}" for k, v in (variant.get("options") or {}).items()) or "-"
                stock = t("guided.in_stock" if variant.get("in_stock") else "guided.out_of_stock", self.lang)
                lines.append(
                    t(
                        "guided.variant_line",
                        self.lang,
                        product=product.get("name", ""),
                        options=options,
                        price=format_amount(variant.get("price"), data.get("currency"), self.lang),
                        stock=stock,
                    )
                )
        return self.say(
            "product_variants", lines="\n".join(lines), quick_replies=menu_buttons(self.lang), intent="menu"
        )

    def after_track_shipment(self, data: dict[str, Any]) -> AIMessage:
        parcels = data.get("parcels") or []
        if not parcels:
            return self.say(
                "not_shipped",
                order=data.get("order_id", ""),
                status=self.order_status(data.get("order_status", "")),
                quick_replies=menu_buttons(self.lang),
                intent="menu",
            )
        message = self.say(
            "shipment",
            number="",
            status="",
            where="",
            eta="",
            last="",
            quick_replies=menu_buttons(self.lang),
            intent="menu",
        )
        message.content = "\n\n".join(self.describe_parcel(p) for p in parcels)
        if any(p.get("status") == "lost" for p in parcels):
            message.content += t("guided.lost", self.lang)
            message.response_metadata["quick_replies"] = [button("handoff", self.lang), menu_buttons(self.lang)[2]]
            message.response_metadata["guided"].update(
                awaiting="handoff_offer", reason=f"Parcel of order {data.get('order_id', '')} lost in transit."
            )
        return message

    def describe_parcel(self, parcel: dict[str, Any]) -> str:
        events = parcel.get("events") or []
        last = events[-1] if events else None
        place = (last or {}).get("location")
        eta = parcel.get("estimated_delivery")
        return t(
            "guided.shipment",
            self.lang,
            number=parcel.get("tracking_number", ""),
            status=parcel.get("status_text") or parcel.get("status", "?"),
            where=t("guided.where", self.lang, place=place) if place else "",
            eta=t("guided.eta", self.lang, eta=format_date(eta, self.lang)) if eta else "",
            last=t("guided.last_event", self.lang, event=last.get("description") or last.get("status"))
            if isinstance(last, dict)
            else "",
        )

    def after_search_help_centre(self, data: dict[str, Any]) -> AIMessage:
        passages = data.get("passages") or data.get("results") or []
        if not passages:
            return self.say("help_none", quick_replies=menu_buttons(self.lang)[-1:], intent="menu")
        cited = "\n\n".join(
            f"**{p.get('title') or p.get('document', '')} › {p.get('heading', '')}**\n{p.get('text', '')}".strip()
            for p in answering_passages(passages)
        )
        return self.say("help_found", passages=cited, quick_replies=menu_buttons(self.lang), intent="menu")

    def after_get_return_status(self, data: dict[str, Any]) -> AIMessage:
        ret = data.get("return") or data
        amount = format_amount(ret.get("refund_amount"), ret.get("currency"), self.lang)
        method = self.refund_method(ret.get("refund_method", ""))
        refund = t("guided.refund_line", self.lang, amount=amount, method=method) if amount else ""
        cancel = [button("cancel_this_return", self.lang)] if ret.get("cancellable", True) else []
        status = (
            maybe(f"return_status.{ret.get('status')}", self.lang) or ret.get("status_text") or ret.get("status", "?")
        )
        return self.say(
            "return_status",
            rma=ret.get("rma", ""),
            order=ret.get("order_id", ""),
            status=status,
            refund=refund,
            label=label_line(ret),
            quick_replies=[*cancel, *menu_buttons(self.lang)[:1]],
            intent="menu",
        )

    def after_cancel_return(self, data: dict[str, Any]) -> AIMessage:
        ret = data.get("return") or data
        return self.say(
            "return_cancelled",
            rma=ret.get("rma", ""),
            label=label_line(ret),
            quick_replies=menu_buttons(self.lang),
            intent="menu",
        )

    def after_transfer_to_human(self, data: dict[str, Any]) -> AIMessage:
        return self.say("handed_off", ticket=data.get("ticket", ""), intent="menu")

    # --- helpers ------------------------------------------------------------------------------
    def propose_return(self, checked: dict[str, Any]) -> AIMessage:
        eligible = [i for i in checked["items"] if i["eligible"]]
        return self.call(
            "create_return",
            order_id=checked["order_id"],
            items=[{"order_item_id": i["order_item_id"], "quantity": i["quantity"]} for i in eligible],
            refund_method="gift_card" if mentions(self.c.request, "gift_card") else "original_payment",
            reason=self.c.request[:200],
            damaged=bool(checked.get("damaged")),
        )

    def order_status(self, status: str) -> str:
        return maybe(f"order_status.{status}", self.lang) or status

    def refund_method(self, method: str) -> str:
        return maybe(f"refund_method.{method}", self.lang) or method

    def names_items_in(self, text: str) -> bool:
        lookup = self.last_result("lookup_order")
        items = (lookup or {}).get("order", {}).get("items", [])
        return any(names_item(text, i) for i in items)

    def eligible(self, checked: dict[str, Any]) -> bool:
        return any(i.get("eligible") for i in checked.get("items", []))

    def last_result(self, tool: str) -> dict[str, Any] | None:
        for message in reversed(self.messages):
            if isinstance(message, ToolMessage) and message.name == tool:
                data = tool_result(message.content)
                if data.get("ok"):
                    return data
        return None

    def about_exchange(self) -> bool:
        """Whether the customer's words are about an exchange (EXC-...) rather than a return."""
        return any(
            EXCHANGE_NUMBER.search(text) or keywords().intents["exchange"].search(text)
            for text in (self.c.text, self.c.request)
        )

    def known_rma(self) -> str | None:
        """The RMA or exchange number the customer wrote, else the one created or looked up in this
        conversation (an exchange's when their words are about an exchange)."""
        for text in (self.c.text, self.c.request):
            for pattern in (RMA_NUMBER, EXCHANGE_NUMBER):
                if match := pattern.search(text):
                    return match.group(0).upper()
        pattern = EXCHANGE_NUMBER if self.about_exchange() else RMA_NUMBER
        for message in reversed(self.messages):
            if isinstance(message, ToolMessage) and (match := pattern.search(str(message.content))):
                return match.group(0).upper()
        return None


SHOWN_PASSAGES = 2
CLOSE_SCORE = 0.9  # a second passage is shown only when it answers nearly as well as the first


def answering_passages(passages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The passages guided mode shows: the best, and the next only when it scores close to it
    ("what is your return policy?" gets the policy's summary, not "Cancelling a return" below it).
    Without scores (a shortened result), the first two."""
    best = passages[0].get("score")
    if not isinstance(best, int | float) or best <= 0:
        return passages[:SHOWN_PASSAGES]
    shown = passages[:SHOWN_PASSAGES]
    return [p for p in shown if isinstance(p.get("score"), int | float) and p["score"] >= CLOSE_SCORE * best]


def label_line(result: dict[str, Any]) -> str:
    """The tool's word on the return label (print it, it will follow, it is void), on its own line."""
    return f"\n{result['label_message']}" if result.get("label_message") else ""


@dataclass(frozen=True)
class GuidedHandler:  # here, not in guided_handlers.py: the steps take a table of them
    """`after(steps, result)`: the next message once the tool answered `{"ok": true, ...}` (failures
    and a declined card are answered generically). `start(steps)`: the tool call to propose for the
    customer's new message, or None to leave the message to the other steps."""

    after: Callable[[GuidedSteps, dict[str, Any]], AIMessage]
    start: Callable[[GuidedSteps], AIMessage | None] | None = None
    # `refused(steps, failure)`: the tool's own answer to a refusal ({"ok": false, ...}), or None for the generic one.
    refused: Callable[[GuidedSteps, dict[str, Any]], AIMessage | None] | None = None
