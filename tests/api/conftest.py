"""API tests: a client over a fresh seeded database, and helpers that read like the customer's steps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from service.conversation import ConversationService
from tests.conftest import sign_in  # noqa: F401  (re-exported for the API tests)

RETURN_HEADPHONES = "I want to return the headphones from order #W1000001"


@pytest.fixture
def client_with(tmp_path: Path, engine, settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """A client whose settings differ from the default ones (API key, limits)."""
    from ui.server import create_app

    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        custom = settings.model_copy(update=overrides)
        client = TestClient(create_app(custom))  # the server's own wiring (recorder included)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def live_server(settings: Settings, service: ConversationService) -> Iterator[str]:
    """The app under uvicorn on a free 127.0.0.1 port, for clients that need real HTTP (openai, SSE)."""
    import socket
    import threading

    import uvicorn

    from ui.server import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, service), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        thread.join(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
