"""Several server processes starting at once on one fresh PostgreSQL database all come up.

Each process makes the tables it needs at start (the shop's tables, the checkpoint tables). PostgreSQL's
CREATE ... IF NOT EXISTS is not safe against another session doing the same at the same moment: the
loser fails with a unique violation on pg_type, and that server never became ready (seen in CI). These
tests start the table-making from several threads at once, as several processes would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import inspect

from core.settings import Settings
from graphs.persistence import open_checkpointer
from mock_backends.orders.db import create_tables, make_engine

STARTERS = 6


def all_at_once(start: Callable[[], object]) -> list[BaseException]:
    """Runs `start` on STARTERS threads released together; the errors they raised."""
    barrier = threading.Barrier(STARTERS)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            start()
        except BaseException as error:  # collected, then asserted on
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(STARTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_checkpoint_tables_made_by_several_servers_at_once_on_postgres(fresh_postgres_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=fresh_postgres_url, _env_file=None)  # type: ignore[call-arg]
    savers: list[object] = []

    def start() -> None:
        savers.append(open_checkpointer(settings))

    errors = all_at_once(start)
    try:
        assert errors == [], errors
        assert len(savers) == STARTERS
    finally:
        for saver in savers:
            saver.conn.close()  # type: ignore[attr-defined]  # the psycopg pool


def test_shop_tables_made_by_several_servers_at_once_on_postgres(fresh_postgres_url: str) -> None:
    engines = [make_engine(fresh_postgres_url) for _ in range(STARTERS)]
    started = iter(engines)
    lock = threading.Lock()

    def start() -> None:
        with lock:
            engine = next(started)
        create_tables(engine)

    errors = all_at_once(start)
    try:
        assert errors == [], errors
        assert "returnrequest" in inspect(engines[0]).get_table_names()
    finally:
        for engine in engines:
            engine.dispose()
