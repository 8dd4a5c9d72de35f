"""`returndesk replay`: replay recorded and hand-written conversations offline."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console()


def replay(
    paths: list[Path] = typer.Argument(..., help="Conversation YAML files, recording directories or folders of them."),
    junit: Path | None = typer.Option(None, help="Also write a JUnit XML report here."),
    rerecord: bool = typer.Option(
        False,
        help="Re-run the user turns against the live endpoint "
        "(RETURNDESK_LLM_BASE_URL or the recording's) and rewrite cassettes "
        "and expectations (the carrier service is started for it). "
        "Needs the model server running.",
    ),
    llm_base_url: str | None = typer.Option(None, help="With --rerecord: the endpoint to record against."),
    record_http: bool = typer.Option(
        False,
        "--record-http",
        help="Record the HTTP exchanges (carrier, LLM) of "
        "hand-written conversations into their cassettes, keeping their expectations; "
        "the carrier service is started for the recording.",
    ),
) -> None:
    """Replay conversations on a fresh seeded database with HTTP served from their cassettes.

    Prints a table with the first turn that differs and a readable diff; exits 1 when any diverges.
    """
    from qa.replay import record_http as record_http_of
    from qa.replay import replay_file, report, rerecord_file, write_junit
    from qa.spec import spec_files

    files = spec_files(paths)
    if not files:
        console.print("[red]No conversation files found.[/red]")
        raise typer.Exit(2)
    if record_http:
        for path in files:
            record_http_of(path)
            console.print(f"recorded HTTP of {path}")
    if rerecord:
        for path in files:
            rerecord_file(path, llm_base_url=llm_base_url)
            console.print(f"re-recorded {path}")
    outcomes = [replay_file(path) for path in files]
    report(outcomes, console)
    if junit:
        write_junit(outcomes, junit)
    raise typer.Exit(0 if all(o.passed for o in outcomes) else 1)
