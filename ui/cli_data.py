"""`returndesk seed` and `returndesk db ...`: filling the order database and looking at it."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import make_url

from core.settings import get_settings
from service import admin

console = Console()
db_app = typer.Typer(help="Look at the order database.", no_args_is_help=True)


def seed_demo_data() -> None:
    """Create the tables and seed the demo customers and orders (skipped if customers exist)."""
    url = get_settings().resolved_database_url
    wrote = admin.seed_demo_data(get_settings())
    console.print(f"{'Seeded' if wrote else 'Already seeded'}: {_safe(url)}")


def seed(
    customers: Annotated[
        int | None, typer.Option(help="Generate this many customers (about 5 orders each).", min=1)
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same data (on the same day).")] = 0,
    orders_per_customer: Annotated[int, typer.Option(help="Mean orders per generated customer.", min=1)] = 5,
    from_tau_bench: Annotated[
        Path | None, typer.Option(help="Import tau-bench retail data from this directory.")
    ] = None,
    reset: Annotated[bool, typer.Option(help="Drop and recreate every table first (deletes all data).")] = False,
    method: Annotated[str, typer.Option(help="Bulk insert: auto (COPY on PostgreSQL), executemany or copy.")] = "auto",
) -> None:
    """Seed the order database: the demo customers, plus generated customers or tau-bench's retail data."""
    if method not in ("auto", "executemany", "copy"):
        raise typer.BadParameter("choose auto, executemany or copy", param_hint="--method")
    if customers and from_tau_bench:
        raise typer.BadParameter("use either --customers or --from-tau-bench, not both")
    if from_tau_bench is not None:
        missing = [n for n in ("users.json", "orders.json", "products.json") if not (from_tau_bench / n).is_file()]
        if missing:
            console.print(
                f"[red]Nothing was written:[/red] {from_tau_bench} lacks {', '.join(missing)}; "
                "point --from-tau-bench at tau-bench's retail data directory."
            )
            raise typer.Exit(1)
    if reset:
        admin.reset_database(get_settings())
    seed_demo_data()
    # Day-aligned, so the same seed gives the same rows all day.
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        if customers:
            _generate(customers, seed, orders_per_customer, method, now)
        elif from_tau_bench is not None:
            _import_tau(from_tau_bench, method, now)
    except admin.SeedRefused as error:  # the known refusals, shown without a traceback
        console.print(f"[red]Nothing was written:[/red] {error}")
        raise typer.Exit(1) from None
    _print_counts()


def _generate(customers: int, seed: int, orders_per_customer: int, method: str, now: datetime) -> None:
    columns = (TextColumn("customers"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("seed", total=customers)
        report = admin.generate_customers(
            get_settings(),
            customers=customers,
            seed=seed,
            now=now,
            orders_per_customer=orders_per_customer,
            method=method,
            on_progress=lambda n: progress.advance(task, n),
        )
    console.print(f"Generated {report.customers:,} customers and {report.orders:,} orders (seed {seed}).")
    table = Table("case", "orders", title="Orders by case")
    for case, count in sorted(report.cases.items()):
        table.add_row(case, f"{count:,}")
    console.print(table)


def _import_tau(directory: Path, method: str, now: datetime) -> None:
    with console.status(f"Importing tau-bench retail data from {directory}"):
        report = admin.import_tau(get_settings(), directory, now=now, method=method)
    console.print(
        f"Imported {report.users} users, {report.orders} orders ({report.statuses}), "
        f"{report.products} products with {report.variants} variants."
    )


def _print_counts() -> None:
    table = Table("table", "rows", title="Order database")
    for name, count in admin.row_counts(get_settings()).items():
        table.add_row(name, f"{count:,}")
    console.print(table)


def shell_command(url: str) -> list[str]:
    """The interactive client for a database URL: sqlite3 FILE, or psql with a libpq URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return ["sqlite3", "-header", "-column", parsed.database or ":memory:"]
    if parsed.get_backend_name() == "postgresql":
        return ["psql", parsed.set(drivername="postgresql").render_as_string(hide_password=False)]
    raise ValueError(f"No shell known for {parsed.get_backend_name()} databases.")


@db_app.command("shell")
def db_shell() -> None:
    """Open sqlite3 or psql on the configured order database (see README, 'Looking at the data')."""
    url = get_settings().resolved_database_url
    try:
        command = shell_command(url)
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    if shutil.which(command[0]) is None:
        console.print(f"[red]{command[0]} is not installed[/red]; install it or query {_safe(url)} another way.")
        raise typer.Exit(1)
    console.print(f"Opening {command[0]} on {_safe(url)}")
    os.execvp(command[0], command)


@db_app.command("stats")
def db_stats() -> None:
    """Row counts of every table in the configured order database."""
    _print_counts()


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def register(app: typer.Typer) -> None:
    """Add `seed` and `db` to the main CLI."""
    app.command("seed")(seed)
    app.add_typer(db_app, name="db")
