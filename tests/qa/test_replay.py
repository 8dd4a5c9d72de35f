"""QA's loop: record a conversation once, replay it offline, see a readable diff when behaviour changes."""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from core import messages
from qa.replay import replay_file, rerecord_file
from qa.spec import dump_spec, load_spec
from ui.cli import app

SUITE = Path(__file__).parents[1] / "conversations"


def record(tmp_path: Path, source: str = "en_happy_path_return.yaml") -> Path:
    """Record a conversation as QA would: the same turns against the live parts (here guided mode and
    the real carrier service), saved with exact expectations and a cassette of its HTTP exchanges."""
    target = tmp_path / "recorded" / "conversation.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(SUITE / source, target)
    rerecord_file(target)
    return target


def test_a_recorded_conversation_replays_identically(tmp_path: Path) -> None:
    path = record(tmp_path)
    spec = load_spec(path)
    assert spec.turns[1].expect.reply is not None and "RMA-########" in spec.turns[1].expect.reply
    assert spec.end_state.returns is not None and len(spec.end_state.returns) == 1

    outcome = replay_file(path)

    assert outcome.passed, outcome.divergences


def test_a_changed_reply_is_reported_at_its_turn_with_a_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = record(tmp_path)
    monkeypatch.setitem(
        messages.catalogue("en"),
        "guided.created",  # the English catalogue's words, changed
        "Done! Your RMA is {rma}; {amount} goes back to {method}.",
    )

    outcome = replay_file(path)

    assert not outcome.passed
    first = outcome.divergences[0]
    assert (first.turn, first.turn_label, first.what) == (2, "[confirm]", "reply")
    assert "-Your return is created." in first.diff and "+Done! Your RMA is RMA-########" in first.diff


def test_replay_command_exits_non_zero_and_writes_junit_on_divergence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = record(tmp_path)
    bad_dir = tmp_path / "bad"
    shutil.copytree(good.parent, bad_dir)
    spec = load_spec(bad_dir / "conversation.yaml")
    spec.turns[0].expect.tools = ["lookup_order"]  # QA's expectation no longer matches the agent
    dump_spec(spec, bad_dir / "conversation.yaml")
    junit = tmp_path / "report.xml"

    result = CliRunner().invoke(app, ["replay", str(good.parent), str(bad_dir), "--junit", str(junit)])

    assert result.exit_code == 1, result.output
    assert "1 passed, 1 failed" in result.output
    assert "tools called" in result.output
    failures = ET.parse(junit).getroot().findall("testcase/failure")
    assert len(failures) == 1 and "check_return_eligibility" in (failures[0].text or "")


def test_a_typo_in_a_conversation_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text("name: typo\ncustomer: {anonymous: true}\nturns:\n  - user: hi\n    expcet: {}\n", encoding="utf-8")

    outcome = replay_file(path)

    assert outcome.error is not None and "expcet" in outcome.error


def test_a_recording_replays_the_carrier_offline_and_a_missing_exchange_is_named(tmp_path: Path) -> None:
    path = record(tmp_path)
    spec = load_spec(path)
    cassette = path.parent / spec.recording.cassette  # type: ignore[union-attr]
    assert "/labels" in cassette.read_text(encoding="utf-8"), "the label request was recorded"
    assert replay_file(path).passed, "replayed with no carrier running: the cassette answered"

    cassette.unlink()
    outcome = replay_file(path)

    [miss] = [d for d in outcome.divergences if d.what == "recorded HTTP exchange"]
    assert (miss.turn, miss.turn_label) == (2, "[confirm]")
    assert "POST /labels" in miss.actual and "--record-http" in miss.actual
