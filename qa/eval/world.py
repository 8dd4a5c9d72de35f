"""A fresh world per trial: its own SQLite database (seeded, or copied), the carrier service on loopback.

Like ui/qa/world.py's `fresh_world`, but the database is filled by a `populate` step (demo seed,
generated customers, or a copy of another database such as the tau-bench import) and the real carrier
service always runs on it: a trial is live, not replayed from a cassette.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from agent.settings import Settings
from mock_backends.logistics.background import running_carrier
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.generate import generate
from mock_backends.orders.seed import seed_demo
from qa.eval.tasks import WorldSpec
from tools.deps import ToolDeps

Populate = Callable[[Engine], None]
COPY_BATCH = 1000


@dataclass(frozen=True)
class ModelEndpoint:
    """An OpenAI-compatible endpoint (vLLM); `base_url` None means guided mode."""

    base_url: str | None = None
    model: str | None = None
    api_key: str = "EMPTY"


@dataclass
class TrialWorld:
    workdir: Path
    settings: Settings
    engine: Engine
    deps: ToolDeps
    now: datetime


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def copy_database(source: Engine, target: Engine) -> None:
    """Every row of every table from `source` into the empty `target` (any database to any other),
    parents before children, ids kept. Our own loop rather than a dump tool: it must work between
    PostgreSQL and SQLite alike and keep the append-only audit table's rows."""
    create_tables(target)
    with source.connect() as read, target.begin() as write:
        for table in SQLModel.metadata.sorted_tables:
            rows = read.execute(select(table)).mappings()
            while batch := rows.fetchmany(COPY_BATCH):
                write.execute(insert(table), [dict(row) for row in batch])


def populate_for(spec: WorldSpec, *, now: datetime, configured_url: str | None) -> Populate:
    """How a trial's database is filled for `spec`."""
    if spec.database == "configured":
        if not configured_url:
            raise ValueError("this task runs on a copy of the configured database; set RETURNDESK_DATABASE_URL")

        def copy(engine: Engine) -> None:
            source = make_engine(configured_url)
            try:
                copy_database(source, engine)
            finally:
                source.dispose()

        return copy

    def seed(engine: Engine) -> None:
        create_tables(engine)
        seed_demo(engine, now=now)
        if spec.generated_customers:
            generate(engine, customers=spec.generated_customers, seed=spec.generated_seed, now=now)

    return seed


@contextmanager
def trial_world(workdir: Path, *, now: datetime, populate: Populate,
                endpoint: ModelEndpoint = ModelEndpoint()) -> Iterator[TrialWorld]:
    """The world one trial runs in, frozen at `now` for the tools; removed by the caller with `workdir`."""
    database_url = sqlite_url(workdir / "returndesk.db")
    engine = make_engine(database_url)
    try:
        create_tables(engine)
        populate(engine)
        with running_carrier(database_url) as carrier_url:
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None, data_dir=workdir, database_url=database_url, carrier_url=carrier_url,
                llm_base_url=endpoint.base_url, llm_model=endpoint.model, llm_api_key=endpoint.api_key)
            yield TrialWorld(workdir, settings, engine, ToolDeps(engine=engine, settings=settings,
                                                                 clock=lambda: now), now)
    finally:
        engine.dispose()


@contextmanager
def copied_engine(source: Engine, path: Path) -> Iterator[Engine]:
    """A SQLite copy of `source` at `path` (the expected end state is computed on one)."""
    engine = make_engine(sqlite_url(path))
    try:
        copy_database(source, engine)
        yield engine
    finally:
        engine.dispose()
