"""pass^k, as tau-bench defines it: the chance that k trials of a task, drawn from the n run, all pass.

Per task with c passes out of n trials, pass^k = C(c, k) / C(n, k); a group's pass^k is the mean over
its tasks. pass^1 is the plain success rate; pass^k for larger k rewards an agent that is reliable,
not one that is sometimes right.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from math import comb

from qa.eval.trial import SCORED, TrialRecord


def pass_hat_k(passes: int, trials: int, k: int) -> float:
    if not 1 <= k <= trials or not 0 <= passes <= trials:
        raise ValueError(f"pass^k needs 1 <= k <= trials and 0 <= passes <= trials (k={k}, {passes}/{trials})")
    return comb(passes, k) / comb(trials, k)


@dataclass(frozen=True)
class TaskScore:
    task_id: str
    language: str
    category: str
    agent: str
    trials: int
    passes: int
    statuses: tuple[str, ...]  # one per trial, in order

    @property
    def scored(self) -> bool:
        return all(s in SCORED for s in self.statuses)

    def pass_k(self, k: int) -> float:
        return pass_hat_k(self.passes, self.trials, k)


def task_scores(records: Iterable[TrialRecord]) -> list[TaskScore]:
    grouped: dict[tuple[str, str], list[TrialRecord]] = defaultdict(list)
    for record in records:
        grouped[(record.agent, record.task_id)].append(record)
    scores = []
    for (agent, task_id), group in grouped.items():
        group.sort(key=lambda r: r.trial)
        first = group[0]
        scores.append(
            TaskScore(
                task_id,
                first.language,
                first.category,
                agent,
                len(group),
                sum(r.passed for r in group),
                tuple(r.status for r in group),
            )
        )
    return sorted(scores, key=lambda s: (s.task_id, s.agent))


def group_pass_k(scores: Iterable[TaskScore], k: int) -> float | None:
    """Mean pass^k over the scored tasks; None when there are none (or fewer than k trials)."""
    values = [s.pass_k(k) for s in scores if s.scored and k <= s.trials]
    return sum(values) / len(values) if values else None


def curve(scores: list[TaskScore]) -> list[tuple[int, float]]:
    """(k, pass^k) for k = 1 .. the trials every scored task has."""
    scored = [s for s in scores if s.scored]
    if not scored:
        return []
    most = min(s.trials for s in scored)
    return [(k, value) for k in range(1, most + 1) if (value := group_pass_k(scored, k)) is not None]
