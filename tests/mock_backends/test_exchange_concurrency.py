"""Two customers exchanging for the last unit at once: exactly one wins, the other gets a clear
typed error, and stock never goes below zero. On SQLite and PostgreSQL, with the two calls on one
engine (threads of one server) or on two (two server processes, two connection pools)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mock_backends.orders.after_sales_models import ExchangeRequest
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.errors import OrderSystemError, OutOfStock
from mock_backends.orders.exchanges import exchange_items
from mock_backends.orders.models import utcnow
from mock_backends.orders.seed import seed_demo
from tests.mock_backends.after_sales import ALICE, CAROL, item_id, stock

LAST_UNIT = "P-TSHIRT-WHITE-L"  # seeded with stock 1


@pytest.fixture(params=["one engine", "two engines"])
def two_servers(request: pytest.FixtureRequest, database_url: str) -> Iterator[tuple[Engine, Engine]]:
    first = make_engine(database_url)
    create_tables(first)
    seed_demo(first)
    second = first if request.param == "one engine" else make_engine(database_url)
    yield first, second
    first.dispose()
    second.dispose()


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; each result is its return value or its exception."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return call()
        except OrderSystemError as error:
            return error

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def exchange_for_last_unit(engine: Engine, customer: str, order_id: str, position: int, key: str) -> Callable[[], Any]:
    order_item_id = item_id(engine, order_id, position)

    def call() -> Any:
        with Session(engine) as db:
            return exchange_items(db, customer, order_id, [(order_item_id, LAST_UNIT, 1)], None, key, utcnow())

    return call


def test_two_customers_exchanging_for_the_last_unit_exactly_one_wins(two_servers: tuple[Engine, Engine]) -> None:
    a, b = two_servers
    results = race(
        [
            exchange_for_last_unit(a, ALICE, "#W1000003", 1, "alice-call"),  # her two white T-shirts, M
            exchange_for_last_unit(b, CAROL, "#W1000033", 0, "carol-call"),
        ]
    )

    winners = [r for r in results if not isinstance(r, OrderSystemError)]
    losers = [r for r in results if isinstance(r, OrderSystemError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], OutOfStock) and losers[0].code == "out_of_stock" and losers[0].hint
    assert stock(a, LAST_UNIT) == 0
    with Session(a) as db:
        assert [e.number for e in db.exec(select(ExchangeRequest)).all()] == [winners[0].number]


def test_the_same_confirmed_exchange_replayed_concurrently_makes_one(two_servers: tuple[Engine, Engine]) -> None:
    a, b = two_servers
    results = race(
        [
            exchange_for_last_unit(a, CAROL, "#W1000033", 0, "same-call"),
            exchange_for_last_unit(b, CAROL, "#W1000033", 0, "same-call"),
        ]
    )

    assert not any(isinstance(r, OrderSystemError) for r in results), results
    assert results[0].number == results[1].number
    assert sorted(r.created for r in results) == [False, True]
    assert stock(a, LAST_UNIT) == 0
