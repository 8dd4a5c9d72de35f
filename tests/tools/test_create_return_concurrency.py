"""Racing `create_return` calls: one return per item, never more units than were bought.

Each test runs on SQLite and on PostgreSQL (`database_url`), with the two calls sharing one engine
(threads of one server) or each using its own engine (two server processes, two connection pools).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.settings import Settings
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.models import OrderItem, ReturnRequest
from mock_backends.orders.seed import seed_demo
from tests.tools.toolcall import invoke_tool
from tools.deps import ToolDeps

ALICE = "alice_chen_1001"
HEADPHONES_ORDER = "#W1000001"


@pytest.fixture(params=["one engine", "two engines"])
def two_servers(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[tuple[ToolDeps, ToolDeps]]:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    first = make_engine(database_url)
    create_tables(first)
    seed_demo(first)
    second = first if request.param == "one engine" else make_engine(database_url)
    yield ToolDeps(engine=first, settings=settings), ToolDeps(engine=second, settings=settings)
    first.dispose()
    second.dispose()


def headphones_line(engine: Engine) -> OrderItem:
    with Session(engine) as db:
        return db.exec(select(OrderItem).where(OrderItem.order_id == HEADPHONES_ORDER).order_by(OrderItem.id)).first()  # type: ignore[arg-type]


def returns_of(engine: Engine) -> list[ReturnRequest]:
    with Session(engine) as db:
        return list(db.exec(select(ReturnRequest)).all())


def race(calls: list[Callable[[], dict[str, Any]]]) -> list[dict[str, Any]]:
    """Run the calls in threads released together, so they overlap as much as the database allows."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def confirmed_return(deps: ToolDeps, order_item_id: int, *, call_id: str) -> Callable[[], dict[str, Any]]:
    return lambda: invoke_tool(
        "create_return",
        {"order_id": HEADPHONES_ORDER, "items": [{"order_item_id": order_item_id, "quantity": 1}]},
        deps=deps,
        customer_id=ALICE,
        session_id="session-race",
        call_id=call_id,
    )


def test_two_confirmed_returns_of_the_same_item_create_exactly_one(two_servers: tuple[ToolDeps, ToolDeps]) -> None:
    a, b = two_servers
    line = headphones_line(a.engine)
    results = race(
        [
            confirmed_return(a, line.id, call_id="call-a"),  # type: ignore[arg-type]
            confirmed_return(b, line.id, call_id="call-b"),
        ]
    )  # type: ignore[arg-type]

    winners = [r for r in results if r["ok"]]
    losers = [r for r in results if not r["ok"]]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0]["code"] == "not_eligible"
    assert [r.rma for r in returns_of(a.engine)] == [winners[0]["rma"]]
    assert headphones_line(a.engine).quantity_returned == line.quantity == 1


def test_the_same_confirmed_call_replayed_concurrently_returns_one_rma(two_servers: tuple[ToolDeps, ToolDeps]) -> None:
    a, b = two_servers
    line = headphones_line(a.engine)
    results = race(
        [
            confirmed_return(a, line.id, call_id="call-same"),  # type: ignore[arg-type]
            confirmed_return(b, line.id, call_id="call-same"),
        ]
    )  # type: ignore[arg-type]

    assert all(r["ok"] for r in results), results
    assert results[0]["rma"] == results[1]["rma"]
    assert [r.rma for r in returns_of(a.engine)] == [results[0]["rma"]]
    assert headphones_line(a.engine).quantity_returned == 1


def test_a_repeated_call_with_the_same_idempotency_key_returns_the_first_result(
    two_servers: tuple[ToolDeps, ToolDeps],
) -> None:
    a, b = two_servers
    line = headphones_line(a.engine)
    first = confirmed_return(a, line.id, call_id="call-1")()  # type: ignore[arg-type]
    again = confirmed_return(b, line.id, call_id="call-1")()  # type: ignore[arg-type]

    assert first["ok"] and again["ok"]
    assert (again["rma"], again["refund_amount"], again["refund_method"]) == (
        first["rma"],
        first["refund_amount"],
        first["refund_method"],
    )
    assert len(returns_of(a.engine)) == 1
    assert headphones_line(a.engine).quantity_returned == 1
