"""API throughput and p50/p99 at 1, 16 and 64 concurrent sessions vs a bare FastAPI endpoint.

Both run as uvicorn subprocesses on 127.0.0.1, driven by httpx's async client. ReturnDesk runs in
guided mode (deterministic, zero model latency); each session signs in once, then sends
order-status turns (lookup_order + DB + checkpoint). The bare app answers the same number of POSTs.
A 64-session return-and-confirm run (bench/load.py) checks 0 errors at that load.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, select

from bench.bulk_seed import bulk_email, bulk_order_id, seed_bulk
from bench.load import SessionPlan, drive
from bench.servers import ServerProcess
from bench.stats import ms, pct, ratio
from mock_backends.orders.db import make_engine
from mock_backends.orders.models import OrderItem

LEVELS = (1, 16, 64)
TURNS_PER_SESSION = {1: 30, 16: 4, 64: 2}


async def _returndesk_level(url: str, sessions: int, turns: int) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=httpx.Limits(max_connections=sessions)) as client:
        ids = []
        for c in range(sessions):
            r = await client.post("/v1/sessions", json={"email": bulk_email(c), "order_id": bulk_order_id(c)})
            ids.append(r.json()["session_id"])

        async def session(c: int) -> None:
            nonlocal errors
            for _ in range(turns):
                started = time.perf_counter()
                r = await client.post(
                    f"/v1/sessions/{ids[c]}/messages", json={"text": f"where is my order {bulk_order_id(c)}?"}
                )
                latencies.append(time.perf_counter() - started)
                errors += r.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(session(c) for c in range(sessions)))
        return latencies, time.perf_counter() - started, errors


async def _bare_level(url: str, sessions: int, turns: int) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_connections=sessions)) as client:

        async def session(c: int) -> None:
            nonlocal errors
            for _ in range(turns):
                started = time.perf_counter()
                r = await client.post("/v1/echo", json={"text": f"where is my order {bulk_order_id(c)}?"})
                latencies.append(time.perf_counter() - started)
                errors += r.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(session(c) for c in range(sessions)))
        return latencies, time.perf_counter() - started, errors


def run(workdir: Path, load_sessions: int = 64) -> dict[str, Any]:
    data = workdir / "api-data"
    engine = make_engine(f"sqlite:///{(data / 'returndesk.db').as_posix()}")
    seed_bulk(engine, customers=max(LEVELS) + load_sessions)
    rows: list[dict[str, Any]] = []
    bare_command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.bare_app:app",
        "--log-level",
        "warning",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
    ]
    with (
        ServerProcess({"RETURNDESK_DATA_DIR": str(data)}, workdir / "returndesk.log") as ours,
        ServerProcess({}, workdir / "bare.log", bare_command) as bare,
    ):
        ours.wait_ready()
        bare.wait_ready()
        for level in LEVELS:
            turns = TURNS_PER_SESSION[level]
            lat, wall, errors = asyncio.run(_returndesk_level(ours.url, level, turns))
            b_lat, b_wall, b_errors = asyncio.run(_bare_level(bare.url, level, turns))
            rows.append(
                {
                    "sessions": level,
                    "requests": len(lat),
                    "errors": errors + b_errors,
                    "returndesk_rps": round(len(lat) / wall, 1),
                    "bare_rps": round(len(b_lat) / b_wall, 1),
                    "returndesk_p50_ms": ms(pct(lat, 50)),
                    "returndesk_p99_ms": ms(pct(lat, 99)),
                    "bare_p50_ms": ms(pct(b_lat, 50)),
                    "bare_p99_ms": ms(pct(b_lat, 99)),
                    "ratio_p50": ratio(pct(lat, 50), pct(b_lat, 50)),
                    "throughput_ratio": ratio(len(b_lat) / b_wall, len(lat) / wall),
                }
            )
        load = _load_run(ours.url, load_sessions, first_customer=max(LEVELS))
    with Session(engine) as db:
        over = [i.id for i in db.exec(select(OrderItem)).all() if i.quantity_returned > i.quantity]
    engine.dispose()
    return {"levels": rows, "load": load | {"items_over_returned": len(over)}}


def _load_run(url: str, sessions: int, first_customer: int) -> dict[str, Any]:
    plans = [
        SessionPlan(bulk_email(c), bulk_order_id(c), f"return the headphones from order {bulk_order_id(c)}")
        for c in range(first_customer, first_customer + sessions)
    ]

    async def go():
        async with httpx.AsyncClient(
            base_url=url, timeout=120, limits=httpx.Limits(max_connections=sessions)
        ) as client:
            return await drive(client, plans, concurrency=sessions, deadline_s=300)

    report = asyncio.run(go())
    return {
        "sessions": sessions,
        "requests": report.requests,
        "errors": len(report.errors),
        "returns_confirmed": sum(o.rma_reply for o in report.outcomes),
        "p50_ms": ms(pct(report.latencies_s, 50)),
        "p99_ms": ms(pct(report.latencies_s, 99)),
        "wall_s": round(report.wall_s, 2),
    }
