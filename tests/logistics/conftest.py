"""A seeded database and a carrier service over it, for the carrier's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from core.settings import Settings
from tests.logistics.server import running_carrier


@pytest.fixture
def carrier_url(settings: Settings, engine: Engine) -> Iterator[str]:
    with running_carrier(settings.resolved_database_url) as url:
        yield url
