"""pass^k as tau-bench defines it: C(passes, k) / C(trials, k), averaged over tasks."""

from __future__ import annotations

import pytest

from qa.eval.scoring import curve, group_pass_k, pass_hat_k, task_scores
from qa.eval.trial import TrialRecord


def records(task: str, statuses: list[str], language: str = "en") -> list[TrialRecord]:
    return [TrialRecord(task, language, "return", "returndesk", n, s) for n, s in enumerate(statuses, 1)]


def test_pass_hat_k_is_the_chance_that_k_of_the_trials_all_pass() -> None:
    assert pass_hat_k(3, 4, 1) == 0.75
    assert pass_hat_k(3, 4, 2) == 0.5  # 3 of the 6 pairs of trials both passed
    assert pass_hat_k(3, 4, 4) == 0.0
    assert pass_hat_k(4, 4, 4) == 1.0
    with pytest.raises(ValueError):
        pass_hat_k(1, 2, 3)


def test_a_groups_pass_hat_k_averages_its_tasks_and_leaves_out_the_unscored() -> None:
    scores = task_scores(
        records("a", ["passed"] * 4)
        + records("b", ["passed", "failed", "passed", "error"])
        + records("c", ["skipped"] * 4)
    )
    assert group_pass_k(scores, 1) == (1.0 + 0.5) / 2
    assert group_pass_k(scores, 2) == (1.0 + 1 / 6) / 2
    assert [k for k, _ in curve(scores)] == [1, 2, 3, 4]
    assert curve(scores)[-1] == (4, 0.5)
