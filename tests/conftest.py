"""Shared fixtures: a fresh seeded SQLite database and service per test, an API client over them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from core.settings import Settings
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo
from service.conversation import ConversationService
from tests.postgres import temporary_database
from tests.redis import redis_prefix


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (skips or fails as tests/postgres.py says)."""
    with temporary_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Runs a test once per supported database. The Postgres one gets its own fresh database."""
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'data' / 'returndesk.db').as_posix()}"
        return
    with temporary_database() as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # No endpoint: guided mode, whatever the developer's environment says.
    for name in ("RETURNDESK_LLM_BASE_URL", "RETURNDESK_DATABASE_URL", "RETURNDESK_CHECKPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    return Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def redis_settings(settings: Settings) -> Iterator[Settings]:
    """The test's settings with the sign-in throttle and session caps in Redis, under a fresh key prefix:
    what several server processes share."""
    with redis_prefix() as (url, prefix):
        yield settings.model_copy(update={"throttle_url": url, "throttle_prefix": prefix})


@pytest.fixture
def engine(settings: Settings) -> Engine:
    engine = make_engine(settings.resolved_database_url)
    create_tables(engine)
    seed_demo(engine)
    return engine


@pytest.fixture
def service(settings: Settings, engine: Engine) -> ConversationService:
    return ConversationService(settings)


@pytest.fixture
def client(settings: Settings, service: ConversationService) -> Iterator[TestClient]:
    from ui.server import create_app

    with TestClient(create_app(settings, service)) as test_client:
        yield test_client


def sign_in(client: TestClient, email: str = "alice@example.com", order_id: str = "#W1000001") -> str:
    response = client.post("/v1/sessions", json={"email": email, "order_id": order_id})
    assert response.status_code == 201, response.text
    return response.json()["session_id"]


def return_headphones(client: TestClient, session_id: str) -> dict[str, Any]:
    """Alice asks to return the headphones of #W1000001 and confirms the card: the confirmed turn's body."""
    card = client.post(
        f"/v1/sessions/{session_id}/messages", json={"text": "I want to return the headphones from order #W1000001"}
    ).json()
    done = client.post(f"/v1/sessions/{session_id}/confirm", json={"action_id": card["pending"]["action_id"]})
    assert done.status_code == 200, done.text
    return done.json()
