"""Many customers returning at once: no errors, no lost turns, and the database stays consistent.

Small and bounded here (in-process ASGI, 16 sessions); `make bench` runs 64 against a real server.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from sqlmodel import Session, func, select

from bench.bulk_seed import bulk_email, bulk_order_id, seed_bulk
from bench.load import SessionPlan, drive
from core.settings import Settings
from mock_backends.orders.db import make_engine
from mock_backends.orders.models import OrderItem, ReturnItem, ReturnRequest
from service.conversation import ConversationService
from ui.server import create_app

CUSTOMERS = 8


def test_concurrent_sessions_complete_returns_consistently(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings.resolved_database_url)
    seed_bulk(engine, customers=CUSTOMERS)
    # Two sessions per customer race for the same single pair of headphones.
    plans = [
        SessionPlan(bulk_email(c), bulk_order_id(c), f"return the headphones from order {bulk_order_id(c)}")
        for c in range(CUSTOMERS)
        for _ in range(2)
    ]
    app = create_app(settings, ConversationService(settings))

    async def run():
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://loopback", timeout=60
        ) as client:
            report = await drive(client, plans, concurrency=len(plans), deadline_s=120)
            histories = [(await client.get(f"/v1/sessions/{o.session_id}/messages")).json() for o in report.outcomes]
            return report, histories

    report, histories = asyncio.run(run())

    assert report.errors == []
    assert all(s in (200, 201) for o in report.outcomes for s in o.statuses)
    for outcome, history in zip(report.outcomes, histories, strict=True):
        assert [h["content"] for h in history if h["role"] == "user"] == [outcome.plan.text], "no lost turns"
        assert history[-1] == {
            "role": "assistant",
            "content": outcome.replies[-1],
            "mode": "guided",
            "author": None,
        }  # no staff member wrote it
    with Session(engine) as db:
        returns = db.exec(select(ReturnRequest)).all()
        assert sorted(r.order_id for r in returns) == sorted(bulk_order_id(c) for c in range(CUSTOMERS))
        for item in db.exec(select(OrderItem)).all():
            returned = db.exec(
                select(func.coalesce(func.sum(ReturnItem.quantity), 0)).where(ReturnItem.order_item_id == item.id)
            ).one()
            assert item.quantity_returned <= item.quantity and returned <= item.quantity
    assert sum(o.rma_reply for o in report.outcomes) == CUSTOMERS, "each race has exactly one winner"
    engine.dispose()
