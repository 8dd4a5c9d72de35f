"""A fresh, seeded world for one conversation: temp data dir, demo DB, service, optional frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from core.settings import Settings
from mock_backends.logistics.background import running_carrier
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo
from service.conversation import ConversationService
from tools.deps import ToolDeps


@dataclass
class World:
    settings: Settings
    engine: Engine
    service: ConversationService
    now: datetime


@contextmanager
def fresh_world(
    workdir: Path,
    *,
    now: datetime,
    llm_base_url: str | None = None,
    llm_model: str | None = None,
    with_carrier: bool = False,
) -> Iterator[World]:
    """Everything a conversation touches, built from scratch and frozen at `now`.

    `with_carrier` starts the real carrier service on this world's database (when recording);
    on replay its answers come from the cassette instead.
    """
    database_url = f"sqlite:///{(workdir / 'returndesk.db').as_posix()}"
    engine = make_engine(database_url)
    create_tables(engine)
    seed_demo(engine, now=now)
    with ExitStack() as stack:
        overrides: dict[str, object] = {
            "data_dir": workdir,
            "database_url": database_url,
            "llm_base_url": llm_base_url,
            "llm_model": llm_model,
        }
        if with_carrier:
            overrides["carrier_url"] = stack.enter_context(running_carrier(database_url))
        settings = Settings(_env_file=None, **overrides)  # type: ignore[arg-type]
        deps = ToolDeps(engine=engine, settings=settings, clock=lambda: now)
        try:
            yield World(settings, engine, ConversationService(settings, deps=deps), now)
        finally:
            engine.dispose()
