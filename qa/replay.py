"""Replay conversation files offline and report divergences (Rich table; JUnit XML on request)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from rich.console import Console
from rich.table import Table

from agent.endpoint import resolve_model_name
from core.settings import Settings
from mock_backends.orders.models import utcnow
from qa.compare import Divergence, compare
from qa.recording import CONVERSATION, TRANSCRIPT, append_transcript, recorded_spec, write_db_changes
from qa.runner import run_spec
from qa.spec import ConversationSpec, dump_spec, load_spec
from service.conversation import ConversationError


@dataclass
class ReplayOutcome:
    path: Path
    name: str
    divergences: list[Divergence] = field(default_factory=list)
    error: str | None = None  # the file could not be read or run

    @property
    def passed(self) -> bool:
        return not self.divergences and self.error is None


def replay_file(path: Path) -> ReplayOutcome:
    try:
        spec = load_spec(path)
    except Exception as error:  # a broken file is reported as such, the other files still run
        return ReplayOutcome(path, path.stem, error=f"cannot read conversation file: {error}")
    try:
        result = run_spec(spec, base_dir=path.parent)
    except ConversationError as error:  # e.g. a recording of a customer the demo data does not have
        return ReplayOutcome(path, spec.name, error=f"cannot open the conversation: {error}")
    return ReplayOutcome(path, spec.name, compare(spec, result))


def rerecord_file(path: Path, *, llm_base_url: str | None = None) -> ConversationSpec:
    """Play the user turns against the live endpoint, rewrite the cassette and the expectations
    (and, in a recording directory, its transcript and database changes)."""
    spec = load_spec(path)
    now = utcnow()
    meta = spec.recording
    base_url = llm_base_url or (meta.llm_base_url if meta else None)
    # Another endpoint may serve another name: ask it, as the client would.
    model = (
        None
        if base_url is None
        else resolve_model_name(
            Settings(
                _env_file=None,
                llm_base_url=base_url,
                llm_model=None if llm_base_url else (meta.llm_model if meta else None),
            )
        )
    )
    cassette = path.parent / (meta.cassette if meta else f"{spec.name}.cassette.yaml")
    cassette.unlink(missing_ok=True)
    result = run_spec(spec, base_dir=path.parent, record_mode="all", now=now, llm_base_url=base_url, llm_model=model)
    assert result.end is not None, "recording mode answers every request live"
    fresh = recorded_spec(
        name=spec.name,
        language=spec.language,
        customer=spec.customer,
        turns=spec.turns,
        observations=result.turns,
        end=result.end,
        recorded_at=now,
        llm_base_url=base_url,
        llm_model=model,
        description=spec.description,
    )
    if meta is None:
        fresh.recording.cassette = cassette.name  # type: ignore[union-attr]
    dump_spec(fresh, path)
    if path.name == CONVERSATION:
        (path.parent / TRANSCRIPT).unlink(missing_ok=True)
        for turn, seen in zip(fresh.turns, result.turns, strict=True):
            append_transcript(path.parent, turn, seen)
        write_db_changes(path.parent, result.end)
    return fresh


def record_http(path: Path) -> None:
    """Record (again) the HTTP exchanges of a hand-written conversation; its expectations stay as written.

    The carrier service runs for real on the conversation's fresh database while recording.
    """
    spec = load_spec(path)
    cassette = path.parent / (spec.recording.cassette if spec.recording else f"{spec.name}.cassette.yaml")
    cassette.unlink(missing_ok=True)
    run_spec(spec, base_dir=path.parent, record_mode="all")


def report(outcomes: list[ReplayOutcome], console: Console) -> None:
    table = Table(title="Conversation replay", show_lines=True)
    for column in ("conversation", "result", "first divergence"):
        table.add_column(column, overflow="fold")
    for outcome in outcomes:
        if outcome.passed:
            table.add_row(outcome.name, "[green]same[/green]", "")
            continue
        if outcome.error:
            table.add_row(outcome.name, "[red]error[/red]", outcome.error)
            continue
        first = outcome.divergences[0]
        where = f"turn {first.turn} ({first.turn_label!r})" if first.turn else "end state"
        detail = first.diff or f"expected: {first.expected}\nactual:   {first.actual}"
        more = f"\n(+{len(outcome.divergences) - 1} more)" if len(outcome.divergences) > 1 else ""
        table.add_row(outcome.name, "[red]diverged[/red]", f"{where}: {first.what}\n{detail}{more}")
    console.print(table)
    passed = sum(o.passed for o in outcomes)
    console.print(f"{passed} passed, {len(outcomes) - passed} failed")


def write_junit(outcomes: list[ReplayOutcome], target: Path) -> None:
    suite = ET.Element(
        "testsuite",
        name="returndesk-conversations",
        tests=str(len(outcomes)),
        failures=str(sum(not o.passed for o in outcomes)),
    )
    for outcome in outcomes:
        case = ET.SubElement(suite, "testcase", classname="conversations", name=outcome.name, file=str(outcome.path))
        if not outcome.passed:
            text = outcome.error or "\n\n".join(
                f"turn {d.turn} ({d.turn_label}): {d.what}\nexpected: {d.expected}\nactual:   {d.actual}\n{d.diff}"
                for d in outcome.divergences
            )
            ET.SubElement(case, "failure", message="conversation diverged").text = text
    target.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(target, encoding="utf-8", xml_declaration=True)
