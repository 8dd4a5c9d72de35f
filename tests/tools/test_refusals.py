"""Every refusal of the order system reads in the customer's language, not in the backend's English."""

from __future__ import annotations

import pytest

from core.messages import catalogue, has, placeholders, t
from mock_backends.orders import errors
from mock_backends.orders.return_lifecycle import ReturnNotCancellable
from tools.base import GuardRefusal, failure


def every_error_type() -> list[type[errors.OrderSystemError]]:
    found: list[type[errors.OrderSystemError]] = []
    pending = [errors.OrderSystemError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending += cls.__subclasses__()
    return found


ERROR_CODES = sorted(
    {cls.code for cls in every_error_type() if cls.__module__ == errors.__name__}
    | {ReturnNotCancellable.code, GuardRefusal.code}
)


@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_order_system_error_code_has_a_chinese_text(code: str) -> None:
    assert has(f"refusal.{code}", "zh"), f"add refusal.{code} to core/catalogues/zh.yaml"
    text = t(f"refusal.{code}", "zh", order="#W1000032", number="EXC-1A2B3C4D")
    assert not any("a" <= ch.lower() <= "z" for ch in text.replace("#W1000032", "").replace("EXC-1A2B3C4D", ""))
    assert placeholders(catalogue("zh")[f"refusal.{code}"]) <= {"order", "number"}  # what the tool layer fills in


def test_a_chinese_customer_reads_the_order_and_the_reason_an_english_one_the_backends_words() -> None:
    error = errors.OrderAlreadyShipped("Order #W1000004 has already shipped, so it can no longer be changed.")

    assert failure(error, "zh", order_id="w1000004")["error"] == "订单 #W1000004 已经发货，无法再修改或取消。"
    assert failure(error, "en", order_id="w1000004")["error"] == str(error)
    assert failure(error)["code"] == "order_shipped"
