"""Operations routes: liveness, readiness and Prometheus metrics (outside /v1: no API key)."""

from __future__ import annotations

from typing import Literal

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from sqlalchemy import text

from service.conversation import ConversationService

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    mode: Literal["model", "guided"]


class Check(BaseModel):
    ok: bool
    detail: str


class Readiness(BaseModel):
    ready: bool
    mode: Literal["model", "guided"]
    checks: dict[str, Check]


@router.get("/healthz", response_model=Health)
def healthz(request: Request) -> Health:
    """The process answers. Says who writes the replies: the model, or guided mode."""
    return Health(mode=request.app.state.conversations.mode)


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(request: Request) -> JSONResponse:
    """Can we serve customers? The database must answer (503 if not). The carrier and the model
    endpoint are reported but do not fail readiness: a carrier outage is explained in the chat,
    and without the model guided mode answers."""
    conversations: ConversationService = request.app.state.conversations
    checks = {"database": database_check(conversations), "carrier": carrier_check(conversations),
              "model": model_check(conversations)}
    body = Readiness(ready=checks["database"].ok, mode=conversations.mode, checks=checks)  # type: ignore[arg-type]
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format."}})
def metrics(request: Request) -> Response:
    """Turns by mode, turn latency, tool calls by name and outcome, guided-mode fallbacks, errors."""
    return Response(request.app.state.conversations.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def database_check(conversations: ConversationService) -> Check:
    try:
        with conversations.deps.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return Check(ok=True, detail="order database answers")
    except Exception as error:  # any driver error means "not ready"; the detail says which
        return Check(ok=False, detail=f"order database unreachable: {type(error).__name__}")


def carrier_check(conversations: ConversationService) -> Check:
    settings = conversations.settings
    try:
        # The carrier's own health route (never fault-injected), not its root, which has no page.
        response = httpx.get(f"{settings.carrier_url.rstrip('/')}/healthz", timeout=settings.carrier_timeout_s)
    except httpx.HTTPError as error:
        return Check(ok=False, detail=f"carrier unreachable at {settings.carrier_url}: {type(error).__name__}")
    if response.status_code == 200:
        return Check(ok=True, detail="carrier answers")
    return Check(ok=False, detail=f"carrier health check answered HTTP {response.status_code}")


def model_check(conversations: ConversationService) -> Check:
    settings = conversations.settings
    if not settings.llm_base_url:
        return Check(ok=True, detail="guided mode (no model endpoint configured)")
    try:
        response = httpx.get(settings.llm_base_url.rstrip("/") + "/models", timeout=min(settings.llm_timeout_s, 5),
                             headers={"Authorization": f"Bearer {settings.llm_api_key}"})
    except httpx.HTTPError as error:
        return Check(ok=False, detail=f"model endpoint unreachable ({type(error).__name__}); guided mode answers")
    if response.status_code != 200:
        return Check(ok=False, detail=f"model endpoint answered HTTP {response.status_code}; guided mode answers")
    try:  # name the served model, so an operator sees which one answers
        served = str(response.json()["data"][0]["id"])
    except (ValueError, LookupError, TypeError):
        return Check(ok=True, detail="model endpoint answers")
    return Check(ok=True, detail=f"model endpoint answers: {served}")
