"""A fresh world per trial: its own SQLite database, copied from a seeded template, and the carrier
service on loopback.

Like qa/world.py's `fresh_world`, but the database comes from a template built once per run for
each kind of world (demo seed, generated customers, or a copy of the configured database such as the
tau-bench import), and the real carrier service always runs on it: a trial is live, not replayed.
Copying a template (SQLite's backup API) instead of seeding each trial keeps the suite fast; worlds
live on tmpfs (/dev/shm) where there is one, so SQLite's fsyncs cost nothing on a busy machine.
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from core.settings import Settings
from mock_backends.logistics.background import running_carrier
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.generate import generate
from mock_backends.orders.seed import seed_demo
from qa.eval.task_format import WorldSpec
from tools.deps import ToolDeps

COPY_BATCH = 1000
SHM = Path("/dev/shm")


def scratch_root() -> str | None:
    """Where trial worlds are made: tmpfs when the machine has it, else the system's temp folder."""
    return str(SHM) if SHM.is_dir() and _writable(SHM) else None


def _writable(path: Path) -> bool:
    try:
        with tempfile.TemporaryFile(dir=path):
            return True
    except OSError:
        return False


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
    parents before children, ids kept. Our own loop rather than a dump tool: it must work from
    PostgreSQL to SQLite alike and keep the append-only audit table's rows."""
    create_tables(target)
    with source.connect() as read, target.begin() as write:
        for table in SQLModel.metadata.sorted_tables:
            rows = read.execute(select(table)).mappings()
            while batch := rows.fetchmany(COPY_BATCH):
                write.execute(insert(table), [dict(row) for row in batch])


def clone_sqlite(template: Path, target: Path) -> None:
    """A consistent copy of a SQLite database file (the backup API, safe whatever its journal mode)."""
    source, copy = sqlite3.connect(template), sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()


class Templates:
    """The seeded starting databases of one run, built on first use, one per kind of world."""

    def __init__(self, root: Path, *, now: datetime, configured_url: str | None) -> None:
        self.root, self.now, self.configured_url = root, now, configured_url
        self._built: dict[WorldSpec, Path] = {}
        self._lock = threading.Lock()

    def path_for(self, spec: WorldSpec) -> Path:
        with self._lock:
            if spec not in self._built:
                path = self.root / f"template-{len(self._built)}.db"
                engine = make_engine(sqlite_url(path))
                try:
                    self._populate(engine, spec)
                finally:
                    engine.dispose()
                self._built[spec] = path
            return self._built[spec]

    def _populate(self, engine: Engine, spec: WorldSpec) -> None:
        if spec.database == "configured":
            if not self.configured_url:
                raise ValueError("this task runs on a copy of the configured database; set RETURNDESK_DATABASE_URL")
            source = make_engine(self.configured_url)
            try:
                copy_database(source, engine)
            finally:
                source.dispose()
            return
        create_tables(engine)
        seed_demo(engine, now=self.now)
        if spec.generated_customers:
            generate(engine, customers=spec.generated_customers, seed=spec.generated_seed, now=self.now)


@contextmanager
def trial_world(
    workdir: Path, *, template: Path, now: datetime, endpoint: ModelEndpoint = ModelEndpoint()
) -> Iterator[TrialWorld]:
    """The world one trial runs in, frozen at `now` for the tools; removed by the caller with `workdir`."""
    path = workdir / "returndesk.db"
    clone_sqlite(template, path)
    engine = make_engine(sqlite_url(path))
    try:
        with running_carrier(sqlite_url(path)) as carrier_url:
            settings = Settings(
                _env_file=None,
                data_dir=workdir,
                database_url=sqlite_url(path),
                carrier_url=carrier_url,
                llm_base_url=endpoint.base_url,
                llm_model=endpoint.model,
                llm_api_key=endpoint.api_key,
            )
            yield TrialWorld(
                workdir, settings, engine, ToolDeps(engine=engine, settings=settings, clock=lambda: now), now
            )
    finally:
        engine.dispose()


@contextmanager
def cloned_engine(template: Path, path: Path) -> Iterator[Engine]:
    """An engine on a fresh copy of `template` at `path` (the expected end state is computed on one)."""
    clone_sqlite(template, path)
    engine = make_engine(sqlite_url(path))
    try:
        yield engine
    finally:
        engine.dispose()
