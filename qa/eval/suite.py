"""Running many trials: every case x agent x trial, sequentially or on `jobs` threads, then the reports."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mock_backends.orders.models import utcnow
from qa.eval.report import plot, summarise, write_json
from qa.eval.trial import EvalCase, TrialOptions, TrialRecord, run_trial
from qa.eval.world import Templates, scratch_root

OnTrial = Callable[[TrialRecord], None]


@dataclass
class EvalRun:
    records: list[TrialRecord]
    summary: dict[str, Any]
    json_path: Path | None = None
    plot_path: Path | None = None


def run_evaluation(
    cases: list[EvalCase],
    *,
    agents: list[str],
    trials: int,
    options: TrialOptions,
    jobs: int = 1,
    on_trial: OnTrial | None = None,
    meta: dict[str, Any] | None = None,
) -> EvalRun:
    """Run every trial (each on its own fresh world) and summarise; with `options.out_dir`, also write
    results.json, passk.png and one file per trial under it."""
    if trials < 1 or jobs < 1:
        raise ValueError("--trials and --jobs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="returndesk-eval-templates-", dir=scratch_root()) as root:
        templates = Templates(Path(root), now=utcnow(), configured_url=options.configured_url)
        records = _run_all(cases, agents, trials, options, templates, jobs, on_trial)
    run = EvalRun(records, summarise(records, trials, meta or {}))
    if options.out_dir is not None:
        run.json_path = options.out_dir / "results.json"
        write_json(run.summary, run.json_path)
        run.plot_path = plot(run.summary, options.out_dir / "passk.png")
    return run


def _run_all(
    cases: list[EvalCase],
    agents: list[str],
    trials: int,
    options: TrialOptions,
    templates: Templates,
    jobs: int,
    on_trial: OnTrial | None,
) -> list[TrialRecord]:
    plan = [(case, agent, n) for case in cases for agent in agents for n in range(1, trials + 1)]
    records: list[TrialRecord] = []

    def done(record: TrialRecord) -> None:
        records.append(record)
        if on_trial is not None:
            on_trial(record)

    if jobs == 1:
        for case, agent, n in plan:
            done(run_trial(case, agent, n, options, templates))
    else:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="eval") as pool:
            futures = [pool.submit(run_trial, case, agent, n, options, templates) for case, agent, n in plan]
            for future in as_completed(futures):
                done(future.result())
    order = {(case.task.id, agent, n): i for i, (case, agent, n) in enumerate(plan)}
    return sorted(records, key=lambda r: order[(r.task_id, r.agent, r.trial)])


def select(cases: list[EvalCase], *, only: list[str] | None = None, language: str | None = None) -> list[EvalCase]:
    """The cases whose id contains one of `only` (all when empty) and in `language` (all when None)."""
    return [
        c
        for c in cases
        if (not only or any(part in c.task.id for part in only)) and (language is None or c.task.language == language)
    ]
