"""Guided mode's words: keyword tables that recognise what the customer wants, and the replies,
in English and Chinese. Text only; the planning lives in `agent.guided`."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Checked in this order: the first intent with a matching keyword wins.
INTENT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "handoff": ("human", "real person", "representative", "talk to a person", "talk to someone",
                "speak to someone", "人工", "真人", "转人工", "客服人员"),
    "cancel_return": ("cancel my return", "cancel return", "cancel the return", "cancel this return", "取消退货", "撤销退货"),
    "return_status": ("return status", "status of my return", "my return", "refund status", "my refund",
                      "rma", "退货进度", "退货状态", "退款进度", "退款到账"),
    "track": ("track", "where is", "where's", "parcel", "package", "delivery", "shipping", "shipment",
              "快递", "物流", "到哪", "包裹", "配送", "发货"),
    "return": ("return", "refund", "send back", "send it back", "damaged", "broken", "defective",
               "退货", "退款", "退回", "退掉", "退"),
    "status": ("order status", "status", "my order", "orders", "订单"),
    "help": ("policy", "how long", "how do", "how can", "can i", "do you", "help centre", "help center",
             "faq", "question", "政策", "怎么", "如何", "多久", "能不能", "可以吗", "帮助中心", "问题"),
    "greeting": ("hi", "hello", "hey", "good morning", "good afternoon", "start over", "menu", "something else",
                 "你好", "您好", "重新开始", "菜单", "其他问题"),
}
# A question phrased like a policy question, with no order number, goes to the help centre first.
HELP_FIRST = ("policy", "how long", "how do", "how can", "can i", "do you", "政策", "怎么", "如何", "多久", "能不能", "可以吗")
GIFT_CARD = ("gift card", "giftcard", "store credit", "礼品卡", "购物卡")
DAMAGED = ("damaged", "broken", "defective", "cracked", "faulty", "arrived broken", "损坏", "坏了", "破损", "有问题")
ALL_ITEMS = ("all items", "everything", "all of them", "whole order", "全部", "所有商品", "都退")
YES = ("yes", "yes please", "ok", "okay", "sure", "please do", "好的", "好", "是的", "可以", "需要", "行")
# Words a return request holds besides product names. A single-item order is proposed whole only
# when nothing else is left: "return the desk lamp from #W1000011" names a product it does not hold.
GENERIC_WORDS_EN = frozenset("""
    want wanted would like return returns returning returned refund refunded please order orders from item items
    this that these those them they their with have just back send sending thanks thank hello need could instead
    gift card cards original payment method store credit damaged broken defective cracked faulty arrived because
    does doesn't didn't don't work working anymore bought recently whole everything also today there here what
    when which some thing things stuff product products purchase purchased received delivered help can't cannot
    into about really very again other still only both quality money full reason unfortunately sadly changed mind
    fit fits size small large wrong expected looks colour color it's i'd i'm i've
""".split())
GENERIC_ZH = re.compile("我想|我要|想要|申请|办理|退货|退款|退回|退掉|退|订单|里面的|里的|中的|的|请|帮我|帮忙|一下|把|这个|那个|"
                        "这件|商品|东西|全部|所有|都|要|想|吗|呢|吧|了|和|我|您好|你好|谢谢|麻烦|礼品卡|购物卡|原路|"
                        "原支付方式|损坏|坏了|破损|有问题|收到|到货|时候|时|就|已经|不|喜欢|合适|买|下单|一|个|件|号")
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a": 1, "an": 1,
                "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
QUANTITY = re.compile(r"\b(\d{1,3}|one|two|three|four|five)\b|([一两二三四五六七八九十])", re.IGNORECASE)
CLAUSE_BREAK = re.compile(r"\band\b|\bplus\b|[,，、;；]|和|以及|还有", re.IGNORECASE)

MENU_QUICK_REPLIES = {
    "en": ["Return an item", "Track a parcel", "Order status", "Return status", "Help centre", "Talk to a person"],
    "zh": ["退货", "查物流", "订单状态", "退货进度", "帮助中心", "人工客服"],
}
AFTER_DECLINE_QUICK_REPLIES = {"en": ["Refund to a gift card instead", "Something else", "Talk to a person"],
                               "zh": ["改为退到礼品卡", "其他问题", "人工客服"]}
ALL_ITEMS_LABEL = {"en": "All items", "zh": "全部商品"}

TEXT: dict[str, dict[str, str]] = {
    "menu": {
        "en": "I'm the ReturnDesk assistant (guided mode). I can start a return, track a parcel, show your "
              "orders, check a return or answer questions from our help centre. Try: \"I want to return the "
              "headphones from order #W1000001\".",
        "zh": "我是 ReturnDesk 客服助手(引导模式)。我可以帮您办理退货、查询物流、查看订单、查询退货进度,"
              "或解答帮助中心的问题。例如:“我想退订单 #W1000001 里的耳机”。",
    },
    "welcome": {"en": "Thanks, {name}, you're verified. ", "zh": "谢谢,{name},身份已验证。"},
    "identify": {
        "en": "Before I can look at your orders I need to verify you (guided mode): please send your email and "
              "one order number, e.g. \"alice@example.com #W1000001\", or your full name and postcode.",
        "zh": "查看订单之前需要先验证身份(引导模式):请发送您的邮箱和一个订单号,例如“wang.fang@example.cn "
              "#W1000011”,或者您的姓名和邮编。",
    },
    "not_on_order": {"en": "I couldn't find that product on order {order}. It holds: {names}. Which would you like "
                           "to return?",
                     "zh": "订单 {order} 中没有找到您说的商品。该订单包含:{names}。您想退哪一件?"},
    "no_orders": {"en": "I couldn't find a matching order on your account.", "zh": "您的账户下没有找到符合条件的订单。"},
    "which_order": {"en": "Which order do you mean?", "zh": "请问是哪一个订单?"},
    "which_items": {"en": "Which items from order {order} would you like to return?",
                    "zh": "您想退订单 {order} 中的哪些商品?"},
    "not_eligible": {"en": "I'm sorry, nothing on order {order} can be returned:\n{lines}",
                     "zh": "很抱歉,订单 {order} 中没有可以退货的商品:\n{lines}"},
    "created": {"en": "Your return is created. RMA number: **{rma}**. Refund of {amount} to {method}.{label}",
                "zh": "退货已创建。退货单号(RMA):**{rma}**。退款 {amount},退回{method}。{label}"},
    "not_delivered": {"en": "\nIt hasn't been delivered yet: I can track the parcel for you, and you can start the "
                            "return once it arrives.",
                      "zh": "\n订单还没有签收:我可以帮您查询物流,签收后再申请退货。"},
    "declined": {"en": "No problem: nothing was changed. Is there anything else I can help with?",
                 "zh": "好的,没有做任何更改。还有什么可以帮您的吗?"},
    "error": {"en": "{error}", "zh": "{error}"},
    "status": {"en": "Order {order} is **{status}**.{tracking}", "zh": "订单 {order} 的状态是:**{status}**。{tracking}"},
    "tracking": {"en": " Tracking number: {numbers}.", "zh": "快递单号:{numbers}。"},
    "orders": {"en": "Your recent orders:\n{lines}", "zh": "您最近的订单:\n{lines}"},
    "shipment": {"en": "Parcel {number}: **{status}**.{where}{eta}{last}", "zh": "包裹 {number}:**{status}**。{where}{eta}{last}"},
    "not_shipped": {"en": "Order {order} hasn't shipped yet ({status}), so there is nothing to track.",
                    "zh": "订单 {order} 还没有发货(状态:{status}),暂时没有物流信息。"},
    "lost": {"en": "\n\nI'm sorry your parcel was lost. A colleague can open a claim and arrange a replacement or "
                   "refund: shall I pass you to a person?",
             "zh": "\n\n很抱歉您的包裹丢失了。人工客服可以为您登记理赔并安排补发或退款:需要为您转接人工客服吗?"},
    "carrier_down": {"en": "I can't reach the carrier's tracking system right now, so I can't see where your parcel "
                           "is. Please try again in a few minutes; I can show your order status meanwhile.",
                     "zh": "暂时无法连接承运商的物流系统,查不到包裹的位置。请过几分钟再试;现在可以先为您查看订单状态。"},
    "order_not_found": {"en": "{error}", "zh": "在您的账户下找不到订单 {order}。"},
    "where": {"en": " Last seen: {place}.", "zh": "最新位置:{place}。"},
    "eta": {"en": " Expected: {eta}.", "zh": "预计送达:{eta}。"},
    "last_event": {"en": "\nLatest update: {event}", "zh": "\n最新动态:{event}"},
    "ask_question": {"en": "What would you like to know? Ask me in a sentence and I'll search the help centre.",
                     "zh": "您想了解什么?请用一句话提问,我会在帮助中心为您查找。"},
    "help_found": {"en": "From our help centre:\n{passages}", "zh": "帮助中心的相关内容:\n{passages}"},
    "help_none": {"en": "I couldn't find that in the help centre. Would you like to talk to a person?",
                  "zh": "帮助中心里没有找到相关内容。需要为您转接人工客服吗?"},
    # No sample number: a reply may only state an RMA number a tool produced (check_reply).
    "ask_rma": {"en": "Which return do you mean? Please send its RMA number (it starts with \"RMA-\").",
                "zh": "请问是哪一笔退货?请发送退货单号(以“RMA-”开头)。"},
    "return_status": {"en": "Return **{rma}** (order {order}) is **{status}**.{refund}{label}",
                      "zh": "退货单 **{rma}**(订单 {order})的状态是:**{status}**。{refund}{label}"},
    "refund_line": {"en": " Refund: {amount} to {method}.", "zh": "退款:{amount},退回{method}。"},
    "return_cancelled": {"en": "Return **{rma}** is cancelled.{label}", "zh": "退货单 **{rma}** 已取消。{label}"},
    "handed_off": {"en": "I've passed your conversation to a colleague. Your ticket number is **{ticket}**.",
                   "zh": "已为您转接人工客服,工单号是 **{ticket}**。"},
    "no_next_step": {"en": "I'm sorry, guided mode has no next step after \"{tool}\", so I can't finish this "
                           "here. A colleague can: shall I pass you to a person?",
                     "zh": "抱歉,引导模式在“{tool}”之后没有下一步,无法在这里继续办理。人工客服可以帮您:需要为您转接吗?"},
}
RETURN_STATUS_ZH = {"requested": "已创建,退货面单准备中", "label_created": "等待您寄回包裹", "in_transit": "正在寄回仓库",
                    "received": "仓库已收到,退款处理中", "refunded": "已退款", "cancelled": "已取消"}
METHOD_NAMES = {"original_payment": {"en": "your original payment method", "zh": "原支付方式"},
                "gift_card": {"en": "your gift card", "zh": "礼品卡"}}
HANDOFF_REASON_UNCLEAR = "Guided mode could not understand the request twice in a row."

ORDER_ID = re.compile(r"#?\s?\b(W\d{7})\b", re.IGNORECASE)
RMA_NUMBER = re.compile(r"\bRMA-[0-9A-Z]{4,}\b", re.IGNORECASE)
TRACKING_NUMBER = re.compile(r"\b([A-Z]{2}\d{8,}|\d{10,})\b", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
POSTCODE = re.compile(r"\b\d{5,6}\b")
CJK = re.compile(r"[\u4e00-\u9fff]")
LETTERS = re.compile(r"[A-Za-z\u4e00-\u9fff]")
NAME_FILLER = re.compile(r"\b(my name is|i am|i'm|name|zip code|zip|postcode|post code|postal code)\b|[:：,，。.]"
                         r"|我叫|我是|姓名|名字|邮编|邮政编码|是", re.IGNORECASE)


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # English words match whole words ("hi" is not in "this"); Chinese ones match anywhere.
    parts = [rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in words]
    return re.compile("|".join(parts), re.IGNORECASE)


INTENT_PATTERNS = {intent: _pattern(words) for intent, words in INTENT_KEYWORDS.items()}
HELP_FIRST_PATTERN = _pattern(HELP_FIRST)


def mentions(text: str, words: tuple[str, ...]) -> bool:
    return bool(_pattern(words).search(text))


def language_of(text: str) -> str:
    return "zh" if CJK.search(text) else "en"


def has_words(text: str) -> bool:
    """Whether `text` says anything in a language: an email or an order number alone does not."""
    for pattern in (EMAIL, RMA_NUMBER, ORDER_ID, TRACKING_NUMBER):
        text = pattern.sub(" ", text)
    return bool(LETTERS.search(text))


def detect_intent(text: str) -> str | None:
    for intent, pattern in INTENT_PATTERNS.items():
        if pattern.search(text):
            if intent in ("return", "status") and HELP_FIRST_PATTERN.search(text) and not ORDER_ID.search(text):
                return "help"
            return intent
    return None


def find_order_id(texts: Sequence[str]) -> str | None:
    """The most recently mentioned order number, newest message first."""
    for text in reversed(texts):
        match = ORDER_ID.findall(text)
        if match:
            return "#" + match[-1].upper()
    return None


def credentials_in(text: str) -> dict[str, str] | None:
    """verify_customer's arguments when the message holds them: email + order number, or name + postcode."""
    email, order = EMAIL.search(text), ORDER_ID.search(text)
    if email and order:
        return {"email": email.group(0), "order_id": "#" + order.group(1).upper()}
    postcode = POSTCODE.search(text)
    if postcode and not order:
        name = " ".join(NAME_FILLER.sub(" ", POSTCODE.sub(" ", text)).replace(",", " ").split())
        if name and len(name) <= 60 and LETTERS.search(name):
            return {"name": name, "postcode": postcode.group(0)}
    return None
