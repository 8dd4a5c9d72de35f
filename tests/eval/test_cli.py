"""`returndesk eval`: the table, results.json, the pass^k plot, trial files that --show prints, and the baseline."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from qa.eval.task_format import SUITE
from ui.cli import app

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def flat(output: str) -> str:
    """The output with Rich's line wrapping undone (it wraps at its own console width)."""
    return " ".join(output.split())


def test_eval_with_the_baseline_shows_what_the_confirmation_step_adds(tmp_path: Path) -> None:
    out = tmp_path / "run"
    tasks = [str(SUITE / "en-return-headphones.yaml"), str(SUITE / "en-return-cancel-card.yaml")]

    result = CliRunner().invoke(
        app, ["eval", *tasks, "--trials", "2", "--baseline", "--jobs", "2", "--out", str(out)], terminal_width=200
    )

    assert result.exit_code == 0, result.output
    assert "pass^1" in result.output and "baseline" in result.output
    summary = json.loads((out / "results.json").read_text(encoding="utf-8"))
    scores = {(t["id"], t["agent"]): t for t in summary["tasks"]}
    assert scores[("en-return-headphones", "returndesk")]["pass^2"] == 1.0
    assert scores[("en-return-headphones", "baseline")]["pass^2"] == 1.0
    # The customer cancels at the card; the plain agent had already created the return.
    assert scores[("en-return-cancel-card", "returndesk")]["pass^2"] == 1.0
    assert scores[("en-return-cancel-card", "baseline")]["passes"] == 0
    assert any(
        "returnrequest: only in actual" in r for r in scores[("en-return-cancel-card", "baseline")]["last_reasons"]
    )
    assert summary["agents"]["returndesk"]["en"]["pass^1"] == 1.0
    assert summary["agents"]["baseline"]["all"]["pass^1"] == 0.5
    assert (out / "passk.png").read_bytes().startswith(PNG_SIGNATURE)
    assert len(list((out / "trials").glob("*.json"))) == 8


def test_show_prints_a_trials_turns_tool_calls_and_verdict(tmp_path: Path) -> None:
    out = tmp_path / "run"
    runner = CliRunner()
    assert (
        runner.invoke(
            app, ["eval", str(SUITE / "en-return-cancel-card.yaml"), "--baseline", "--out", str(out)]
        ).exit_code
        == 0
    )

    shown = runner.invoke(
        app, ["eval", "--show", str(out / "trials" / "en-return-cancel-card.baseline.01.json")], terminal_width=200
    )

    assert shown.exit_code == 0, shown.output
    text = flat(shown.output)
    assert "customer: return the headphones from #W1000001 please" in text
    assert "tool create_return(" in text
    assert "failed" in text and "returnrequest: only in actual" in text


def test_show_refuses_a_file_that_is_not_a_trial(tmp_path: Path) -> None:
    other = tmp_path / "results.json"
    other.write_text("{}", encoding="utf-8")

    shown = CliRunner().invoke(app, ["eval", "--show", str(other)], terminal_width=200)

    assert shown.exit_code == 2 and "not a trial file" in flat(shown.output)


def test_a_broken_task_file_stops_the_run_with_the_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nlanguage: en\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["eval", str(broken), "--out", str(tmp_path / "run")], terminal_width=200)

    assert result.exit_code == 2 and "broken.yaml" in flat(result.output) and "customer" in flat(result.output)
    assert not (tmp_path / "run").exists()
