"""Reads the after-sales facts the help centre states and compares them with policy.yaml's `exchange`,
`order_changes` and `refund_timing` (and the return statuses), as policy_drift.py does for returns.

Each check returns a list of problems (empty when the documents agree). They read structure (the
order-status table, bold bullets, a section's sentences), not wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from mock_backends.knowledge.documents import HelpDocument, Passage
from mock_backends.orders.after_sales_policy import AfterSalesPolicy, RefundTiming
from mock_backends.orders.models import ORDER_STATUSES
from mock_backends.orders.policy import ReturnPolicy
from tests.knowledge.policy_drift import BOLD_BULLET, _table_rows

SECTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "statuses": ("orders", "What you can change, by order status"),
        "cancel": ("orders", "Cancelling an order"),
        "exchangeable": ("exchanges", "What can be exchanged"),
        "exchange_cancel": ("exchanges", "Cancelling an exchange"),
        "items": ("orders", "Changing items"),
        "timing": ("refunds", "When the refund arrives"),
    },
    "zh": {
        "statuses": ("orders", "各订单状态可办理的操作"),
        "cancel": ("orders", "取消订单"),
        "exchangeable": ("exchanges", "可换货的商品"),
        "exchange_cancel": ("exchanges", "取消换货"),
        "items": ("orders", "修改商品"),
        "timing": ("refunds", "退款到账时间"),
    },
}
STATUS_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "pending": "Pending",
        "items_modified": "Pending, items changed",
        "processing": "Processing",
        "shipped": "Shipped",
        "delivered": "Delivered",
        "return_requested": "Return requested",
        "exchange_requested": "Exchange requested",
        "cancelled": "Cancelled",
    },
    "zh": {
        "pending": "待处理",
        "items_modified": "待处理(商品已修改)",
        "processing": "处理中",
        "shipped": "已发货",
        "delivered": "已签收",
        "return_requested": "已申请退货",
        "exchange_requested": "已申请换货",
        "cancelled": "已取消",
    },
}
YES = {"en": {"yes": True, "no": False}, "zh": {"可以": True, "不可以": False}}
REASON_NAMES = {
    "en": {"no longer needed": "No longer needed", "ordered by mistake": "Ordered by mistake"},
    "zh": {"no longer needed": "不再需要", "ordered by mistake": "误下单"},
}
PAYMENT_NAMES = {
    "en": {"gift_card": "Gift card", "paypal": "PayPal", "credit_card": "Credit or debit card"},
    "zh": {"gift_card": "礼品卡", "paypal": "PayPal", "credit_card": "信用卡或借记卡"},
}
AT_ONCE = {"en": "at once", "zh": "立即"}
DAY_RANGE = {"en": re.compile(r"(\d+) to (\d+) business days"), "zh": re.compile(r"(\d+)-(\d+) 个工作日")}
NOT_EXCHANGEABLE = {"en": "cannot be exchanged", "zh": "不能换货"}
# An exchange's statuses as the pages name them (the bullets of "Cancelling an exchange").
EXCHANGE_STATUS_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "requested": "Created",
        "label_created": "Waiting for you to send the old item",
        "in_transit": "On its way to us",
        "received": "Arrived",
        "completed": "Completed",
        "cancelled": "Cancelled",
    },
    "zh": {
        "requested": "已创建",
        "label_created": "等待寄回旧商品",
        "in_transit": "寄回途中",
        "received": "已送达",
        "completed": "已完成",
        "cancelled": "已取消",
    },
}
ONCE_PER_ORDER = {"en": "once per order", "zh": "每个订单只能修改一次"}

Check = Callable[[AfterSalesPolicy, ReturnPolicy, list[HelpDocument], str], list[str]]


def find_section(documents: list[HelpDocument], language: str, rule: str) -> Passage | None:
    doc_id, heading = SECTIONS[language][rule]
    document = next((d for d in documents if d.language == language and d.doc_id == doc_id), None)
    return document.section(heading) if document else None


def check_status_table(
    policy: AfterSalesPolicy, returns: ReturnPolicy, documents: list[HelpDocument], language: str
) -> list[str]:
    """One row per order status; its yes/no columns say what the policy allows in that status."""
    section = find_section(documents, language, "statuses")
    if section is None:
        return [f"{language}: no section {SECTIONS[language]['statuses']} has the order-status table"]
    rules = policy.order_changes
    by_name = {name: key for key, name in STATUS_NAMES[language].items()}
    problems, seen = [], set()
    for row in _table_rows(section.text):
        status = by_name.get(row[0].strip())
        stated = [YES[language].get(cell.strip()) for cell in row[1:]]
        if status is None or len(stated) != 5 or None in stated:
            problems.append(f"{language}: status table row {row} names no order status or has a cell not yes/no")
            continue
        seen.add(status)
        expected = [
            status in rules.cancellable_statuses,
            status in rules.address_change_statuses,
            status in rules.payment_change_statuses,
            status in rules.item_change_statuses,
            status in returns.returnable_statuses and status in policy.exchange.exchangeable_statuses,
        ]
        if stated != expected:
            problems.append(
                f"{language}: row {row[0]!r} says {stated}, policy.yaml says {expected} "
                "(cancel, address, payment, items, return or exchange)"
            )
    problems += [f"{language}: the status table has no row for {s!r}" for s in ORDER_STATUSES if s not in seen]
    return problems


def check_cancel_reasons(
    policy: AfterSalesPolicy, _returns: ReturnPolicy, documents: list[HelpDocument], language: str
) -> list[str]:
    """The cancel section lists (as bold bullets) exactly the policy's cancel reasons."""
    section = find_section(documents, language, "cancel")
    if section is None:
        return [f"{language}: no section {SECTIONS[language]['cancel']} lists the cancel reasons"]
    by_name = {name: key for key, name in REASON_NAMES[language].items()}
    stated = {
        by_name.get(m.group(1), f"unknown: {m.group(1)}")
        for line in section.text.splitlines()
        if (m := BOLD_BULLET.match(line))
    }
    if stated != set(policy.order_changes.cancel_reasons):
        return [
            f"{language}: cancel reasons in the documents {sorted(stated)}, "
            f"in policy.yaml {sorted(policy.order_changes.cancel_reasons)}"
        ]
    return []


def check_refund_timing(
    policy: AfterSalesPolicy, _returns: ReturnPolicy, documents: list[HelpDocument], language: str
) -> list[str]:
    """'- **Method**: ...' per payment kind, stating 'at once' or 'N to M business days' as the policy does."""
    section = find_section(documents, language, "timing")
    if section is None:
        return [f"{language}: no section {SECTIONS[language]['timing']} states when refunds arrive"]
    by_name = {name: key for key, name in PAYMENT_NAMES[language].items()}
    stated: dict[str, RefundTiming | None] = {}
    for line in section.text.splitlines():
        if (m := BOLD_BULLET.match(line)) and (kind := by_name.get(m.group(1))):
            days = DAY_RANGE[language].search(line)
            stated[kind] = (
                RefundTiming(min_days=0, max_days=0)
                if AT_ONCE[language] in line
                else RefundTiming(min_days=int(days[1]), max_days=int(days[2]))
                if days
                else None
            )
    problems = []
    for kind, timing in policy.refund_timing.items():
        if stated.get(kind) != timing:
            problems.append(
                f"{language}: refunds to {kind} arrive {stated.get(kind)} in the documents, {timing} in policy.yaml"
            )
    problems += [
        f"{language}: the documents state a timing for {k}, policy.yaml has none"
        for k in stated
        if k not in policy.refund_timing
    ]
    return problems


def check_exchange_final_sale(
    policy: AfterSalesPolicy, _returns: ReturnPolicy, documents: list[HelpDocument], language: str
) -> list[str]:
    """The exchange section says final-sale items cannot be exchanged exactly when the policy says so."""
    section = find_section(documents, language, "exchangeable")
    if section is None:
        return [f"{language}: no section {SECTIONS[language]['exchangeable']} says what can be exchanged"]
    says_not = NOT_EXCHANGEABLE[language] in section.text
    if says_not == policy.exchange.final_sale_exchangeable:
        return [
            f"{language}: the exchange section {'says' if says_not else 'does not say'} final-sale items "
            f"cannot be exchanged; policy.yaml final_sale_exchangeable: {policy.exchange.final_sale_exchangeable}"
        ]
    return []


def check_exchange_cancellation(
    policy: AfterSalesPolicy, _returns: ReturnPolicy, documents: list[HelpDocument], language: str
) -> list[str]:
    """ "Cancelling an exchange" has one `- **Status**` bullet per status an exchange may be cancelled in."""
    section = find_section(documents, language, "exchange_cancel")
    if section is None:
        return [
            f"{language}: no section {SECTIONS[language]['exchange_cancel']} says when an exchange can be cancelled"
        ]
    by_name = {name: status for status, name in EXCHANGE_STATUS_NAMES[language].items()}
    stated = {
        by_name.get(m.group(1), m.group(1)) for line in section.text.splitlines() if (m := BOLD_BULLET.match(line))
    }
    if stated != set(policy.exchange.cancellable_statuses):
        return [
            f"{language}: an exchange can be cancelled while {sorted(stated)} in the documents, "
            f"{sorted(policy.exchange.cancellable_statuses)} in policy.yaml"
        ]
    return []


def check_items_changed_once(
    policy: AfterSalesPolicy, _returns: ReturnPolicy, documents: list[HelpDocument], language: str
) -> list[str]:
    """ "Changing items" says items change once per order exactly when a changed order (items_modified)
    cannot have its items changed again."""
    section = find_section(documents, language, "items")
    if section is None:
        return [f"{language}: no section {SECTIONS[language]['items']} says how items are changed"]
    once = "items_modified" not in policy.order_changes.item_change_statuses
    if (ONCE_PER_ORDER[language] in " ".join(section.text.split())) != once:  # across line breaks
        return [
            f"{language}: the items section {'does not say' if once else 'says'} items change "
            f"{ONCE_PER_ORDER[language]!r}; "
            f"policy.yaml item_change_statuses: {policy.order_changes.item_change_statuses}"
        ]
    return []


AFTER_SALES_CHECKS: tuple[Check, ...] = (
    check_status_table,
    check_cancel_reasons,
    check_refund_timing,
    check_exchange_final_sale,
    check_exchange_cancellation,
    check_items_changed_once,
)


def after_sales_drift(
    policy: AfterSalesPolicy, returns: ReturnPolicy, documents: list[HelpDocument], languages: Iterable[str]
) -> list[str]:
    return [
        problem
        for language in languages
        for check in AFTER_SALES_CHECKS
        for problem in check(policy, returns, documents, language)
    ]
