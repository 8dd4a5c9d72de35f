"""`returndesk carrier`: the mock carrier (logistics) service on its own port; `returndesk demo` starts it too."""

from __future__ import annotations

import secrets
import threading
import time

import typer
import uvicorn
from pydantic import SecretStr
from rich.console import Console

from core.settings import Settings, get_settings
from service.admin import carrier_app

console = Console()


def ensure_carrier_token(settings: Settings) -> bool:
    """Give `settings` a fresh random carrier token if none is configured; True if it made one.

    The demo runs the carrier and the web app in one process with these settings, so both sides
    share it without anyone setting RETURNDESK_CARRIER_TOKEN."""
    if settings.carrier_token is not None:
        return False
    settings.carrier_token = SecretStr(secrets.token_urlsafe(32))
    return True


def carrier(
    host: str = typer.Option(None, help="Bind address (default: RETURNDESK_HOST)."),
    port: int = typer.Option(None, help="Port (default: RETURNDESK_CARRIER_PORT)."),
) -> None:
    """Start the mock carrier service: parcel tracking and return labels (fault injection via settings)."""
    settings = get_settings()
    host, port = host or settings.host, port or settings.carrier_port
    if ensure_carrier_token(settings):  # plain echo: a wrapped line would break the token
        typer.echo(
            f"No RETURNDESK_CARRIER_TOKEN set; this run's token (give it to the web server):\n"
            f"RETURNDESK_CARRIER_TOKEN={settings.carrier_token_value}",
            err=True,
        )
    console.print(f"Carrier service at http://{host}:{port}/ (API docs at /docs)")
    uvicorn.run(carrier_app(settings), host=host, port=port, log_level="warning")


def start_carrier_in_background(settings: Settings, startup_timeout_s: float = 15.0) -> uvicorn.Server | None:
    """Run the carrier in a daemon thread of this process; None (with a warning) if it cannot start."""
    server = uvicorn.Server(
        uvicorn.Config(carrier_app(settings), host=settings.host, port=settings.carrier_port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="carrier-service", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout_s
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        server.should_exit = True
        console.print(
            f"[yellow]The carrier service could not start on port {settings.carrier_port} (in use?). "
            "Tracking and return labels will report the carrier as unavailable.[/yellow]"
        )
        return None
    console.print(f"Carrier service at http://{settings.host}:{settings.carrier_port}/")
    return server
