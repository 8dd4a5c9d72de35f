"""Fault tests run real server processes on 127.0.0.1 against a seeded database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo
from tests.postgres import temporary_database


def seeded(url: str) -> Engine:
    engine = make_engine(url)
    create_tables(engine)
    seed_demo(engine)
    return engine


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test alone (servers mutate it)."""
    with temporary_database() as url:
        yield url
