"""The eval checks order changes (address, payment method, default address) by making the expected
change with the backend's own functions: the shipped tasks pass in guided mode, a wrong expectation
fails naming the difference, and only changing an order's items is still reported as unsupported."""

from __future__ import annotations

from qa.eval.changes import address_of, unsupported_changes
from qa.eval.task_format import SUITE, ExpectedState, OrderChange, load_tasks
from qa.eval.trial import EvalCase, TrialOptions, run_trial
from qa.eval.world import Templates
from tests.eval.conftest import shipped


def test_every_order_change_task_passes_in_guided_mode(templates: Templates, options: TrialOptions) -> None:
    tasks = [t for t in load_tasks([SUITE]) if t.category == "order_change" and t.scripted]
    assert {t.language for t in tasks} == {"en", "zh"} and len(tasks) >= 6

    records = [run_trial(EvalCase(t), "returndesk", 1, options, templates) for t in tasks]

    assert {r.task_id: r.reasons for r in records if not r.passed} == {}


def test_a_wrong_expected_address_fails_and_names_the_difference(templates: Templates, options: TrialOptions) -> None:
    wrong = shipped("en-change-order-address").model_copy(deep=True)
    wrong.expected.order_changes[0].details["postcode"] = "94105"

    record = run_trial(EvalCase(wrong), "returndesk", 1, options, templates)

    assert record.status == "failed"
    assert any("#W1000032" in r and "94105" in r and "94107" in r for r in record.reasons), record.reasons


def test_a_payment_change_the_task_does_not_expect_fails_the_trial(templates: Templates, options: TrialOptions) -> None:
    task = shipped("en-change-order-payment").model_copy(deep=True)
    task.expected.order_changes = []

    record = run_trial(EvalCase(task), "returndesk", 1, options, templates)

    assert record.status == "failed"


def test_every_order_change_kind_is_applied_and_tau_bench_addresses_are_read() -> None:
    expected = ExpectedState(
        order_changes=[
            OrderChange(change="order_items", order_id="#W1"),
            OrderChange(change="order_address", order_id="#W1"),
            OrderChange(change="user_address", details={"user_id": "u"}),
        ]
    )

    assert unsupported_changes(expected) == []
    tau = {"order_id": "#W1", "address1": "1 Main St", "address2": "", "city": "Austin", "state": "TX"}
    assert address_of({**tau, "zip": "78701", "country": "USA"}) == {
        "line1": "1 Main St",
        "line2": "",
        "city": "Austin",
        "region": "TX",
        "postcode": "78701",
        "country": "US",
    }
