"""The help centre states the after-sales policy the code enforces: exchanges, cancelling and changing
orders, and when refunds arrive (one source: policy.yaml)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core import languages
from mock_backends.knowledge.documents import load_documents
from mock_backends.knowledge.search import help_centre_index
from mock_backends.orders.after_sales_policy import AfterSalesPolicy, RefundTiming, load_after_sales_policy
from mock_backends.orders.policy import load_policy
from tests.knowledge.after_sales_drift import AFTER_SALES_CHECKS, SECTIONS, Check, after_sales_drift

LANGUAGES = languages.codes()  # every language has its help-centre folder


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("check", AFTER_SALES_CHECKS, ids=lambda c: c.__name__)
def test_documents_state_the_after_sales_policy_the_code_enforces(check: Check, language: str) -> None:
    assert check(load_after_sales_policy(), load_policy(), load_documents(), language) == []


def _rules(p: AfterSalesPolicy, section: str, **changes: object) -> dict:
    return {section: getattr(p, section).model_copy(update=changes)}


POLICY_CHANGES: dict[str, Callable[[AfterSalesPolicy], dict]] = {
    "processing becomes cancellable": lambda p: _rules(
        p, "order_changes", cancellable_statuses=[*p.order_changes.cancellable_statuses, "processing"]
    ),
    "items changeable twice": lambda p: _rules(
        p, "order_changes", item_change_statuses=[*p.order_changes.item_change_statuses, "items_modified"]
    ),
    "address fixed once items changed": lambda p: _rules(p, "order_changes", address_change_statuses=["pending"]),
    "a cancel reason added": lambda p: _rules(
        p, "order_changes", cancel_reasons=[*p.order_changes.cancel_reasons, "found it cheaper"]
    ),
    "exchange only while delivered": lambda p: _rules(p, "exchange", exchangeable_statuses=["delivered"]),
    "exchange cancellable in transit": lambda p: _rules(
        p, "exchange", cancellable_statuses=[*p.exchange.cancellable_statuses, "in_transit"]
    ),
    "exchange not cancellable once labelled": lambda p: _rules(p, "exchange", cancellable_statuses=["requested"]),
    "final sale exchangeable": lambda p: _rules(p, "exchange", final_sale_exchangeable=True),
    "card refunds slower": lambda p: {
        "refund_timing": {**p.refund_timing, "credit_card": RefundTiming(min_days=7, max_days=10)}
    },
    "gift card refunds not at once": lambda p: {
        "refund_timing": {**p.refund_timing, "gift_card": RefundTiming(min_days=1, max_days=2)}
    },
}


@pytest.mark.parametrize("change", POLICY_CHANGES.values(), ids=POLICY_CHANGES.keys())
def test_an_after_sales_policy_change_the_documents_do_not_follow_is_caught_in_each_language(
    change: Callable[[AfterSalesPolicy], dict],
) -> None:
    policy = load_after_sales_policy()
    changed = policy.model_copy(update=change(policy))
    for language in LANGUAGES:
        assert after_sales_drift(changed, load_policy(), load_documents(), [language]), f"{language} not checked"


@pytest.mark.parametrize(
    ("query", "language", "rule"),
    [
        ("can I exchange my t-shirt for another size", "en", "exchangeable"),
        ("how do I cancel my order", "en", "cancel"),
        ("换货 尺码", "zh", "exchangeable"),
        ("怎么取消订单", "zh", "cancel"),
        ("change the size of an item on my order before it ships", "en", "items"),
        ("how do I cancel my exchange", "en", "exchange_cancel"),
        ("修改订单商品 尺码", "zh", "items"),
        ("取消换货", "zh", "exchange_cancel"),
    ],
)
def test_exchange_and_cancel_questions_find_their_pages(query: str, language: str, rule: str) -> None:
    hits = help_centre_index().search(query, language=language, k=3)
    assert SECTIONS[language][rule] in [(h.doc_id, h.heading) for h in hits], [(h.doc_id, h.heading) for h in hits]
