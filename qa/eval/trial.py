"""One trial: a task played once against one agent on a fresh world, judged, and kept as a file.

The trial passes when the database ends exactly in the expected state (the task's changes applied by
our own backend to a copy of the starting database; nothing else changed) and the agent's replies
state every fact the task names and none it forbids. Its trajectory (the turns, every tool call and
result, the full message list, the state differences) is written as JSON for `returndesk eval --show`.
"""

from __future__ import annotations

import json
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.messages import messages_to_dict

from qa.eval.agents import AgentSession, AgentTurn, open_session
from qa.eval.changes import InvalidExpectation, UnsupportedChange, apply_expected
from qa.eval.customers import ClickCard, ScriptedCustomer, SimulatedCustomer, simulator_model
from qa.eval.state import State, canonical_state, diff_states
from qa.eval.task_format import Task
from qa.eval.world import ModelEndpoint, Templates, cloned_engine, scratch_root, trial_world

SCORED = ("passed", "failed", "error")  # counted in pass^k; "unsupported" and "skipped" are not


@dataclass
class EvalCase:
    """A task to run, and what of it cannot be run yet (tau-bench actions we have no backend for)."""

    task: Task
    unsupported: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TrialOptions:
    endpoint: ModelEndpoint = field(default_factory=ModelEndpoint)  # the agent's model; no base_url: guided mode
    user_endpoint: ModelEndpoint | None = None  # the simulated customer's model
    configured_url: str | None = None  # source of worlds with `database: configured`
    max_turns: int = 20  # customer messages per simulated conversation
    out_dir: Path | None = None  # trial files go to out_dir/trials/


@dataclass
class TrialRecord:
    task_id: str
    language: str
    category: str
    agent: str
    trial: int
    status: str  # passed | failed | error | unsupported | skipped
    reasons: list[str] = field(default_factory=list)
    seconds: float = 0.0
    file: str | None = None
    guided_replies: int = 0  # replies guided mode wrote although a model was configured (fallbacks)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def run_trial(case: EvalCase, agent: str, trial: int, options: TrialOptions, templates: Templates) -> TrialRecord:
    """Play `case` once with `agent` on a fresh world cloned from `templates`; never raises for the
    agent's or the task's failures (they are the record's status and reasons)."""
    task = case.task
    record = TrialRecord(task.id, task.language, task.category, agent, trial, "failed")
    trajectory: dict[str, Any] = {
        "task": task.model_dump(mode="json", exclude_defaults=True),
        "agent": agent,
        "trial": trial,
        "model": asdict(options.endpoint) | {"api_key": None},
    }
    started = time.perf_counter()
    if case.unsupported:
        record.status, record.reasons = "unsupported", list(case.unsupported)
    elif not task.scripted and options.user_endpoint is None:
        record.status, record.reasons = "skipped", ["needs a simulated customer: pass --user-model-url"]
    else:
        try:
            _play(task, agent, options, templates, record, trajectory)
        except UnsupportedChange as error:
            record.status, record.reasons = "unsupported", [str(error)]
        except InvalidExpectation as error:
            record.status, record.reasons = "error", [f"the task is wrong: {error}"]
        except Exception as error:  # the agent or the world broke: this trial fails, the others still run
            record.status, record.reasons = "error", [f"{type(error).__name__}: {error}"]
            trajectory["traceback"] = traceback.format_exc()
    record.seconds = round(time.perf_counter() - started, 3)
    trajectory["result"] = asdict(record)
    if options.out_dir is not None:
        record.file = str(_write(options.out_dir, record, trajectory))
    return record


def _play(
    task: Task, agent: str, options: TrialOptions, templates: Templates, record: TrialRecord, trajectory: dict[str, Any]
) -> None:
    template, now = templates.path_for(task.world), templates.now
    with tempfile.TemporaryDirectory(prefix="returndesk-eval-", dir=scratch_root()) as tmp:
        expected = expected_state(task, templates, Path(tmp))
        with trial_world(Path(tmp), template=template, now=now, endpoint=options.endpoint) as world:
            before = canonical_state(world.engine)
            session = open_session(agent, world, task.customer, task.language)
            turns: list[dict[str, Any]] = trajectory.setdefault("turns", [])  # kept even if a turn raises
            converse(task, session, options, turns)
            after = canonical_state(world.engine)
            trajectory["messages"] = messages_to_dict(session.messages())
    trajectory["changes"] = [d.describe("before", "after") for d in diff_states(before, after)]
    differences = [d.describe("expected", "actual") for d in diff_states(expected, after)]
    trajectory["state_differences"] = differences
    said = "\n".join(t["agent"] + ("\n" + t["card"] if t.get("card") else "") for t in turns)
    facts = [{"fact": f.label, "found": f.found_in(said)} for f in task.facts]
    forbidden = [{"fact": f.label, "found": f.found_in(said)} for f in task.forbidden]
    trajectory["facts"], trajectory["forbidden"] = facts, forbidden
    record.reasons = (
        [f"end state: {d}" for d in differences]
        + [f"the replies never state {f['fact']}" for f in facts if not f["found"]]
        + [f"the replies state {f['fact']}, which they must not" for f in forbidden if f["found"]]
        + [f"turn {n}: {t['error']}" for n, t in enumerate(turns, 1) if t.get("error")]
    )
    record.status = "failed" if record.reasons else "passed"
    if options.endpoint.base_url and agent == "returndesk":
        record.guided_replies = sum(t.get("mode") == "guided" for t in turns if t.get("agent"))


def expected_state(task: Task, templates: Templates, workdir: Path) -> State:
    """The canonical state the trial must end in: the task's starting database (a fresh clone of its
    template) with the expected changes applied by our backend. Raises UnsupportedChange or
    InvalidExpectation when that cannot be done."""
    with cloned_engine(templates.path_for(task.world), workdir / "expected.db") as copy:
        apply_expected(copy, task.expected, now=templates.now)
        return canonical_state(copy)


def converse(task: Task, session: AgentSession, options: TrialOptions, turns: list[dict[str, Any]]) -> None:
    """Customer and agent take turns until the script ends, the simulated customer stops, or the limit;
    each exchange is appended to `turns` as it happens."""
    if task.scripted:
        customer: ScriptedCustomer | SimulatedCustomer = ScriptedCustomer(task)
        limit = len(task.turns or [])
    else:
        assert options.user_endpoint is not None
        customer, limit = SimulatedCustomer(task, simulator_model(options.user_endpoint)), options.max_turns
    answer: AgentTurn | None = None
    for _ in range(limit):
        move = customer.next_move(answer)
        if move is None:
            break
        if isinstance(move, ClickCard):
            said = "[confirm]" if move.approved else "[cancel]"
            clicked = session.answer_card(move.approved)
            if clicked is None:
                turns.append({"customer": said, "agent": "", "note": "no card was waiting: nothing was sent"})
                continue
            answer = clicked
        else:
            said, answer = move.text, session.send(move.text)
        turns.append(_entry(said, answer))


def _entry(said: str, answer: AgentTurn) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "customer": said,
        "agent": answer.reply,
        "mode": answer.mode,
        "tools": [asdict(t) for t in answer.tools],
    }
    if answer.card:
        entry["card"] = str(answer.card.get("summary", ""))
    for key in ("refused", "error"):
        if getattr(answer, key):
            entry[key] = getattr(answer, key)
    return entry


def _write(out_dir: Path, record: TrialRecord, trajectory: dict[str, Any]) -> Path:
    path = out_dir / "trials" / f"{record.task_id}.{record.agent}.{record.trial:02d}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(trajectory, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path
