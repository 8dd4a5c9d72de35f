"""The same conversation on SQLite and PostgreSQL: order DB and checkpoints both."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.settings import Settings
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.models import ReturnRequest
from mock_backends.orders.seed import seed_demo
from service.conversation import ConversationService
from tests.conftest import sign_in
from ui.server import create_app


def test_return_completes_and_resumes_on_each_database(database_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(database_url)
    create_tables(engine)
    seed_demo(engine)
    with TestClient(create_app(settings, ConversationService(settings))) as client:
        session_id = sign_in(client)
        turn = client.post(
            f"/v1/sessions/{session_id}/messages", json={"text": "return the headphones from order #W1000001"}
        ).json()
    # A second service instance (another process, in production) finishes the conversation.
    with TestClient(create_app(settings, ConversationService(settings))) as client:
        done = client.post(
            f"/v1/sessions/{session_id}/confirm", json={"action_id": turn["pending"]["action_id"]}
        ).json()
    with Session(engine) as db:
        [ret] = db.exec(select(ReturnRequest)).all()
    assert ret.rma in done["reply"] and ret.refund_amount_cents == 8999
    engine.dispose()
