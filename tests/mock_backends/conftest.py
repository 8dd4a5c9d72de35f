"""Fixtures for the order database: a demo-seeded engine on each supported database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo


@pytest.fixture
def demo_engine(database_url: str) -> Iterator[Engine]:
    """The demo data on SQLite and on PostgreSQL (each test gets a fresh database)."""
    engine = make_engine(database_url)
    create_tables(engine)
    seed_demo(engine)
    yield engine
    engine.dispose()
