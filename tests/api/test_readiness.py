"""/readyz says what is down in words an operator can act on; a locked database is a quick, clear 503."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from tests.api.test_ops import closed_port_url


@contextmanager
def write_locked(path: str) -> Iterator[None]:
    """Another process's write transaction on the SQLite file (as a `sqlite3` shell's BEGIN IMMEDIATE)."""
    outsider = sqlite3.connect(path, isolation_level=None)
    outsider.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        outsider.execute("ROLLBACK")
        outsider.close()


def test_readyz_names_no_internal_url_and_says_degraded(client_with) -> None:
    carrier = closed_port_url()
    model = closed_port_url()
    client = client_with(carrier_url=carrier, carrier_timeout_s=1, llm_base_url=model + "/v1")
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["ready"] is True and body["status"] == "degraded"
    assert body["checks"]["carrier"]["detail"].startswith("degraded: carrier unreachable")
    assert body["checks"]["model"]["detail"].startswith("degraded: guided")
    assert carrier.split("//")[1] not in response.text and model.split("//")[1] not in response.text
    assert "127.0.0.1" not in response.text


def test_a_locked_database_is_not_ready_and_a_write_gets_503_database_busy(client_with, settings) -> None:
    client: TestClient = client_with(db_busy_timeout_s=0.3, carrier_url=closed_port_url(), carrier_timeout_s=1)
    credentials = {"email": "alice@example.com", "order_id": "#W1000001"}
    with write_locked(settings.resolved_database_url.removeprefix("sqlite:///")):
        ready = client.get("/readyz")
        signed_in = client.post("/v1/sessions", json=credentials)
    assert ready.status_code == 503 and ready.json()["status"] == "not_ready"
    assert "busy" in ready.json()["checks"]["database"]["detail"]
    assert signed_in.status_code == 503, signed_in.text
    assert signed_in.json()["error"]["code"] == "database_busy" and signed_in.headers["retry-after"] == "5"
    # The lock released, everything works again.
    assert client.get("/readyz").json()["checks"]["database"]["ok"] is True
    assert client.post("/v1/sessions", json=credentials).status_code == 201
