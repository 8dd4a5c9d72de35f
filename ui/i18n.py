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
    "sign_out": {"en": "Sign out", "zh": "退出登录"},
    "label_open": {"en": "Open the label to print it", "zh": "打开面单以打印"},
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
    "return_status_title": {"en": "### 📋 Your return", "zh": "### 📋 您的退货"},
    "rma": {"en": "RMA number", "zh": "退货单号(RMA)"},
    "label": {"en": "Return label", "zh": "退货面单"},
    "label_pending": {"en": "⏳ The carrier's label system isn't answering right now, so your return label will "
                            "follow: ask me about this return again in a few minutes.",
                      "zh": "⏳ 承运商的面单系统暂时无响应,退货面单稍后提供:请过几分钟再询问此退货。"},
    "label_ready": {"en": "Print this label and stick it on the parcel. Tracking number: `{tracking}`",
                    "zh": "请打印此面单并贴在包裹上。快递单号:`{tracking}`"},
    "label_unloaded": {"en": "Your label is ready (tracking number `{tracking}`), but its image could not be "
                             "loaded just now: ask me about this return again to get it.",
                       "zh": "退货面单已生成(快递单号 `{tracking}`),但暂时无法显示图片:请稍后再询问此退货以获取面单。"},
    "label_void": {"en": "❌ This return is cancelled, so its label is void: please don't use it.",
                   "zh": "❌ 此退货已取消,面单已作废:请勿使用。"},
    "parcel_title": {"en": "### 📦 Parcel {number}", "zh": "### 📦 包裹 {number}"},
    "parcel_return": {"en": "return parcel", "zh": "退货包裹"},
    "latest": {"en": "Now", "zh": "当前状态"},
    "eta": {"en": "Expected", "zh": "预计送达"},
    "when": {"en": "Time (UTC)", "zh": "时间(北京时间)"}, "where": {"en": "Place", "zh": "地点"},
    "what": {"en": "What happened", "zh": "物流信息"},
    "not_shipped": {"en": "Order {order} has not shipped yet, so there is nothing to track.",
                    "zh": "订单 {order} 尚未发货,暂无物流信息。"},
    "arguments": {"en": "arguments", "zh": "参数"}, "result": {"en": "result", "zh": "结果"},
    "thanks": {"en": "Thanks for the feedback!", "zh": "感谢您的反馈!"},
    "sorry": {"en": "Sorry, something went wrong on our side. Your conversation is safe; please try again.",
              "zh": "抱歉,我们这边出了点问题。您的对话已保存,请稍后再试。"},
    "sign_in_needed": {"en": "Please sign in first.", "zh": "请先登录。"},
}

QUICK_REPLIES = {
    "en": ["Show my orders", "Track my parcel", "I want to return an item"],
    "zh": ["查看我的订单", "查询物流", "我要退货"],
}

ORDER_STATUSES = {"pending": "待处理", "processing": "处理中", "shipped": "已发货", "delivered": "已签收",
                  "cancelled": "已取消"}

# What the customer sees for a refused request, by ConversationError code (English: the error's own text).
ERRORS_ZH = {
    "sign_in_failed": "登录失败:请检查邮箱和订单号(或姓名和邮编)是否正确。",
    "confirmation_pending": "请先确认或取消待处理的操作。",
    "nothing_to_confirm": "当前没有待确认的操作,或该确认已过期。",
    "session_not_found": "会话已失效:请重新登录。",
    "session_expired": "会话已过期:请重新登录。",
    "session_ended": "您已退出此会话:请重新登录。",
    "sign_in_unavailable": "暂时无法登录,请一分钟后再试。",
    "bad_request": "无法处理这条消息:请检查内容后重试。",
}

REFUND_METHODS = {"original_payment": {"en": "your original payment method", "zh": "原支付方式"},
                  "gift_card": {"en": "your gift card", "zh": "礼品卡"}}


def t(key: str, language: str, **values: object) -> str:
    words = TEXT[key].get(language, TEXT[key]["en"])
    return words.format(**values) if values else words


def order_status(status: str | None, language: str) -> str:
    return ORDER_STATUSES.get(status or "", status or "") if language == "zh" else (status or "")


def error_text(code: str, message: str, language: str) -> str:
    """A refused request in the customer's language (the English text is the error's own)."""
    return ERRORS_ZH.get(code, message) if language == "zh" else message
