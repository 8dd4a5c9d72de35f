"""`returndesk eval --show TRIAL_FILE`: one trial's trajectory, readable: turns, tool calls, verdict, state diff."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

RESULT_CHARS = 300  # a tool result is shown cut to this; the file holds all of it


class TrialFileError(Exception):
    """Not a trial file written by `returndesk eval`."""


def load_trial(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TrialFileError(f"{path}: cannot read it as JSON: {error}") from None
    if not isinstance(data, dict) or "result" not in data or "task" not in data:
        raise TrialFileError(
            f"{path}: not a trial file (it has no task and result); trial files are in "
            "<out>/trials/ after `returndesk eval`"
        )
    return data


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= RESULT_CHARS else text[:RESULT_CHARS] + " ..."


def show_trial(path: Path, console: Console) -> None:
    data = load_trial(path)
    result, task = data["result"], data["task"]
    colour = {"passed": "green", "failed": "red", "error": "red"}.get(result["status"], "yellow")
    console.print(
        Panel(
            f"[bold]{task['id']}[/bold] ({task.get('language')}, {task.get('category')}): "
            f"{task.get('goal', '')}\nagent: {data['agent']}, trial {data['trial']}, "
            f"model: {data.get('model', {}).get('base_url') or 'guided mode'}\n"
            f"[{colour}]{result['status']}[/{colour}] in {result['seconds']} s",
            title="trial",
            expand=False,
        )
    )
    for n, turn in enumerate(data.get("turns", []), start=1):
        console.print(Text(f"{n}. customer: {turn['customer']}", style="bold cyan"))
        for tool in turn.get("tools", []):
            console.print(
                Text(f"   tool {tool['name']}({json.dumps(tool['args'], ensure_ascii=False)})", style="magenta")
            )
            console.print(Text(f"     -> {_short(tool['result'])}", style="dim"))
        if turn.get("agent"):
            label = "agent" + (" (guided)" if turn.get("mode") == "guided" else "")
            console.print(Text(f"   {label}: {turn['agent']}"))
        if turn.get("card"):
            console.print(Text(f"   [card] {turn['card']}", style="yellow"))
        for key in ("note", "refused", "error"):
            if turn.get(key):
                console.print(Text(f"   ({key}: {turn[key]})", style="red" if key == "error" else "dim"))
    if data.get("changes") is not None:
        console.print("[bold]database changes (before -> after):[/bold]")
        for line in data["changes"] or ["(none)"]:
            console.print(Text(f"  {line}"))
    for fact in data.get("facts", []):
        mark = "[green]stated[/green]" if fact["found"] else "[red]missing[/red]"
        console.print(f"fact {fact['fact']}: {mark}")
    for fact in data.get("forbidden", []):
        mark = "[red]stated[/red]" if fact["found"] else "[green]not stated[/green]"
        console.print(f"forbidden {fact['fact']}: {mark}")
    if result.get("reasons"):
        console.print(f"[{colour}]why it {result['status']}:[/{colour}]")
        for reason in result["reasons"]:
            console.print(Text(f"  - {reason}"))
    if data.get("traceback"):
        console.print(Text(data["traceback"], style="dim"))
