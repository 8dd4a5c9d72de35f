"""Guided mode: a deterministic chat model that emits the same tool calls the LLM would.

It reads the conversation (the customer's last message and the tool results since), recognises
plain patterns (order numbers, "return", "track", yes/no, English and Chinese keywords) and plans
the next step. Used when no model endpoint is configured, and as the fallback when the endpoint
fails. Every message it writes is marked `response_metadata["returndesk_mode"] == "guided"`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

GUIDED = "guided"
ORDER_ID = re.compile(r"#?\s?\b(W\d{7})\b", re.IGNORECASE)
CJK = re.compile(r"[\u4e00-\u9fff]")

INTENT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "return": ("return", "refund", "send back", "send it back", "退货", "退款", "退回", "退掉", "退"),
    "track": ("track", "where is", "where's", "delivery", "parcel", "package", "shipping",
              "快递", "物流", "到哪", "包裹", "配送"),
    "status": ("status", "my order", "orders", "订单"),
}
GIFT_CARD = ("gift card", "giftcard", "store credit", "礼品卡", "购物卡")
DAMAGED = ("damaged", "broken", "defective", "cracked", "faulty", "损坏", "坏了", "破损", "有问题")

TEXT = {
    "menu": {
        "en": "I'm the ReturnDesk assistant (guided mode). I can start a return, track a parcel or show "
              "your orders. Try: \"I want to return the headphones from order #W1000001\".",
        "zh": "我是 ReturnDesk 客服助手(引导模式)。我可以帮您办理退货、查询物流或查看订单。"
              "例如:“我想退订单 #W1000001 里的耳机”。",
    },
    "no_orders": {"en": "I couldn't find a matching order on your account.",
                  "zh": "您的账户下没有找到符合条件的订单。"},
    "not_eligible": {"en": "I'm sorry, nothing on order {order} can be returned:\n{lines}",
                     "zh": "很抱歉,订单 {order} 中没有可以退货的商品:\n{lines}"},
    "created": {"en": "Your return is created. RMA number: **{rma}**. Refund of {amount} to {method}.",
                "zh": "退货已创建。退货单号(RMA):**{rma}**。退款 {amount},退回{method}。"},
    "declined": {"en": "No problem: nothing was changed. Is there anything else I can help with?",
                 "zh": "好的,没有做任何更改。还有什么可以帮您的吗?"},
    "error": {"en": "{error}", "zh": "{error}"},
    "status": {"en": "Order {order} is **{status}**.{tracking}",
               "zh": "订单 {order} 的状态是:**{status}**。{tracking}"},
    "tracking": {"en": " Tracking number: {numbers}.", "zh": "快递单号:{numbers}。"},
    "orders": {"en": "Your recent orders:\n{lines}", "zh": "您最近的订单:\n{lines}"},
}
METHOD_NAMES = {"original_payment": {"en": "your original payment method", "zh": "原支付方式"},
                "gift_card": {"en": "your gift card", "zh": "礼品卡"}}


def language_of(text: str) -> str:
    return "zh" if CJK.search(text) else "en"


def detect_intent(text: str) -> str | None:
    lowered = text.lower()
    for intent, words in INTENT_KEYWORDS.items():
        if any(word in lowered for word in words):
            return intent
    return None


def find_order_id(texts: Sequence[str]) -> str | None:
    """The most recently mentioned order number, newest message first."""
    for text in reversed(texts):
        match = ORDER_ID.findall(text)
        if match:
            return "#" + match[-1].upper()
    return None


class GuidedChatModel(BaseChatModel):
    """Deterministic stand-in for the LLM: same tools, same graph, answers from patterns."""

    @property
    def _llm_type(self) -> str:
        return "returndesk-guided"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> GuidedChatModel:  # type: ignore[override]
        return self  # it plans with the registry's tool names directly

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = plan_next_step(messages)
        message.response_metadata = {**message.response_metadata, "returndesk_mode": GUIDED}
        return ChatResult(generations=[ChatGeneration(message=message)])


def plan_next_step(messages: Sequence[BaseMessage]) -> AIMessage:
    humans = [m for m in messages if isinstance(m, HumanMessage)]
    if not humans:
        return AIMessage(content=TEXT["menu"]["en"])
    last_human_at = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
    text = str(humans[-1].content)
    turn = _Turn(
        text=text,
        lang=language_of(text),
        intent=detect_intent(text),
        order_id=find_order_id([str(m.content) for m in humans]),
        step=len(messages),
        results=[m for m in messages[last_human_at + 1:] if isinstance(m, ToolMessage)],
    )
    return turn.next_message()


class _Turn:
    """One customer turn: the text they wrote and the tool results gathered since."""

    def __init__(self, *, text: str, lang: str, intent: str | None, order_id: str | None, step: int,
                 results: list[ToolMessage]) -> None:
        self.text, self.lang, self.intent, self.order_id = text, lang, intent, order_id
        self.step, self.results = step, results

    def say(self, key: str, **values: Any) -> AIMessage:
        return AIMessage(content=TEXT[key][self.lang].format(**values))

    def call(self, name: str, **args: Any) -> AIMessage:
        # Unique within a thread (the message count only grows) and stable on replay.
        call_id = f"guided-{self.step}-{name}"
        return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}])

    def next_message(self) -> AIMessage:
        if not self.results:
            return self.first_step()
        last = self.results[-1]
        data = _json(last.content)
        if data.get("ok") is False:
            if data.get("code") == "declined":
                return self.say("declined")
            return self.say("error", error=data.get("error", "Something went wrong."))
        handler = getattr(self, f"after_{last.name}", None)
        return handler(data) if handler else self.say("menu")

    def first_step(self) -> AIMessage:
        if self.intent in ("return", "track", "status"):
            if self.order_id:
                return self.call("lookup_order", order_id=self.order_id)
            return self.call("list_orders", limit=10)
        return self.say("menu")

    def after_list_orders(self, data: dict[str, Any]) -> AIMessage:
        orders = data.get("orders", [])
        wanted = {"return": "delivered", "track": "shipped"}.get(self.intent or "")
        if wanted:
            match = next((o for o in orders if o["status"] == wanted), None)
            if match:
                return self.call("lookup_order", order_id=match["order_id"])
            if not orders:
                return self.say("no_orders")
        lines = "\n".join(f"- {o['order_id']}: {o['status']} ({o['ordered_at']})" for o in orders)
        return self.say("orders", lines=lines) if orders else self.say("no_orders")

    def after_lookup_order(self, data: dict[str, Any]) -> AIMessage:
        order = data["order"]
        if self.intent == "return":
            items = self.choose_items(order["items"])
            return self.call("check_return_eligibility", order_id=order["order_id"], items=items,
                             damaged=self.mentions(DAMAGED))
        numbers = ", ".join(order.get("tracking_numbers") or [])
        tracking = TEXT["tracking"][self.lang].format(numbers=numbers) if numbers else ""
        return self.say("status", order=order["order_id"], status=order["status"], tracking=tracking)

    def after_check_return_eligibility(self, data: dict[str, Any]) -> AIMessage:
        eligible = [i for i in data["items"] if i["eligible"]]
        if not eligible:
            lines = "\n".join(f"- {i['product']}: {i['explanation']}" for i in data["items"])
            return self.say("not_eligible", order=data["order_id"], lines=lines)
        return self.call(
            "create_return",
            order_id=data["order_id"],
            items=[{"order_item_id": i["order_item_id"], "quantity": i["quantity"]} for i in eligible],
            refund_method="gift_card" if self.mentions(GIFT_CARD) else "original_payment",
            reason=self.text[:200],
            damaged=bool(data.get("damaged")),
        )

    def after_create_return(self, data: dict[str, Any]) -> AIMessage:
        method = METHOD_NAMES.get(data["refund_method"], {}).get(self.lang, data["refund_method"])
        return self.say("created", rma=data["rma"], amount=data["refund_amount"], method=method)

    def choose_items(self, items: list[dict[str, Any]]) -> list[dict[str, int]]:
        """Items the customer named (any word of the product name), else every item still returnable."""
        lowered = self.text.lower()
        named = [i for i in items if any(_stem(w) in lowered for w in i["product"].lower().split() if len(w) > 3)]
        chosen = named or items
        return [{"order_item_id": i["order_item_id"], "quantity": max(i["quantity"] - i["quantity_returned"], 1)}
                for i in chosen]

    def mentions(self, words: tuple[str, ...]) -> bool:
        lowered = self.text.lower()
        return any(w in lowered for w in words)


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


def _json(content: Any) -> dict[str, Any]:
    try:
        data = json.loads(content) if isinstance(content, str) else content
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
