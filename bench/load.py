"""A bounded load driver: N concurrent customer sessions, each asking for a return and confirming it.

httpx's async client on loopback (a library, not our own HTTP code); the driver only scripts the
three-request conversation and records latencies. Used by tests/load (small) and bench (larger).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx


@dataclass
class SessionPlan:
    email: str
    order_id: str
    text: str


@dataclass
class SessionOutcome:
    plan: SessionPlan
    session_id: str | None = None
    statuses: list[int] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    rma_reply: bool = False
    error: str | None = None


@dataclass
class LoadReport:
    outcomes: list[SessionOutcome]
    latencies_s: list[float]
    wall_s: float

    @property
    def errors(self) -> list[str]:
        return [o.error for o in self.outcomes if o.error] + [
            f"HTTP {s}" for o in self.outcomes for s in o.statuses if s >= 500
        ]

    @property
    def requests(self) -> int:
        return len(self.latencies_s)


async def _timed(client: httpx.AsyncClient, latencies: list[float], method: str, url: str, **kwargs) -> httpx.Response:
    started = time.perf_counter()
    response = await client.request(method, url, **kwargs)
    latencies.append(time.perf_counter() - started)
    return response


async def _one_session(client: httpx.AsyncClient, plan: SessionPlan, latencies: list[float]) -> SessionOutcome:
    outcome = SessionOutcome(plan)
    try:
        signed = await _timed(
            client, latencies, "POST", "/v1/sessions", json={"email": plan.email, "order_id": plan.order_id}
        )
        outcome.statuses.append(signed.status_code)
        outcome.session_id = signed.json()["session_id"]
        turn = await _timed(
            client, latencies, "POST", f"/v1/sessions/{outcome.session_id}/messages", json={"text": plan.text}
        )
        outcome.statuses.append(turn.status_code)
        outcome.replies.append(turn.json()["reply"])
        pending = turn.json().get("pending")
        if pending:
            done = await _timed(
                client,
                latencies,
                "POST",
                f"/v1/sessions/{outcome.session_id}/confirm",
                json={"action_id": pending["action_id"]},
            )
            outcome.statuses.append(done.status_code)
            outcome.replies.append(done.json()["reply"])
            outcome.rma_reply = "RMA-" in done.json()["reply"]
    except (httpx.HTTPError, KeyError, ValueError) as error:
        outcome.error = f"{type(error).__name__}: {error}"
    return outcome


async def drive(
    client: httpx.AsyncClient, plans: list[SessionPlan], *, concurrency: int, deadline_s: float = 120.0
) -> LoadReport:
    """Run every plan, at most `concurrency` at once; stops by itself after `deadline_s`."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def gated(plan: SessionPlan) -> SessionOutcome:
        async with gate:
            return await _one_session(client, plan, latencies)

    started = time.perf_counter()
    outcomes = await asyncio.wait_for(asyncio.gather(*(gated(p) for p in plans)), timeout=deadline_s)
    return LoadReport(list(outcomes), latencies, time.perf_counter() - started)
