"""`returndesk chat` and `returndesk export-feedback`: the terminal side of the same ConversationService."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

import typer
from rich.console import Console, Group
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.prompt import Confirm, Prompt
from rich.table import Table
from rich.text import Text

from core.messages import t
from core.settings import get_settings
from qa.session_recording import SessionRecorder
from service.conversation import ConversationError, ConversationService
from service.results import ConfirmationCard, ToolRegistry
from service.streaming import ToolFinished, TurnDone

console = Console()


def card(pending: ConfirmationCard) -> Panel:
    """Any tool's confirmation card: its lines and amounts (money in the card's locale), and what
    confirming does under them."""
    table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
    for line in pending.lines:  # Text, not markup: a product name or a reason may hold "[...]"
        table.add_row(Text(line.label), Text(line.value))
    for amount in pending.amounts:
        table.add_row(Text(amount.label), Text(amount.formatted(pending.language)))
    return Panel(
        Group(table, Text(pending.on_confirm, style="italic")), title=Text(pending.title), border_style="yellow"
    )


def chat(
    email: str = typer.Option(None, help="Sign in with this email (with --order)."),
    order: str = typer.Option(None, help="An order number of that customer, e.g. #W1000001."),
    name: str = typer.Option(None, help="Or sign in with your full name (with --postcode)."),
    postcode: str = typer.Option(None, help="Your postcode (with --name)."),
) -> None:
    """Chat with ReturnDesk in the terminal, the same assistant as the web app.

    Confirmation cards are answered with y/n. Without sign-in options the session starts anonymous
    and you identify in the chat. Type /quit (or press Ctrl-D) to leave.
    """
    conversations = ConversationService(get_settings(), recorder=SessionRecorder)
    try:
        if (email and order) or (name and postcode):
            info = conversations.sign_in(email=email, order_id=order, name=name, postcode=postcode)
        else:
            info = conversations.start_anonymous()
    except ConversationError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    badge = "guided mode (no AI model)" if conversations.mode == "guided" else "AI model"
    console.print(f"[bold]ReturnDesk[/bold] · {badge} · session {info.session_id}")
    while True:
        try:
            text = Prompt.ask("[bold cyan]you[/bold cyan]")
        except (EOFError, KeyboardInterrupt):
            break
        if text.strip() in ("/quit", "/exit"):
            break
        try:
            pending = play(conversations.stream(info.session_id, text), conversations.registry, info.language)
            while pending is not None:
                language = conversations.session(info.session_id).language
                console.print(card(pending))
                approved = Confirm.ask(t("cli.confirm_question", language), default=False)
                pending = play(
                    conversations.stream_resolve(info.session_id, approved=approved, action_id=pending.action_id),
                    conversations.registry,
                    info.language,
                )
        except ConversationError as error:
            console.print(f"[yellow]{error}[/yellow]")


def play(events, registry: ToolRegistry, language: str = "en") -> ConfirmationCard | None:
    """Prints a streamed turn (each tool by its label in `registry`); returns the card waiting for y/n, if any."""
    for event in events:
        if isinstance(event, ToolFinished):
            console.print(f"[dim]🔎 checked {escape(registry.label(event.tool, language))}: {event.outcome}[/dim]")
        elif isinstance(event, TurnDone):
            if event.result.pending is None and event.result.reply:
                console.print(Markdown(event.result.reply))
            return event.result.pending
    return None


def export_feedback(
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file (default: standard output)."),
    rating: str = typer.Option("all", help="Which ratings to export: up, down or all."),
) -> None:
    """Export rated conversations as JSONL for fine-tuning.

    One line per conversation that has feedback: {"session_id", "messages": [{"role", "content"}],
    "feedback": [{"message_index", "rating", "comment"}]}; message_index points into messages.
    """
    from service.feedback import export_jsonl

    if rating not in ("up", "down", "all"):
        raise typer.BadParameter("use up, down or all", param_hint="--rating")
    chosen: Literal["up", "down"] | None = None if rating == "all" else rating  # type: ignore[assignment]
    conversations = ConversationService(get_settings())
    lines = list(export_jsonl(conversations, chosen))
    text = "".join(line + "\n" for line in lines)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        Console(stderr=True).print(f"Wrote {len(lines)} conversations to {output}")
