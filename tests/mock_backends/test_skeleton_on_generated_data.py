"""The walking-skeleton return still completes when the demo customers share the DB with generated ones."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.settings import Settings
from mock_backends.orders import repository
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.generate import FIRST_ORDER_NUMBER, generate
from mock_backends.orders.models import Customer, Order, ReturnRequest, utcnow
from mock_backends.orders.seed import seed_demo
from service.conversation import ConversationService
from tests.conftest import sign_in
from ui.server import create_app


def test_demo_and_generated_customers_complete_returns(database_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(database_url)
    create_tables(engine)
    seed_demo(engine)
    generate(engine, customers=300, seed=1, now=utcnow())
    first_generated = f"#W{FIRST_ORDER_NUMBER + 1}"  # the showcase customer's 'eligible' order
    with Session(engine) as db:
        order = db.get(Order, first_generated)
        assert order is not None
        customer = db.get(Customer, order.customer_id)
        assert customer is not None
        product = repository.get_order_detail(db, customer.id, order.id).lines[0].product_name
    with TestClient(create_app(settings, ConversationService(settings))) as client:
        for email, order_id, text in (
            ("alice@example.com", "#W1000001", "I want to return the headphones from order #W1000001"),
            (customer.email, first_generated, f"I want to return the {product} from order {first_generated}"),
        ):
            session_id = sign_in(client, email, order_id)
            turn = client.post(f"/v1/sessions/{session_id}/messages", json={"text": text}).json()
            assert turn["pending"] is not None, turn["reply"]
            done = client.post(
                f"/v1/sessions/{session_id}/confirm", json={"action_id": turn["pending"]["action_id"]}
            ).json()
            assert "RMA-" in done["reply"], done["reply"]
    with Session(engine) as db:
        created = db.exec(select(ReturnRequest).where(ReturnRequest.session_id.is_not(None))).all()
    assert sorted(r.order_id for r in created) == sorted(["#W1000001", first_generated])
    engine.dispose()
