"""`make bench` / `python -m bench`: every figure next to a baseline measured in the same run.

Prints Rich tables and writes bench/results/bench-<UTC time>.json. Loopback only, bounded.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import agent_overhead, api_throughput, cold_start, first_run, lookup, streaming, tokens, ui_queue

RESULTS = Path(__file__).parent / "results"
console = Console(width=220)  # wide: the tables have many columns


def table(title: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    out = Table(title=title)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    for column in columns:
        out.add_column(column, justify="right")
    for row in rows:
        out.add_row(*(str(row.get(c, "")) for c in columns))
    console.print(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=20_000, help="orders for the lookup benchmark (e.g. 1000000)")
    parser.add_argument("--turns", type=int, default=200, help="turns per agent in the overhead benchmark")
    parser.add_argument("--load-sessions", type=int, default=64, help="concurrent sessions in the load run")
    parser.add_argument(
        "--only",
        nargs="*",
        choices=["agent", "api", "lookup", "stream", "cold", "first", "ui", "tokens"],
        help="run only these",
    )
    args = parser.parse_args()
    chosen = set(args.only or ["agent", "api", "lookup", "stream", "cold", "ui"])
    report: dict[str, Any] = {
        "at": datetime.now(UTC).isoformat(),
        "machine": platform.platform(),
        "python": platform.python_version(),
        "args": vars(args),
    }
    with tempfile.TemporaryDirectory(prefix="returndesk-bench-") as tmp:
        work = Path(tmp)
        if "agent" in chosen:
            report["agent_overhead"] = agent_overhead.run(work / "agent", args.turns)
            table(
                "Agent overhead per turn (scripted fake model) vs prebuilt create_react_agent",
                [report["agent_overhead"]],
            )
        if "api" in chosen:
            report["api"] = api_throughput.run(work / "api", args.load_sessions)
            table("API (guided mode, uvicorn subprocess) vs bare FastAPI endpoint", report["api"]["levels"])
            table("Load: concurrent return-and-confirm sessions", [report["api"]["load"]])
        if "lookup" in chosen:
            report["lookup"] = lookup.run(str(work / "lookup.db"), args.orders)
            table("Order lookup + eligibility vs raw indexed query", report["lookup"])
        if "stream" in chosen:
            report["streaming"] = streaming.run(work / "stream")
            table(
                "Streaming: model server's first token -> client's first token (fake vLLM at a fixed token rate)",
                report["streaming"],
            )
        if "ui" in chosen:
            report["ui_queue"] = ui_queue.run(work / "ui")
            table("Web app (Gradio queue) vs /v1: 64 concurrent customers, the same turns", report["ui_queue"])
        if "tokens" in chosen:
            report["tokens"] = tokens.run(work / "tokens")
            table(
                "Model calls and prompt tokens per task (eval suite's scripted tasks; "
                f"{report['tokens']['tokenizer']})",
                report["tokens"]["agents"],
            )
            table("Targets, against the prebuilt agent in the same run", report["tokens"]["targets"])
            table("Per task", report["tokens"]["tasks"])
        if "cold" in chosen:
            report["cold_start"] = cold_start.run(work / "cold")
            table("Cold start to first answer vs bare FastAPI", [report["cold_start"]])
        if "first" in chosen:
            report["first_run"] = first_run.run(work / "first")
            table("Fresh clone to first page (make demo), and a restart, vs a bare FastAPI app", [report["first_run"]])
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2))
    console.print(f"Results: {path}")


if __name__ == "__main__":
    main()
