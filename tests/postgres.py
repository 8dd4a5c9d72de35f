"""A throwaway PostgreSQL database per test session, on the server every dev and CI machine runs.

Each session creates its own database (so parallel runs and developers never share tables) and
drops it at the end. Where no server answers, tests skip with one line, unless REQUIRE_POSTGRES=1
(as `.ci/run` sets), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

ADMIN_URL = os.environ.get("RETURNDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=3)


@contextmanager
def temporary_database() -> Iterator[str]:
    """Yields a SQLAlchemy URL (postgresql+psycopg://...) of a fresh, empty database."""
    try:
        admin = _connect(ADMIN_URL)
    except Exception as error:  # psycopg.OperationalError and DNS/socket errors alike
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required (REQUIRE_POSTGRES=1) but unreachable at {ADMIN_URL}: {error}")
        pytest.skip(f"no PostgreSQL at {ADMIN_URL}: {str(error).splitlines()[0]}")
    name = f"rd_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base = ADMIN_URL.rsplit("/", 1)[0]
        try:
            yield f"{base.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
