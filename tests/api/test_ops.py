"""/healthz, /readyz and /metrics: what an operator sees."""

from __future__ import annotations

import socket

from fastapi.testclient import TestClient

from tests.api.conftest import RETURN_HEADPHONES
from tests.conftest import sign_in


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_healthz_says_who_answers(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "mode": "guided"}


def test_readyz_reports_each_dependency(client_with) -> None:
    client = client_with(carrier_url=closed_port_url(), carrier_timeout_s=1)
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["ready"] is True and body["mode"] == "guided"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["carrier"]["ok"] is False and "unreachable" in body["checks"]["carrier"]["detail"]
    assert "guided" in body["checks"]["model"]["detail"]


def test_readyz_reports_an_unreachable_model_endpoint(client_with) -> None:
    client = client_with(llm_base_url=closed_port_url() + "/v1", carrier_url=closed_port_url())
    body = client.get("/readyz").json()
    assert body["mode"] == "model" and body["checks"]["model"]["ok"] is False
    assert "guided mode answers" in body["checks"]["model"]["detail"]


def test_readyz_is_503_when_the_database_is_gone(client: TestClient, service) -> None:
    from sqlalchemy import create_engine

    service.deps.engine = create_engine("sqlite:////nonexistent-dir/x.db")
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["database"]["ok"] is False


def metric(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


def test_metrics_count_turns_tool_calls_and_latency(client: TestClient) -> None:
    session_id = sign_in(client)
    client.post(f"/v1/sessions/{session_id}/messages", json={"text": RETURN_HEADPHONES})
    client.post(f"/v1/sessions/{session_id}/confirm", json={})
    client.post(f"/v1/sessions/{session_id}/messages", json={"text": "return the sunglasses from #W1000003"})
    response = client.get("/metrics")
    text = response.text
    assert response.headers["content-type"].startswith("text/plain")
    assert metric(text, 'returndesk_turns_total{mode="guided"}') == 3
    assert metric(text, "returndesk_turn_latency_seconds_count") == 3
    assert metric(text, 'returndesk_tool_calls_total{outcome="ok",tool="create_return"}') == 1
    assert metric(text, 'returndesk_tool_calls_total{outcome="ok",tool="check_return_eligibility"}') == 2
    assert metric(text, "returndesk_guided_fallbacks_total") == 0


def test_readyz_reports_a_running_carrier_as_healthy(client_with, engine) -> None:
    from tests.logistics.server import running_carrier

    with running_carrier(str(engine.url)) as carrier_url:
        body = client_with(carrier_url=carrier_url).get("/readyz").json()
    assert body["checks"]["carrier"] == {"ok": True, "detail": "carrier answers"}
