"""Staff tests: the real app on both databases, a staff account or two, and a customer who asked for a person."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from core.settings import Settings
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo
from service.conversation import ConversationService
from service.staff import add_staff_member
from tests.conftest import sign_in
from ui.server import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def staff_settings(database_url: str, settings: Settings) -> Settings:
    return settings.model_copy(update={"database_url": database_url})


@pytest.fixture
def staff_engine(staff_settings: Settings) -> Iterator[Engine]:
    engine = make_engine(staff_settings.resolved_database_url)
    create_tables(engine)
    seed_demo(engine)
    add_staff_member(engine, "bob@shop.example", "Bob Li", "agent", PASSWORD)
    add_staff_member(engine, "carol@shop.example", "Carol Wu", "lead", PASSWORD)
    yield engine
    engine.dispose()


@pytest.fixture
def app_client(staff_settings: Settings, staff_engine: Engine) -> Iterator[Callable[[], TestClient]]:
    """Makes clients of one app (one cookie jar each: a customer, Bob, Carol)."""
    yield from clients_of(staff_settings)


def clients_of(settings: Settings) -> Iterator[Callable[[], TestClient]]:
    """A maker of clients of one app on `settings`, each with its own cookie jar; all closed at the end."""
    app = create_app(settings, ConversationService(settings))
    clients: list[TestClient] = []

    def make() -> TestClient:
        client = TestClient(app).__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def staff_client(make: Callable[[], TestClient], email: str = "bob@shop.example") -> TestClient:
    client = make()
    answer = client.post("/v1/staff/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return client


def customer_asks_for_a_person(
    client: TestClient,
    email: str = "alice@example.com",
    order_id: str = "#W1000001",
    text: str = "I want to talk to a person",
) -> str:
    session_id = sign_in(client, email, order_id)
    answer = client.post(f"/v1/sessions/{session_id}/messages", json={"text": text})
    assert answer.status_code == 200, answer.text
    assert answer.json()["with_person"] == "waiting"
    return session_id


def only_ticket(staff: TestClient) -> dict[str, Any]:
    queue = staff.get("/v1/staff/tickets").json()
    assert len(queue) == 1, queue
    return queue[0]
