"""Fixtures for security tests: an API client whose agent is a scripted fake model (or guided mode)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bench.scripted_model import ScriptedChatModel
from core.settings import Settings
from mock_backends.orders.models import AuditEvent, ReturnRequest
from service.conversation import ConversationService
from tools.deps import ToolDeps
from ui.server import create_app


@pytest.fixture
def client_for(settings: Settings, engine: Engine) -> Callable[..., Iterator[TestClient]]:
    """`with client_for(model) as client:` an API whose agent is `model` (a scripted fake)."""

    @contextmanager
    def make(model: ScriptedChatModel) -> Iterator[TestClient]:
        service = ConversationService(settings, deps=ToolDeps(engine=engine, settings=settings, chat_model=model))
        with TestClient(create_app(settings, service), raise_server_exceptions=False) as client:
            yield client

    return make


def returns_in(engine: Engine) -> list[ReturnRequest]:
    with Session(engine) as db:
        return list(db.exec(select(ReturnRequest)).all())


def audit_rows(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as db:
        return list(db.exec(select(AuditEvent)).all())
