"""`returndesk eval`: measure the agent on the task suite (the logic lives in qa/eval/)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console()


def evaluate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Task files or folders (default: the shipped suite).")
    ] = None,
    trials: Annotated[
        int, typer.Option("--trials", "-k", min=1, help="Trials per task (pass^k for k up to this).")
    ] = 1,
    baseline: Annotated[
        bool, typer.Option(help="Also run a plain tool-calling agent (same tools, prompt, model).")
    ] = False,
    model_url: Annotated[
        str | None,
        typer.Option(help="Agent's OpenAI-compatible endpoint (default: RETURNDESK_LLM_BASE_URL; unset: guided mode)."),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Agent's model name (default: RETURNDESK_LLM_MODEL or /v1/models).")
    ] = None,
    user_model_url: Annotated[str | None, typer.Option(help="Simulated customer's OpenAI-compatible endpoint.")] = None,
    user_model: Annotated[
        str | None, typer.Option(help="Simulated customer's model name (default: /v1/models).")
    ] = None,
    tau_bench: Annotated[
        Path | None,
        typer.Option(
            help="Run tau-bench-shaped tasks from this JSON file instead "
            "(on a copy of the configured database, "
            "tau-bench imported)."
        ),
    ] = None,
    jobs: Annotated[int, typer.Option(min=1, help="Trials run at once (each has its own world).")] = 1,
    out: Annotated[
        Path | None, typer.Option(help="Where results.json, passk.png and trials/ go (default: eval-results/<time>).")
    ] = None,
    only: Annotated[list[str] | None, typer.Option(help="Run only tasks whose id contains this (repeatable).")] = None,
    language: Annotated[Literal["en", "zh"] | None, typer.Option(help="Run only tasks in this language.")] = None,
    max_turns: Annotated[int, typer.Option(min=1, help="Messages a simulated customer may send.")] = 20,
    show: Annotated[Path | None, typer.Option(help="Print one trial file (trials/*.json) and exit.")] = None,
) -> None:
    """Run evaluation tasks k times each on fresh worlds; report pass^1 and pass^k per task, per
    language and overall (table, results.json, passk.png), judged on the database's end state."""
    if show is not None:
        from qa.eval.show import TrialFileError, show_trial

        try:
            show_trial(show, console)
        except TrialFileError as error:
            console.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        return
    from core.settings import get_settings
    from qa.eval.report import not_scored, print_table
    from qa.eval.suite import run_evaluation, select
    from qa.eval.task_format import SUITE, TaskFileError, load_tasks
    from qa.eval.tau import TauTaskError, load_tau_cases
    from qa.eval.trial import EvalCase, TrialOptions
    from qa.eval.world import ModelEndpoint

    settings = get_settings()
    endpoint = ModelEndpoint(
        model_url or settings.llm_base_url, model or (None if model_url else settings.llm_model), settings.llm_api_key
    )
    user = ModelEndpoint(user_model_url, user_model) if user_model_url else None
    try:
        if tau_bench is not None:
            cases = load_tau_cases(tau_bench, settings.resolved_database_url)
        else:
            cases = [EvalCase(task) for task in load_tasks(paths or [SUITE])]
    except (TaskFileError, TauTaskError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    cases = select(cases, only=only, language=language)
    if not cases:
        console.print("[red]No tasks to run.[/red]")
        raise typer.Exit(2)
    if tau_bench is not None and user is None:
        console.print(
            "[red]tau-bench tasks need a simulated customer: pass --user-model-url "
            "(an OpenAI-compatible endpoint, e.g. the same vLLM).[/red]"
        )
        raise typer.Exit(2)
    out = out or Path("eval-results") / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    options = TrialOptions(
        endpoint=endpoint,
        user_endpoint=user,
        configured_url=settings.resolved_database_url,
        max_turns=max_turns,
        out_dir=out,
    )
    agents = ["returndesk", "baseline"] if baseline else ["returndesk"]
    meta = {
        "model": endpoint.model or endpoint.base_url,
        "model_url": endpoint.base_url,
        "user_model_url": user_model_url,
        "agents": agents,
        "tasks": len(cases),
        "started_at": datetime.now(UTC).isoformat(),
    }
    console.print(
        f"{len(cases)} tasks x {len(agents)} agent(s) x {trials} trial(s), agent model: "
        f"{endpoint.base_url or 'guided mode'}"
    )
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        bar = progress.add_task("trials", total=len(cases) * len(agents) * trials)

        def advance(record) -> None:
            progress.update(bar, advance=1, description=f"{record.task_id} ({record.agent}): {record.status}")

        run = run_evaluation(
            cases, agents=agents, trials=trials, options=options, jobs=jobs, on_trial=advance, meta=meta
        )
    print_table(run.summary, console)
    for task_id, status, why in not_scored(run.records):
        console.print(f"[yellow]{task_id}: {status}[/yellow] ({why})")
    console.print(f"results: {run.json_path}  plot: {run.plot_path or '(nothing scored)'}  trials: {out / 'trials'}")
