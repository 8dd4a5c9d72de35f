"""`returndesk staff add` and `returndesk staff list`: the people who answer handed-off conversations."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from core.settings import get_settings
from service import admin
from service.staff import BadStaffAccount, add_staff_member, staff_members

console = Console()
staff_app = typer.Typer(help="Staff accounts for the staff console (/staff).", no_args_is_help=True)


@staff_app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="Their sign-in email.")],
    name: Annotated[str, typer.Option("--name", help="Display name: what customers see next to their replies.")],
    role: Annotated[str, typer.Option("--role", help="agent, or lead (runs the desk).")] = "agent",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a staff member (the password is asked for, or read with --password-stdin; argon2id-hashed)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        member = add_staff_member(admin.open_database(get_settings()), email, name, role, password)
    except BadStaffAccount as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    console.print(
        f"Added {member.display_name} <{member.email}> as {member.role} (staff id {member.id}). "
        "They sign in at /staff/login."
    )


@staff_app.command("list")
def list_staff() -> None:
    """List the staff accounts."""
    table = Table(title="Staff")
    for column in ("id", "email", "name", "role", "added", "signs in"):
        table.add_column(column)
    for m in staff_members(admin.open_database(get_settings())):
        table.add_row(
            str(m.id),
            m.email,
            m.display_name,
            m.role,
            m.created_at.strftime("%Y-%m-%d"),
            "no (disabled)" if m.disabled_at else "yes",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(staff_app, name="staff")


@staff_app.command("export-training")
def export_training(output: Annotated[Path, typer.Option("--output", "-o", help="The JSONL file to write.")]) -> None:
    """Thumbs-up answers as OpenAI chat-with-tools fine-tuning examples (JSONL, PII redacted)."""
    from service.conversation import ConversationService
    from service.exports import training_jsonl

    lines = list(training_jsonl(ConversationService(get_settings())))
    output.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    console.print(f"Wrote {len(lines)} examples to {output}")


@staff_app.command("gap-report")
def gap_report() -> None:
    """What customers asked that the help centre did not answer, most often first."""
    from service.conversation import ConversationService
    from service.exports import help_centre_gaps

    table = Table(title="Help-centre gaps")
    for column in ("times", "language", "customers asked", "why"):
        table.add_column(column)
    for gap in help_centre_gaps(ConversationService(get_settings())):
        table.add_row(
            str(gap["count"]), gap["language"], gap["query"], ", ".join(f"{k} ({v})" for k, v in gap["why"].items())
        )
    console.print(table)
