"""A fresh, seeded world for one conversation: temp data dir, demo DB, service, optional frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from agent.settings import Settings
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo
from tools.deps import ToolDeps
from ui.conversation import ConversationService


@dataclass
class World:
    settings: Settings
    engine: Engine
    service: ConversationService
    now: datetime


@contextmanager
def fresh_world(workdir: Path, *, now: datetime, llm_base_url: str | None = None, llm_model: str | None = None,
                carrier_url: str | None = None) -> Iterator[World]:
    """Everything a conversation touches, built from scratch and frozen at `now`."""
    overrides: dict[str, object] = {"data_dir": workdir, "llm_base_url": llm_base_url, "llm_model": llm_model}
    if carrier_url:
        overrides["carrier_url"] = carrier_url
    settings = Settings(_env_file=None, **overrides)  # type: ignore[call-arg, arg-type]
    engine = make_engine(settings.resolved_database_url)
    create_tables(engine)
    seed_demo(engine, now=now)
    deps = ToolDeps(engine=engine, settings=settings, clock=lambda: now)
    try:
        yield World(settings, engine, ConversationService(settings, deps=deps), now)
    finally:
        engine.dispose()
