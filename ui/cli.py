"""`returndesk`: the command line (Typer)."""

from __future__ import annotations

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from agent.settings import get_settings

from ui.cli_qa import replay

app = typer.Typer(help="ReturnDesk: a customer-service agent for e-commerce returns.", no_args_is_help=True)
console = Console()
app.command()(replay)


@app.command()
def seed() -> None:
    """Create the tables and seed the demo customers and orders (skipped if customers exist)."""
    from mock_backends.orders.db import create_tables, make_engine
    from mock_backends.orders.seed import seed_demo

    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    create_tables(engine)
    wrote = seed_demo(engine)
    console.print(f"{'Seeded' if wrote else 'Already seeded'}: {settings.resolved_database_url}")


@app.command()
def serve(host: str = typer.Option(None, help="Bind address (default: RETURNDESK_HOST)."),
          port: int = typer.Option(None, help="Port (default: RETURNDESK_PORT).")) -> None:
    """Start the web server: Gradio app at /, API at /v1."""
    from ui.server import create_app

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    application = create_app(settings)
    console.print(f"ReturnDesk ({application.state.conversations.mode} mode) at http://{host}:{port}/")
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def demo(host: str = typer.Option(None, help="Bind address."), port: int = typer.Option(None, help="Port.")) -> None:
    """Seed the demo data if the database is empty, then start the server and print its URL."""
    seed()
    from mock_backends.orders.seed import DEMO_CUSTOMERS

    table = Table(title="Demo accounts (sign in with email + order number)")
    table.add_column("email")
    table.add_column("order")
    for customer in DEMO_CUSTOMERS:
        table.add_row(customer.email, customer.orders[0].order_id)
    console.print(table)
    serve(host=host, port=port)


@app.command("tools")
def list_tools() -> None:
    """List the agent's tools: name, whether it needs confirmation, arguments, description."""
    from tools.registry import REGISTRY

    table = Table(title="ReturnDesk tools")
    for column in ("name", "sensitive", "arguments", "description"):
        table.add_column(column)
    for spec in REGISTRY:
        schema = spec.tool.tool_call_schema.model_json_schema()
        args = ", ".join(schema.get("properties", {}))
        table.add_row(spec.name, "yes" if spec.sensitive else "no", args, spec.tool.description.split("\n")[0])
    console.print(table)


if __name__ == "__main__":
    app()
