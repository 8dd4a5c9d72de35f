"""Guided mode's flows for changing a pending order's shipping address or payment method, and the
customer's default address. Registered in `agent/guided_handlers.py`; the words are the catalogues'
`guided.*`.

Each order flow picks the order first (quick replies from the customer's own pending orders), looks
it up (a shipped order is refused with tracking offered, anything else not pending with a person),
then reads the customer's saved methods and addresses (`get_account_details`) to offer them as quick
replies. A typed address follows one documented format (`ADDRESS_FORMAT`, help centre "Changing the
delivery address"): "street, [apartment,] city, state, postcode, country"; a missing or bad field is
named and the address asked again. The tool's preview checks everything again before the card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage

from agent.guided_order_changes import refund_lines, refuse_for_status
from agent.guided_steps import GuidedSteps
from agent.guided_text import ORDER_ID, button, mentions, menu_buttons
from core.messages import t
from core.money import format_amount
from tools.order_changes import address_problem

CHANGEABLE = ("pending", "items_modified")  # policy.yaml order_changes address/payment_change_statuses
ORDER_FLOWS = {"change_address": "change_order_address", "change_payment": "change_order_payment"}
COUNTRIES = {
    "us": "US",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states": "US",
    "united states of america": "US",
    "america": "US",
    "美国": "US",
    "cn": "CN",
    "china": "CN",
    "prc": "CN",
    "中国": "CN",
}
SEPARATORS = re.compile(r"[,，;；\n]")
LIST_BREAK = re.compile(r"[,，;；]")
POSTCODE_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]{1,9}")
# Where a typed address starts in a longer request: "... #W1000032 to 500 Howard St, ...", "...改为 文三路...".
ADDRESS_START = re.compile(r"(?:\bto\b|\bis\b|[:：]|改为|改成|改到|换成|换到|地址是)\s*", re.IGNORECASE)
CARD_WORDS = ("visa", "mastercard", "amex", "credit card", "debit card", "信用卡", "银行卡", "借记卡")


# --- the typed address -------------------------------------------------------------------------
@dataclass(frozen=True)
class TypedAddress:
    fields: dict[str, str | None] | None  # the address when every field is there
    missing: str | None = None  # else the first field missing, in the format's order


def parse_typed_address(text: str) -> TypedAddress:
    """ "street, [apartment,] city, state, postcode, country" -> the address's fields, or the missing one."""
    parts = [p.strip() for p in SEPARATORS.split(text) if p.strip()]
    country = COUNTRIES.get(parts[-1].lower()) if parts else None
    if country is None and parts and len(parts[-1]) == 2 and parts[-1].isascii() and parts[-1].isalpha():
        country = parts[-1].upper()
    if country:
        parts = parts[:-1]
    postcode = parts.pop() if parts and POSTCODE_LIKE.fullmatch(parts[-1]) and re.search(r"\d", parts[-1]) else None
    found: dict[str, str | None] = {"line1": None, "line2": None, "city": None, "region": None}
    if len(parts) >= 4:
        found |= {"line1": parts[0], "line2": ", ".join(parts[1:-2]), "city": parts[-2], "region": parts[-1]}
    elif len(parts) == 3:
        found |= {"line1": parts[0], "city": parts[1], "region": parts[2]}
    elif len(parts) == 2:
        found |= {"line1": parts[0], "city": parts[1]}
    elif len(parts) == 1:
        found |= {"line1": parts[0]}
    fields = {**found, "postcode": postcode, "country": country}
    missing = next((name for name in ("line1", "city", "region", "postcode", "country") if not fields[name]), None)
    return TypedAddress(fields=None if missing else fields, missing=missing)


def address_in(text: str, whole: bool) -> str | None:
    """The typed address in the customer's words: all of them when asked for one, else what follows
    "to" (or "改为", ":") in a request that holds a comma-separated list; None when there is none."""
    text = ORDER_ID.sub(" ", text).strip()
    if whole:
        return ADDRESS_START.sub("", text, count=1) if ADDRESS_START.match(text.strip()) else text
    first_break = LIST_BREAK.search(text)
    if first_break is None:
        return None
    starts = list(ADDRESS_START.finditer(text[: first_break.start()]))
    candidate = text[starts[-1].end() :] if starts else ""
    return candidate if re.search(r"\d", candidate) else None  # an address has a number (street, postcode)


def address_button(address: dict[str, Any]) -> str:
    """A saved address as a quick reply, in the typed format (so sending it reads back the same)."""
    names = ("line1", "line2", "city", "region", "postcode", "country")
    return ", ".join(str(address[n]) for n in names if address.get(n))


def field_name(steps: GuidedSteps, name: str) -> str:
    return t(f"guided.change.field.{name}", steps.lang)


def propose_address(steps: GuidedSteps, tool: str, text: str, order_id: str | None) -> AIMessage:
    """The address change's call for a typed address, or which field is missing or wrong (asked again)."""
    typed = parse_typed_address(text)
    awaiting, person = "address", [button("handoff", steps.lang)]
    if typed.fields is None:
        assert typed.missing is not None
        return steps.say(
            "change.address_missing", field=field_name(steps, typed.missing), awaiting=awaiting, quick_replies=person
        )
    if (problem := address_problem(typed.fields)) is not None:
        return steps.say(
            "change.address_bad_field", field=field_name(steps, problem), awaiting=awaiting, quick_replies=person
        )
    address = {k: v for k, v in typed.fields.items() if v}
    if order_id is None:
        return steps.call(tool, address=address)
    return steps.call(tool, order_id=order_id, address=address)


# --- the steps ---------------------------------------------------------------------------------
def start_change_address(steps: GuidedSteps) -> AIMessage | None:
    """ "Change the address of #W…": pick the order, look it up, then the address (typed or a saved one)."""
    if steps.c.intent != "change_address":
        return None
    if steps.c.order_id is None:
        return steps.call("list_orders", limit=10)
    if steps.c.previous.get("awaiting") == "address":
        return propose_address(steps, "change_order_address", address_in(steps.c.text, True) or "", steps.c.order_id)
    return steps.call("lookup_order", order_id=steps.c.order_id)


def start_change_payment(steps: GuidedSteps) -> AIMessage | None:
    """ "Change the payment method of #W…": pick the order, look it up, then one of the customer's methods."""
    if steps.c.intent != "change_payment":
        return None
    if steps.c.order_id is None:
        return steps.call("list_orders", limit=10)
    account = steps.last_result("get_account_details")
    if steps.c.previous.get("awaiting") == "payment_method" and account:
        return choose_method(steps, account, steps.c.text)
    return steps.call("lookup_order", order_id=steps.c.order_id)


def start_change_default_address(steps: GuidedSteps) -> AIMessage | None:
    """ "Change my default address": a typed address at once, else ask (saved addresses as quick replies)."""
    if steps.c.intent != "change_default_address":
        return None
    awaiting = steps.c.previous.get("awaiting") == "address"
    if (text := address_in(steps.c.text, awaiting)) is not None:
        return propose_address(steps, "change_default_address", text, None)
    return steps.call("get_account_details")


def change_after_list(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage | None:
    """The customer's pending orders, to pick the one to change (None: not a change flow)."""
    if steps.c.intent not in ORDER_FLOWS:
        return None
    pending = [o["order_id"] for o in data.get("orders", []) if o["status"] in CHANGEABLE]
    if len(pending) == 1:
        return steps.call("lookup_order", order_id=pending[0])
    if not pending:
        return steps.say("change.no_pending_orders", quick_replies=menu_buttons(steps.lang), intent="menu")
    return steps.say("change.which_pending_order", quick_replies=pending[:6], awaiting="order")


def change_after_lookup(steps: GuidedSteps, order: dict[str, Any]) -> AIMessage:
    """The order can still be changed: the address typed with the request, else the saved choices."""
    if order["status"] not in CHANGEABLE:
        return refuse_for_status(steps, order, "guided.action.change")
    # The newest words only: a customer who picked the order from a list has typed no address yet.
    if steps.c.intent == "change_address" and (text := address_in(steps.c.text, False)) is not None:
        return propose_address(steps, "change_order_address", text, order["order_id"])
    return steps.call("get_account_details", order_id=order["order_id"])


def after_get_account_details(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    addresses = data.get("addresses", [])
    if steps.c.intent == "change_payment":
        return choose_method(steps, data, steps.c.request)
    if steps.c.intent == "change_default_address":
        others = [address_button(a) for a in addresses if not a.get("default")]
        current = next((address_button(a) for a in addresses if a.get("default")), "-")
        return steps.say(
            "change.ask_default_address",
            current=current,
            quick_replies=[*others[:4], button("handoff", steps.lang)],
            awaiting="address",
        )
    if steps.c.intent == "change_address" and data.get("order_id"):
        return steps.say(
            "change.ask_address",
            order=data["order_id"],
            quick_replies=[*(address_button(a) for a in addresses[:4]), button("handoff", steps.lang)],
            awaiting="address",
        )
    return steps.say("change.account_details", quick_replies=menu_buttons(steps.lang), intent="menu")


def method_named(method: dict[str, Any], text: str) -> bool:
    lowered, name = text.lower(), str(method["name"]).lower()
    if name in lowered or any(d in lowered for d in re.findall(r"\d{4}", name)):
        return True
    if method["kind"] == "paypal":
        return "paypal" in lowered
    if method["kind"] == "gift_card":
        return mentions(text, "gift_card")
    return method["kind"] == "credit_card" and any(word in lowered for word in CARD_WORDS)


def method_lines(steps: GuidedSteps, methods: list[dict[str, Any]]) -> str:
    return "\n".join(
        t(
            "guided.change.method_line",
            steps.lang,
            method=m["name"],
            balance=t("guided.change.method_balance", steps.lang, balance=format_amount(m["balance"], None, steps.lang))
            if "balance" in m
            else "",
            current=t("guided.change.method_current", steps.lang) if m.get("paid_this_order") else "",
        )
        for m in methods
    )


def choose_method(steps: GuidedSteps, account: dict[str, Any], text: str) -> AIMessage:
    """The payment change for the method the words name, else the question (the customer's methods as buttons)."""
    methods = account.get("payment_methods", [])
    named = [m for m in methods if method_named(m, text)]
    if len(named) == 1:
        return steps.call(
            "change_order_payment", order_id=account["order_id"], payment_method_id=named[0]["payment_method_id"]
        )
    return steps.say(
        "change.ask_payment_method",
        order=account.get("order_id", ""),
        total=format_amount(account.get("order_total"), None, steps.lang),
        lines=method_lines(steps, methods),
        quick_replies=[m["name"] for m in methods if not m.get("paid_this_order")] + [button("handoff", steps.lang)],
        awaiting="payment_method",
    )


def refused_change_order_payment(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage | None:
    """The same method again, or a gift card without the balance: said in the customer's words, and the
    other methods offered again. Anything else: the generic answer."""
    account = steps.last_result("get_account_details")
    chosen = proposed_args(steps, "change_order_payment").get("payment_method_id")
    method = next((m for m in (account or {}).get("payment_methods", []) if m["payment_method_id"] == chosen), None)
    if account is None or method is None:
        return None
    words = {"order": account.get("order_id", ""), "method": method["name"]}
    if data.get("code") == "invalid_change" and method.get("paid_this_order"):
        key = "change.payment_same_method"
    elif data.get("code") == "insufficient_balance":
        key = "change.payment_no_balance"
        words |= {
            "balance": format_amount(method.get("balance"), None, steps.lang),
            "total": format_amount(account.get("order_total"), None, steps.lang),
        }
    else:
        return None
    others = [m["name"] for m in account["payment_methods"] if m is not method and not m.get("paid_this_order")]
    return steps.say(key, quick_replies=[*others, button("handoff", steps.lang)], awaiting="payment_method", **words)


def proposed_args(steps: GuidedSteps, tool: str) -> dict[str, Any]:
    """The arguments of the newest proposed call of `tool` in the conversation."""
    for message in reversed(steps.messages):
        for call in reversed(getattr(message, "tool_calls", None) or []):
            if call["name"] == tool:
                return dict(call["args"])
    return {}


def after_change_order_address(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    return steps.say(
        "change.address_changed",
        order=data["order_id"],
        address=data.get("ship_to", ""),
        quick_replies=menu_buttons(steps.lang)[:3],
        intent="menu",
    )


def after_change_default_address(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    return steps.say(
        "change.default_address_changed",
        address=data.get("address", ""),
        quick_replies=menu_buttons(steps.lang)[:3],
        intent="menu",
    )


def after_change_order_payment(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    """Paid with the new method: the charge, and each refund with when it arrives."""
    refunds = refund_lines(steps, data)
    charge = next(iter(data.get("charges") or []), None)
    return steps.say(
        "change.payment_changed",
        order=data["order_id"],
        method=data.get("payment_method", ""),
        amount=format_amount(charge["amount"], charge.get("currency"), steps.lang) if charge else "",
        refunds=refunds,
        quick_replies=menu_buttons(steps.lang)[:3],
        intent="menu",
    )
