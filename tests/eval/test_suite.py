"""The shipped suite: big enough, both languages, every subject, and every scripted task passes in guided mode."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from qa.eval.suite import run_evaluation
from qa.eval.task_format import SUITE, load_tasks
from qa.eval.trial import EvalCase, TrialOptions, run_trial
from qa.eval.world import Templates
from tests.eval.conftest import shipped

REQUIRED_SUBJECTS = {
    "return",
    "refusal",
    "return_status",
    "tracking",
    "policy",
    "handoff",
    "injection",
    "verification",
    "foreign_order",
}


def test_the_suite_has_at_least_60_scripted_tasks_in_both_languages_on_every_subject() -> None:
    tasks = load_tasks([SUITE])
    scripted = [t for t in tasks if t.scripted]
    assert len(scripted) >= 60
    for language in ("en", "zh"):
        subjects = {t.category for t in scripted if t.language == language}
        assert subjects >= REQUIRED_SUBJECTS, (language, REQUIRED_SUBJECTS - subjects)
    assert Counter(t.language for t in scripted)["zh"] >= 20
    assert any(not t.scripted for t in tasks), "the suite also ships tasks for a simulated customer"


def test_every_scripted_task_passes_in_guided_mode(tmp_path: Path) -> None:
    cases = [EvalCase(t) for t in load_tasks([SUITE]) if t.scripted]

    run = run_evaluation(cases, agents=["returndesk"], trials=1, options=TrialOptions(out_dir=tmp_path))

    failed = {r.task_id: r.reasons for r in run.records if not r.passed}
    assert not failed, "\n".join(f"{task}: {'; '.join(reasons)}" for task, reasons in failed.items())
    assert run.summary["agents"]["returndesk"]["all"]["pass^1"] == 1.0
    assert run.json_path is not None and run.json_path.is_file()


def test_a_wrong_expected_end_state_fails_and_names_the_difference(templates: Templates, options: TrialOptions) -> None:
    task = shipped("en-return-choose-items")  # the customer returns 1 USB-C cable
    wrong = task.model_copy(deep=True)
    wrong.expected.returns[0].items[0].product = "Wireless Headphones"
    wrong.expected.returns[0].refund_amount = None

    record = run_trial(EvalCase(wrong), "returndesk", 1, options, templates)

    assert record.status == "failed"
    only_expected = [r for r in record.reasons if "only in expected" in r]
    only_actual = [r for r in record.reasons if "only in actual" in r]
    assert len(only_expected) == 1 and "P-HEADPHONES-STD x1" in only_expected[0]
    assert len(only_actual) == 1 and "P-CABLE-STD x1" in only_actual[0]
    assert any("orderitem #W1000001/P-CABLE-STD: quantity_returned: expected 0, actual 1" in r for r in record.reasons)


def test_a_change_the_task_does_not_expect_fails_the_trial(templates: Templates, options: TrialOptions) -> None:
    task = shipped("en-return-headphones").model_copy(deep=True)
    task.expected.returns = []  # "nothing changes", but the customer confirms a return
    task.facts = []

    record = run_trial(EvalCase(task), "returndesk", 1, options, templates)

    assert record.status == "failed"
    assert any(r.startswith("end state: returnrequest: only in actual") for r in record.reasons)


def test_a_missing_fact_fails_the_trial_although_the_state_is_right(
    templates: Templates, options: TrialOptions
) -> None:
    task = shipped("en-return-headphones").model_copy(deep=True)
    task.facts.append(task.facts[0].model_copy(update={"regex": None, "contains": "within 3 minutes"}))

    record = run_trial(EvalCase(task), "returndesk", 1, options, templates)

    assert record.status == "failed"
    assert record.reasons == ["the replies never state 'within 3 minutes'"]


def test_an_expectation_the_policy_refuses_is_reported_as_a_wrong_task(
    templates: Templates, options: TrialOptions
) -> None:
    task = shipped("en-refuse-final-sale").model_copy(deep=True)
    task.expected = task.expected.model_validate(
        {"returns": [{"order_id": "#W1000003", "items": [{"product": "Clearance Sunglasses"}]}]}
    )

    record = run_trial(EvalCase(task), "returndesk", 1, options, templates)

    assert record.status == "error"
    assert "the task is wrong" in record.reasons[0] and "final sale" in record.reasons[0]
