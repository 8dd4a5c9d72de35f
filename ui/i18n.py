"""The web app's words in English and Chinese (the customer switches with the language toggle)."""

from __future__ import annotations

LANGUAGES = {"English": "en", "中文": "zh"}

TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "# ReturnDesk\nReturns and delivery help for your orders.",
              "zh": "# ReturnDesk 退货助手\n为您的订单办理退货、查询物流。"},
    "tab_email": {"en": "Email + order number", "zh": "邮箱 + 订单号"},
    "tab_name": {"en": "Name + postcode", "zh": "姓名 + 邮编"},
    "email": {"en": "Email", "zh": "邮箱"},
    "order": {"en": "Order number", "zh": "订单号"},
    "name": {"en": "Full name", "zh": "姓名"},
    "postcode": {"en": "Postcode", "zh": "邮编"},
    "sign_in": {"en": "Sign in", "zh": "登录"},
    "send": {"en": "Send", "zh": "发送"},
    "placeholder": {"en": "Type your message…", "zh": "请输入您的问题…"},
    "confirm": {"en": "Confirm", "zh": "确认"},
    "cancel": {"en": "Cancel", "zh": "取消"},
    "handoff": {"en": "🙋 Talk to a person", "zh": "🙋 转人工客服"},
    "handoff_message": {"en": "I'd like to talk to a person, please.", "zh": "请帮我转人工客服。"},
    "greeting": {"en": "Hi {name}! How can I help with your orders today?",
                 "zh": "{name},您好!请问有什么可以帮您?"},
    "badge_guided": {"en": "🧭 **Guided mode**: answers come from ReturnDesk's scripted assistant, not the AI model.",
                     "zh": "🧭 **引导模式**:回答来自 ReturnDesk 的规则助手,而不是 AI 模型。"},
    "badge_model": {"en": "🤖 **AI model**: answers come from Qwen3-4B.",
                    "zh": "🤖 **AI 模型**:回答由 Qwen3-4B 生成。"},
    "you_confirmed": {"en": "✅ Confirm", "zh": "✅ 确认"},
    "you_cancelled": {"en": "✖️ Cancel", "zh": "✖️ 取消"},
    "checked": {"en": "🔎 What I checked: {what}", "zh": "🔎 我查询了:{what}"},
    "card_title": {"en": "### Please confirm", "zh": "### 请确认"},
    "item": {"en": "Item", "zh": "商品"}, "qty": {"en": "Qty", "zh": "数量"}, "refund": {"en": "Refund", "zh": "退款"},
    "refund_to": {"en": "**Refund:** {amount} to {method}", "zh": "**退款:** {amount},退回{method}"},
    "order_title": {"en": "### Order {order}", "zh": "### 订单 {order}"},
    "status": {"en": "Status", "zh": "状态"}, "ordered": {"en": "Ordered", "zh": "下单日期"},
    "delivered": {"en": "Delivered", "zh": "签收日期"}, "total": {"en": "Total", "zh": "合计"},
    "eligibility_title": {"en": "### Can it be returned?", "zh": "### 能否退货?"},
    "return_title": {"en": "### ✅ Return created", "zh": "### ✅ 退货已创建"},
    "rma": {"en": "RMA number", "zh": "退货单号(RMA)"},
    "label": {"en": "Return label", "zh": "退货面单"},
    "thanks": {"en": "Thanks for the feedback!", "zh": "感谢您的反馈!"},
    "sorry": {"en": "Sorry, something went wrong on our side. Your conversation is safe; please try again.",
              "zh": "抱歉,我们这边出了点问题。您的对话已保存,请稍后再试。"},
    "sign_in_needed": {"en": "Please sign in first.", "zh": "请先登录。"},
}

QUICK_REPLIES = {
    "en": ["Show my orders", "Track my parcel", "I want to return an item"],
    "zh": ["查看我的订单", "查询物流", "我要退货"],
}

TOOL_NAMES = {
    "list_orders": {"en": "your recent orders", "zh": "您最近的订单"},
    "lookup_order": {"en": "the order details", "zh": "订单详情"},
    "check_return_eligibility": {"en": "whether the items can be returned", "zh": "商品能否退货"},
    "create_return": {"en": "creating the return", "zh": "创建退货"},
}

REFUND_METHODS = {"original_payment": {"en": "your original payment method", "zh": "原支付方式"},
                  "gift_card": {"en": "your gift card", "zh": "礼品卡"}}


def t(key: str, language: str, **values: object) -> str:
    words = TEXT[key].get(language, TEXT[key]["en"])
    return words.format(**values) if values else words


def tool_name(tool: str, language: str) -> str:
    return TOOL_NAMES.get(tool, {}).get(language, tool)
