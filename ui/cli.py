"""`returndesk`: the command line (Typer)."""

from __future__ import annotations

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from core.settings import get_settings
from service import admin
from ui import cli_data, cli_staff
from ui.cli_carrier import carrier, ensure_carrier_token, start_carrier_in_background
from ui.cli_eval import evaluate
from ui.cli_qa import replay

app = typer.Typer(help="ReturnDesk: a customer-service agent for e-commerce returns.", no_args_is_help=True)
app.command()(carrier)
console = Console()
cli_data.register(app)  # seed, db shell, db stats
cli_staff.register(app)  # staff add, staff list
app.command()(replay)
app.command("eval")(evaluate)


@app.command()
def serve(
    host: str = typer.Option(None, help="Bind address (default: RETURNDESK_HOST)."),
    port: int = typer.Option(None, help="Port (default: RETURNDESK_PORT)."),
) -> None:
    """Start the web server: the customer's web app at /, the API at /v1 (docs at /docs),
    the OpenAI-compatible chat at /v1/chat/completions, /healthz, /readyz and /metrics.
    Without RETURNDESK_LLM_BASE_URL it answers in guided mode."""
    from ui.server import create_app

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    application = create_app(settings)
    console.print(f"ReturnDesk ({application.state.conversations.mode} mode) at http://{host}:{port}/")
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def demo(host: str = typer.Option(None, help="Bind address."), port: int = typer.Option(None, help="Port.")) -> None:
    """Seed the demo data if the database is empty, start the carrier service and the server, print the URLs."""
    cli_data.seed_demo_data()
    ensure_carrier_token(get_settings())  # the web app below reads the same settings object
    start_carrier_in_background(get_settings())
    table = Table(title="Demo accounts (sign in with email + order number)")
    table.add_column("email")
    table.add_column("order")
    for email, order_id in admin.demo_accounts():
        table.add_row(email, order_id)
    console.print(table)
    serve(host=host, port=port)


@app.command("tools")
def list_tools() -> None:
    """List the agent's tools: name, whether it needs confirmation, whether it has its confirmation
    card (preview) and guided-mode handler, its trace label, arguments, description."""
    table = Table(
        title="ReturnDesk tools",
        caption="* required argument; card: the confirmation card a "
        "sensitive tool needs; guided: guided mode's handler (agent/guided_handlers.py)",
    )
    for column in ("name", "sensitive", "card", "guided", "label", "arguments", "description"):
        table.add_column(column, no_wrap=column == "name")
    for row in admin.tool_catalogue():
        table.add_row(
            row.name,
            "yes" if row.sensitive else "no",
            "yes" if row.has_card else "-",
            "yes" if row.has_guided else "MISSING",
            row.label,
            ", ".join(row.arguments),
            row.summary,
        )
    console.print(table)


from ui.cli_vllm import vllm  # noqa: E402 - `returndesk vllm` lives in its own module

app.command("vllm", context_settings={"allow_extra_args": True})(vllm)
from ui.cli_llama import llama  # noqa: E402 - `returndesk llama`: CPU serving with llama.cpp

app.command("llama", context_settings={"allow_extra_args": True})(llama)

# Commands that live in their own modules: one line each, so parallel additions merge cleanly.
from ui import cli_chat  # noqa: E402

app.command("chat")(cli_chat.chat)
app.command("export-feedback")(cli_chat.export_feedback)


def main() -> None:
    """The `returndesk` command: `app`, with a database too old to use reported in one line, not a traceback."""
    try:
        app()
    except admin.SchemaOutdated as error:
        console.print(f"[red]{error}[/red]")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
