"""What tools need from the outside world, injected through the graph's runtime context (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Engine

from core.settings import Settings, get_settings
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.models import utcnow


@dataclass
class ToolDeps:
    """Passed as `context=` when the graph runs; tools read it from `runtime.context`."""

    engine: Engine
    settings: Settings
    chat_model: Any = None  # the Runnable the agent node calls; built by agent.llm when None
    clock: Callable[[], datetime] = field(default=utcnow)
    sign_in_throttle: Any = None  # tools.sign_in_throttle.SignInThrottle; built from settings when None


def deps_from_settings(settings: Settings) -> ToolDeps:
    engine = make_engine(settings.resolved_database_url, busy_timeout_s=settings.db_busy_timeout_s)
    create_tables(engine)
    return ToolDeps(engine=engine, settings=settings)


@lru_cache(maxsize=1)
def default_deps() -> ToolDeps:
    """Used when the graph runs without a context (e.g. under `langgraph dev`)."""
    return deps_from_settings(get_settings())


def deps_of(runtime: Any) -> ToolDeps:
    context = getattr(runtime, "context", None)
    return context if isinstance(context, ToolDeps) else default_deps()
