"""Operations routes: liveness and readiness (open, for probes), Prometheus metrics (the API key, when set).

Readiness names each dependency's state in words an operator can act on, never an internal URL.
"""

from __future__ import annotations

from typing import Literal

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from sqlalchemy import text

from service.admin import is_database_busy
from service.conversation import ConversationService
from ui.api_guards import require_api_key

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    mode: Literal["model", "guided"]


class Check(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    ready: bool
    status: Literal["ready", "degraded", "not_ready"] = "ready"
    mode: Literal["model", "guided"]
    checks: dict[str, Check]


@router.get("/healthz", response_model=Health)
def healthz(request: Request) -> Health:
    """The process answers. Says who writes the replies: the model, or guided mode."""
    return Health(mode=request.app.state.conversations.mode)


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(request: Request) -> JSONResponse:
    """Can we serve customers? `not_ready` (503) when the order database cannot be written (down, locked
    by another process, read-only). `degraded` (200) when the carrier or the model endpoint is down: a
    carrier outage is explained in the chat, and without the model guided mode answers."""
    conversations: ConversationService = request.app.state.conversations
    checks = {
        "database": database_check(conversations),
        "carrier": carrier_check(conversations),
        "model": model_check(conversations),
    }
    ready = checks["database"].ok
    status = "not_ready" if not ready else "ready" if all(c.ok for c in checks.values()) else "degraded"
    body = Readiness(ready=ready, status=status, mode=conversations.mode, checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(require_api_key)],
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format."}},
)
def metrics(request: Request) -> Response:
    """Turns by mode, turn latency, tool calls by name and outcome, guided-mode fallbacks, errors.
    With RETURNDESK_API_KEY set, scrape with the key (Prometheus `authorization: {credentials: <key>}`)."""
    return Response(request.app.state.conversations.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


PROBE_LOCK_WAIT_MS = 250  # readiness answers quickly even while another process holds the write lock


def database_check(conversations: ConversationService) -> Check:
    """The order database answers and takes writes (a write lock is taken and released, nothing written)."""
    engine = conversations.deps.engine
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                raw = connection.connection.driver_connection
                assert raw is not None  # an open connection has its driver's
                timeout_ms = int(conversations.settings.db_busy_timeout_s * 1000)
                raw.execute(f"PRAGMA busy_timeout={PROBE_LOCK_WAIT_MS}")
                try:
                    raw.execute("BEGIN IMMEDIATE")
                    raw.execute("ROLLBACK")
                finally:
                    raw.execute(f"PRAGMA busy_timeout={timeout_ms}")
            else:
                read_only = connection.execute(text("SELECT current_setting('transaction_read_only')")).scalar()
                if read_only == "on" or connection.execute(text("SELECT pg_is_in_recovery()")).scalar():
                    return Check(ok=False, detail="order database is read-only (a standby?)")
        return Check(ok=True, detail="order database answers and takes writes")
    except Exception as error:  # any driver error means "not ready"; the detail says which
        if is_database_busy(error):
            return Check(ok=False, detail="order database busy: another process holds its write lock")
        return Check(ok=False, detail=f"order database unreachable: {type(error).__name__}")


def carrier_check(conversations: ConversationService) -> Check:
    settings = conversations.settings
    try:
        # The carrier's own health route (never fault-injected), not its root, which has no page.
        response = httpx.get(f"{settings.carrier_url.rstrip('/')}/healthz", timeout=settings.carrier_timeout_s)
    except httpx.HTTPError as error:
        return Check(
            ok=False,
            detail=f"degraded: carrier unreachable ({type(error).__name__}); tracking and "
            "labels wait, returns are still created",
        )
    if response.status_code == 200:
        return Check(ok=True, detail="carrier answers")
    return Check(ok=False, detail=f"degraded: carrier health check answered HTTP {response.status_code}")


def model_check(conversations: ConversationService) -> Check:
    settings = conversations.settings
    if not settings.llm_base_url:
        return Check(ok=True, detail="guided mode (no model endpoint configured)")
    try:
        response = httpx.get(
            settings.llm_base_url.rstrip("/") + "/models",
            timeout=min(settings.llm_timeout_s, 5),
            headers={"Authorization": f"Bearer {settings.llm_api_key}"},
        )
    except httpx.HTTPError as error:
        return Check(
            ok=False,
            detail=f"degraded: guided (model endpoint unreachable: {type(error).__name__}); guided mode answers",
        )
    if response.status_code != 200:
        return Check(
            ok=False,
            detail=f"degraded: guided (model endpoint answered HTTP {response.status_code}); guided mode answers",
        )
    try:  # name the served model, so an operator sees which one answers
        served = str(response.json()["data"][0]["id"])
    except (ValueError, LookupError, TypeError):
        return Check(ok=True, detail="model endpoint answers")
    return Check(ok=True, detail=f"model endpoint answers: {served}")
