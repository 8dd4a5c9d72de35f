"""The competent model of the token benchmark: what a good Qwen3 would answer to each request, by rules.

It reads the request as the model server gets it (OpenAI messages) and plans from the newest customer
message: the plan's tool calls in order, skipping any whose result this turn already holds (so it
follows whichever agent drives it, and code that takes a step itself), then a short reply built from
the tool results. Arguments come from earlier results, as a model would copy them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Results = dict[str, Any]  # tool name -> its newest parsed result in the conversation
Args = dict[str, Any] | Callable[[Results], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    tool: str
    args: Args


@dataclass(frozen=True)
class Plan:
    said: str  # a substring of the customer's message this plan answers
    calls: tuple[Call, ...]
    reply: Callable[[Results], str]


UNSAID = ("ok", "hint", "events", "score", "source", "doc_id", "language")  # result keys a reply does not read out
RMA = re.compile(r"RMA-[0-9A-F]{8}")


def items_named(
    word: str, refund_method: str = "original_payment", quantity: int | None = None
) -> Callable[[Results], dict[str, Any]]:
    """create_return's arguments: the eligible items whose product name holds `word`, all their units."""

    def args(results: Results) -> dict[str, Any]:
        found = results["check_return_eligibility"]
        items = [
            {"order_item_id": i["order_item_id"], "quantity": quantity or i.get("quantity", 1)}
            for i in found.get("items", [])
            if word.lower() in json.dumps(i, ensure_ascii=False).lower() and i.get("eligible", True)
        ]
        return {"order_id": found.get("order_id"), "items": items, "refund_method": refund_method}

    return args


def newest_rma(results: Results) -> dict[str, Any]:
    text = json.dumps(results, ensure_ascii=False)
    return {"rma": RMA.findall(text)[-1]}


def summary(lead: str) -> Callable[[Results], str]:
    """A reply stating the newest result's own words (status texts, numbers), as a model would."""

    def reply(results: Results) -> str:
        if not results:
            return lead
        newest = list(results.values())[-1]
        return lead + " " + "; ".join(_words(newest))[:900]

    return reply


def _words(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [w for k, v in value.items() if k not in UNSAID for w in _words(v)]
    if isinstance(value, list):
        return [w for v in value[:8] for w in _words(v)]
    return [str(value)] if isinstance(value, str | int | float) and not isinstance(value, bool) else []


def passages(lead: str, quote: bool = True) -> Callable[[Results], str]:
    """A help-centre answer: the best passage's words, citing each passage's title and heading."""

    def reply(results: Results) -> str:
        found = results.get("search_help_centre", {}).get("passages", [])
        cited = "; ".join(f"{p['title']}: {p['heading']}" for p in found)
        return f"{lead} {found[0]['text'] if found and quote else ''} ({cited})"

    return reply


def plan_for(said: str, plans: tuple[Plan, ...]) -> Plan | None:
    return next((p for p in plans if p.said in said), None)


def respond(body: dict[str, Any], plans: tuple[Plan, ...]) -> dict[str, Any]:
    """The next assistant message ({"content"} or {"tool_calls"}) for this request."""
    messages = body.get("messages", [])
    last_user = max((i for i, m in enumerate(messages) if m["role"] == "user"), default=-1)
    plan = plan_for(str(messages[last_user].get("content", "")) if last_user >= 0 else "", plans)
    results = _results(messages)
    done_this_turn = {_tool_name(messages, m) for m in messages[last_user + 1 :] if m["role"] == "tool"}
    if plan is None:
        return {"content": "How can I help you with your order?"}
    offered = {t["function"]["name"] for t in body.get("tools") or []}
    for call in plan.calls:
        if call.tool not in done_this_turn and call.tool in offered:
            args = call.args(results) if callable(call.args) else call.args
            function = {"name": call.tool, "arguments": json.dumps(args, ensure_ascii=False)}
            return {"tool_calls": [{"id": f"call-{len(messages)}", "type": "function", "function": function}]}
    return {"content": plan.reply(results)}


def _results(messages: list[dict[str, Any]]) -> Results:
    out: Results = {}
    for m in messages:
        if m["role"] == "tool":
            try:
                out[_tool_name(messages, m)] = json.loads(m.get("content") or "null")
            except json.JSONDecodeError:
                out[_tool_name(messages, m)] = m.get("content")
            out[_tool_name(messages, m)] = out.pop(_tool_name(messages, m))  # newest last
    return out


def _tool_name(messages: list[dict[str, Any]], tool_message: dict[str, Any]) -> str:
    for m in messages:
        for call in m.get("tool_calls") or []:
            if call["id"] == tool_message.get("tool_call_id"):
                return str(call["function"]["name"])
    return "?"


def _return(
    word: str, lead: str, order_id: str = "", refund_method: str = "original_payment", quantity: int | None = None
) -> tuple[Plan, ...]:
    order_id = order_id or ORDER_OF[word]
    return (
        Plan(
            "",
            (
                Call("check_return_eligibility", {"order_id": order_id}),
                Call("create_return", items_named(word, refund_method, quantity)),
            ),
            summary(lead),
        ),
    )


ORDER_OF = {"Headphones": "#W1000001", "Serum": "#W1000021", "耳机": "#W1000011"}
YES = {"en": "Yes, please go ahead.", "zh": "好的,确认。"}  # what the baseline customer types for a card

# task id of the eval suite -> the plans a competent model follows in it (first match by substring)
SCRIPTS: dict[str, tuple[Plan, ...]] = {
    "en-return-headphones": (
        Plan(YES["en"], (), summary("Your return is created.")),
        *_return("Headphones", "Your return is created, with a return label:"),
    ),
    "zh-return-headphones": (
        Plan(YES["zh"], (), summary("退货已创建。")),
        *_return("耳机", "退货已创建,退款退回原支付方式:"),
    ),
    "en-return-gift-card": (
        Plan(YES["en"], (), summary("Your return is created.")),
        *_return("Headphones", "Your return is created, refunded to a gift card:", refund_method="gift_card"),
    ),
    "en-return-whole-order": (
        Plan(YES["en"], (), summary("Your return is created.")),
        *_return("", "Your return is created:", order_id="#W1000001"),
    ),
    "zh-return-one-cable": (
        Plan(YES["zh"], (), summary("退货已创建。")),
        *_return("USB-C", "退货已创建:", order_id="#W1000001", quantity=1),
    ),
    "en-track-in-transit": (Plan("", (Call("track_shipment", {"order_id": "#W1000004"}),), summary("Your parcel:")),),
    "zh-track-in-transit": (
        Plan("", (Call("track_shipment", {"order_id": "#W1000012"}),), summary("您的包裹状态和预计送达日期:")),
    ),
    "en-policy-refund-timing": (
        Plan(
            "",
            (Call("search_help_centre", {"query": "when the refund arrives"}),),
            passages("The help centre explains it:", quote=False),
        ),
    ),
    "zh-policy-refund": (Plan("", (Call("search_help_centre", {"query": "退货期限"}),), passages("帮助中心:")),),
    "en-handoff-request": (
        Plan(
            "",
            (Call("transfer_to_human", {"reason": "customer asked for a person"}),),
            summary("A colleague will take over:"),
        ),
    ),
    "zh-handoff-request": (
        Plan("", (Call("transfer_to_human", {"reason": "顾客要求人工客服"}),), summary("已为您转接人工:")),
    ),
    "en-return-status-and-cancel": (
        Plan(YES["en"], (), summary("Done.")),
        Plan("status", (Call("get_return_status", newest_rma),), summary("Your return:")),
        Plan("Cancel", (Call("cancel_return", newest_rma),), summary("Your return is cancelled; the label is void:")),
        *_return("Serum", "Your return is created:"),
    ),
    "zh-return-status-and-cancel": (
        Plan(YES["zh"], (), summary("好的。")),
        Plan("进度", (Call("get_return_status", newest_rma),), summary("您的退货:")),
        Plan("取消", (Call("cancel_return", newest_rma),), summary("退货已取消,退货面单已作废:")),
        *_return("耳机", "退货已创建:"),
    ),
    "en-verify-email-order-return": (
        Plan(YES["en"], (), summary("Your return is created.")),
        Plan(
            "alice@example.com",
            (
                Call("verify_customer", {"email": "alice@example.com", "order_id": "#W1000001"}),
                Call("check_return_eligibility", {"order_id": "#W1000001"}),
                Call("create_return", items_named("Headphones")),
            ),
            summary("Thank you, you are verified. Your return is created:"),
        ),
        Plan("", (), summary("Happy to help: please give me your email and one order number to verify you.")),
    ),
}
