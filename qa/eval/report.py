"""The evaluation's results three ways: a Rich table, a JSON file, and a PNG plot of pass^k against k."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from qa.eval.scoring import TaskScore, curve, group_pass_k, task_scores
from qa.eval.trial import TrialRecord

GROUPS = ("all", "en", "zh")


def _in_group(score: TaskScore, group: str) -> bool:
    return group == "all" or score.language == group


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def summarise(records: list[TrialRecord], trials: int, meta: dict[str, Any]) -> dict[str, Any]:
    """Everything the table and the plot show, as JSON-ready data."""
    scores = task_scores(records)
    agents = sorted({s.agent for s in scores}, key=lambda a: (a != "returndesk", a))
    files: dict[tuple[str, str], list[str | None]] = {}
    for r in sorted(records, key=lambda r: r.trial):
        files.setdefault((r.agent, r.task_id), []).append(r.file)
    reasons = {(r.agent, r.task_id): r.reasons for r in records if r.reasons}
    summary: dict[str, Any] = {"meta": meta | {"trials": trials}, "agents": {}, "tasks": []}
    for agent in agents:
        mine = [s for s in scores if s.agent == agent]
        groups: dict[str, Any] = {}
        for group in GROUPS:
            members = [s for s in mine if _in_group(s, group)]
            scored = [s for s in members if s.scored]
            groups[group] = {
                "tasks": len(scored),
                "not_scored": len(members) - len(scored),
                "pass^1": group_pass_k(scored, 1),
                f"pass^{trials}": group_pass_k(scored, trials),
                "curve": curve(scored),
            }
        by_category = {
            c: {"tasks": len(m), "pass^1": group_pass_k(m, 1)}
            for c in sorted({s.category for s in mine})
            if (m := [s for s in mine if s.category == c and s.scored])
        }
        summary["agents"][agent] = {
            **groups,
            "by_category": by_category,
            "guided_fallback_replies": sum(r.guided_replies for r in records if r.agent == agent),
        }
    for s in scores:
        summary["tasks"].append(
            {
                "id": s.task_id,
                "language": s.language,
                "category": s.category,
                "agent": s.agent,
                "trials": s.trials,
                "passes": s.passes,
                "statuses": list(s.statuses),
                "pass^1": s.pass_k(1) if s.scored else None,
                f"pass^{trials}": s.pass_k(trials) if s.scored else None,
                "last_reasons": reasons.get((s.agent, s.task_id), []),
                "trial_files": files.get((s.agent, s.task_id), []),
            }
        )
    return summary


def write_json(summary: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")


def print_table(summary: dict[str, Any], console: Console) -> None:
    """One row per task (pass^1 and pass^k per agent, side by side), then the groups, in percent."""
    trials = summary["meta"]["trials"]
    agents = list(summary["agents"])
    table = Table(
        title=f"returndesk eval: pass^1 and pass^{trials} (%), {trials} trial(s) per task",
        caption="unsupported / skipped tasks are not scored; see docs/eval.md",
    )
    for column in ("task", "lang", "category"):
        table.add_column(column, overflow="fold")
    for agent in agents:
        table.add_column(f"{agent}\npass^1", justify="right")
        table.add_column(f"{agent}\npass^{trials}", justify="right")
    rows: dict[str, dict[str, Any]] = {}
    for task in summary["tasks"]:
        rows.setdefault(task["id"], {"task": task, "agents": {}})["agents"][task["agent"]] = task
    for row in rows.values():
        cells = [row["task"]["id"], row["task"]["language"], row["task"]["category"]]
        for agent in agents:
            score = row["agents"].get(agent)
            if score is None:
                cells += ["", ""]
            elif score["pass^1"] is None:
                cells += [f"[yellow]{score['statuses'][0]}[/yellow]", ""]
            else:
                colour = "green" if score[f"pass^{trials}"] == 1 else "red" if score["pass^1"] == 0 else "yellow"
                cells += [
                    f"[{colour}]{_pct(score['pass^1'])}[/{colour}]",
                    f"[{colour}]{_pct(score[f'pass^{trials}'])}[/{colour}]",
                ]
        table.add_row(*cells)
    table.add_section()
    for group in GROUPS:
        cells = [f"[bold]{group}[/bold]", "", ""]
        for agent in agents:
            figures = summary["agents"][agent][group]
            cells += [
                f"[bold]{_pct(figures['pass^1'])}[/bold] ({figures['tasks']})",
                f"[bold]{_pct(figures[f'pass^{trials}'])}[/bold]",
            ]
        table.add_row(*cells)
    console.print(table)


def plot(summary: dict[str, Any], path: Path) -> Path | None:
    """pass^k against k, one line per agent and language; None when nothing was scored."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    lines = [
        (agent, group, figures[group]["curve"])
        for agent, figures in summary["agents"].items()
        for group in GROUPS
        if figures[group]["curve"]
    ]
    if not lines:
        return None
    figure, axes = plt.subplots(figsize=(6, 4), dpi=120)
    for agent, group, points in lines:
        ks, values = zip(*points, strict=True)
        axes.plot(
            ks,
            [100 * v for v in values],
            marker="o",
            linestyle="-" if agent == "returndesk" else "--",
            label=f"{agent} ({group})",
        )
    axes.set_xlabel("k (trials that must all pass)")
    axes.set_ylabel("pass^k (%)")
    axes.set_ylim(0, 105)
    axes.set_xticks(sorted({k for _a, _g, points in lines for k, _v in points}))
    axes.set_title(f"pass^k, {summary['meta'].get('model') or 'guided mode'}")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path


def not_scored(records: Iterable[TrialRecord]) -> list[tuple[str, str, str]]:
    """(task, status, why) for tasks that were skipped or cannot run yet, once per task."""
    seen: dict[str, tuple[str, str, str]] = {}
    for r in records:
        if r.status in ("unsupported", "skipped"):
            seen.setdefault(r.task_id, (r.task_id, r.status, "; ".join(r.reasons)))
    return list(seen.values())
