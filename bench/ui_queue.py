"""The web app's turns vs the same turns through /v1: 64 concurrent customers, p50/p99 ratio (target <= 1.5x),
and the time all the turns took (the throughput ratio, which the shape of the latency spread does not move).

One `returndesk serve` subprocess (guided mode, no rate limit) on 127.0.0.1. Each customer signs in,
then sends the same order-status turns (lookup_order + DB + checkpoint, no carrier call), all customers
at once: through the page's own Gradio queue (`bench.page_client`, raw HTTP as the browser sends it)
and, as the baseline in the same run, through `POST /v1/sessions/{id}/messages`. A reference row runs
the page with RETURNDESK_UI_CONCURRENCY=1 (Gradio's own default: one customer at a time).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.bulk_seed import bulk_email, bulk_order_id, seed_bulk
from bench.page_client import PageTab, open_page
from bench.servers import ServerProcess
from bench.stats import ms, pct, ratio
from mock_backends.orders.db import make_engine

CUSTOMERS = 64
TURNS = 3
DEADLINE_S = 600  # bounded: a stuck run fails instead of hanging


@dataclass
class Run:
    latencies: list[float]  # seconds, one per turn
    errors: int
    seconds: float  # for all the turns
    server_cpu_s: float | None  # the server process's CPU time over the turns (None: no /proc here)


def turn_text(customer: int) -> str:
    return f"what is the status of order {bulk_order_id(customer)}?"


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of process `pid` so far, from /proc (Linux); None elsewhere.

    Our own few lines: psutil would be a new dependency for this one reading."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def customer_client(url: str, connections: int) -> httpx.AsyncClient:
    """One customer's own connections, as each customer's browser has. One client shared by 64
    customers would cost the benchmark's own process (on the same two cores as the server) a scan of
    every pooled connection per request: httpcore's pool is a list, and the page path has twice the
    connections and requests of /v1, so the shared pool taxed the page run about 3x more."""
    return httpx.AsyncClient(base_url=url, timeout=120, limits=httpx.Limits(max_connections=connections))


async def timed(customers: Iterable[Awaitable[None]], pid: int) -> tuple[float, float | None]:
    """Runs every customer's turns at once; (seconds, the server's CPU seconds) over them."""
    cpu_before = process_cpu_s(pid)
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(asyncio.gather(*customers), DEADLINE_S)
    seconds = asyncio.get_running_loop().time() - started
    cpu_after = process_cpu_s(pid)
    return seconds, None if cpu_before is None or cpu_after is None else cpu_after - cpu_before


async def api_turns(url: str, first: int, pid: int) -> Run:
    latencies: list[float] = []
    errors = 0
    async with contextlib.AsyncExitStack() as stack:
        clients = {}
        ids = {}
        for c in range(first, first + CUSTOMERS):
            clients[c] = await stack.enter_async_context(customer_client(url, 1))
            signed = await clients[c].post("/v1/sessions", json={"email": bulk_email(c), "order_id": bulk_order_id(c)})
            ids[c] = signed.json()["session_id"]

        async def customer(c: int) -> None:
            nonlocal errors
            for _ in range(TURNS):
                started = asyncio.get_running_loop().time()
                response = await clients[c].post(f"/v1/sessions/{ids[c]}/messages", json={"text": turn_text(c)})
                latencies.append(asyncio.get_running_loop().time() - started)
                errors += response.status_code != 200

        seconds, cpu = await timed((customer(c) for c in ids), pid)
    return Run(latencies, errors, seconds, cpu)


async def page_turns(url: str, first: int, pid: int) -> Run:
    latencies: list[float] = []
    errors = 0
    async with contextlib.AsyncExitStack() as stack:
        layout = await open_page(await stack.enter_async_context(customer_client(url, 1)))
        tabs = {}
        for c in range(first, first + CUSTOMERS):
            # each tab: the queue's event stream and its POSTs
            tabs[c] = PageTab(await stack.enter_async_context(customer_client(url, 2)), layout)
            await tabs[c].call("sign-in-button", {"email": bulk_email(c), "order-number": bulk_order_id(c)})

        async def customer(c: int) -> None:
            nonlocal errors
            for _ in range(TURNS):
                try:
                    seconds, output = await tabs[c].call("send-button", {"message": turn_text(c)})
                except (RuntimeError, httpx.HTTPError):
                    errors += 1
                    continue
                latencies.append(seconds)
                errors += "delivered" not in str(output.get("chatbot"))

        seconds, cpu = await timed((customer(c) for c in tabs), pid)
    return Run(latencies, errors, seconds, cpu)


def row(name: str, run: Run, baseline: Run | None) -> dict[str, Any]:
    """A run's latencies, errors and throughput; against the baseline, the p50/p99 ratios (the target)
    and the time all the turns took (a FIFO queue and a thread pool spread latencies differently)."""
    latencies, errors, seconds = run.latencies, run.errors, run.seconds
    out: dict[str, Any] = {
        "path": name,
        "customers": CUSTOMERS,
        "turns": len(latencies),
        "errors": errors,
        "p50_ms": ms(pct(latencies, 50)),
        "p99_ms": ms(pct(latencies, 99)),
        "turns_per_s": round(len(latencies) / seconds, 1),
        "server_cpu_ms_per_turn": ms(run.server_cpu_s / len(latencies)) if run.server_cpu_s and latencies else None,
    }
    if baseline is not None:
        out |= {
            "ratio_p50": ratio(pct(latencies, 50), pct(baseline.latencies, 50)),
            "ratio_p99": ratio(pct(latencies, 99), pct(baseline.latencies, 99)),
            "ratio_all_turns_time": ratio(seconds, baseline.seconds),
            "target": "<= 1.5x",
        }
    return out


def run(workdir: Path) -> list[dict[str, Any]]:
    data = workdir / "ui-data"
    engine = make_engine(f"sqlite:///{(data / 'returndesk.db').as_posix()}")
    seed_bulk(engine, customers=5 * CUSTOMERS)  # each run its own customers, warm-ups too
    engine.dispose()
    env = {"RETURNDESK_DATA_DIR": str(data), "RETURNDESK_RATE_LIMIT_PER_MINUTE": "0"}
    with ServerProcess(env, workdir / "returndesk.log") as server:
        server.wait_ready()
        # Each path warmed up before it is measured (imports, caches, first checkpoints, Gradio's first
        # events). Every run signs its customers in afresh: each measured turn is on a new session.
        asyncio.run(api_turns(server.url, 0, server.proc.pid))
        api = asyncio.run(api_turns(server.url, 0, server.proc.pid))
        asyncio.run(page_turns(server.url, 3 * CUSTOMERS, server.proc.pid))
        page = asyncio.run(page_turns(server.url, CUSTOMERS, server.proc.pid))
    with ServerProcess(env | {"RETURNDESK_UI_CONCURRENCY": "1"}, workdir / "returndesk-serial.log") as serial:
        serial.wait_ready()
        asyncio.run(page_turns(serial.url, 4 * CUSTOMERS, serial.proc.pid))
        one = asyncio.run(page_turns(serial.url, 2 * CUSTOMERS, serial.proc.pid))
    return [
        row("/v1 (baseline)", api, None),
        row("web app queue", page, api),
        row("web app queue, RETURNDESK_UI_CONCURRENCY=1 (Gradio's default)", one, api),
    ]
