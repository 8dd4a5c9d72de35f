"""Every door of the server says what it needs (SECURITY.md, "The doors"), and none is a way around another.

With RETURNDESK_API_KEY set: /v1, the API docs and /metrics need the key; the customer page is public
(customers have no key) but its handlers are no programmatic API, and the staff-only recording is not
reachable through it; /healthz and /readyz stay open for probes. Every response carries the security
headers, and no other origin may call the server unless RETURNDESK_CORS_ORIGINS names it.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import client_with  # noqa: F401  (the fixture: a client with other settings)

KEY = {"X-API-Key": "s3cret"}


@pytest.fixture
def keyed(client_with, tmp_path) -> TestClient:
    return client_with(api_key="s3cret", record_dir=tmp_path / "recorded")


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/metrics"])
def test_with_a_key_set_the_docs_and_metrics_need_it(keyed: TestClient, path: str) -> None:
    refused = keyed.get(path)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    assert keyed.get(path, headers=KEY).status_code == 200


def test_without_a_key_the_docs_are_open(client: TestClient) -> None:
    assert [client.get(p).status_code for p in ("/docs", "/redoc", "/openapi.json", "/metrics")] == [200] * 4


def test_health_probes_stay_open_with_a_key(keyed: TestClient) -> None:
    assert keyed.get("/healthz").status_code == 200
    assert keyed.get("/readyz").status_code in (200, 503)  # open: the answer is about the dependencies


def page_call(client: TestClient, elem_id: str, values: dict[str, object], session_hash: str) -> object:
    from bench.page_client import PageLayout, PageTab

    layout = PageLayout.read(client.get("/config").json())
    tab = PageTab(client, layout, session_hash=session_hash)  # type: ignore[arg-type]  (payload only)
    return client.post("/gradio_api/queue/join", json=tab.payload(layout.handler(elem_id), values))


def test_the_page_is_public_but_its_handlers_are_not_an_api(keyed: TestClient) -> None:
    # The page's own queue takes a customer's sign-in without a key: customers have none.
    joined = page_call(keyed, "sign-in-button", {"email": "alice@example.com", "order-number": "#W1000001"}, "pub1")
    assert joined.status_code == 200 and "event_id" in joined.json()  # type: ignore[attr-defined]
    # But nothing lists its handlers, nor calls them by name, nor uploads, nor reads Gradio's monitoring.
    for method, path in [
        ("GET", "/gradio_api/info"),
        ("GET", "/gradio_api/openapi.json"),
        ("POST", "/gradio_api/call/send"),
        ("POST", "/gradio_api/run/predict"),
        ("POST", "/gradio_api/api/send"),
        ("POST", "/gradio_api/upload"),
        ("GET", "/monitoring/summary"),
        ("GET", "/gradio_api/runs"),
    ]:
        response = keyed.request(method, path, json={"data": []} if method == "POST" else None)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found", (path, response.text)


def test_no_page_handler_is_listed_as_an_api_endpoint(client: TestClient) -> None:
    from starlette.routing import Mount

    [gradio] = [route.app for route in client.app.routes if isinstance(route, Mount) and route.path == ""]
    info = gradio.get_blocks().get_api_info(all_endpoints=True)
    assert info["named_endpoints"] == {} and info["unnamed_endpoints"] == {}


def test_with_a_key_set_the_public_page_never_records(keyed: TestClient, tmp_path) -> None:
    from bench.page_client import PageLayout, PageTab, run_handler

    layout = PageLayout.read(keyed.get("/config").json())
    assert not [c for c in layout.components.values() if c.get("props", {}).get("elem_id") == "record-session"]
    sign_in = layout.handler("sign-in-button")
    payload = PageTab(keyed, layout, session_hash="rec1").payload(  # type: ignore[arg-type]
        sign_in, {"email": "alice@example.com", "order-number": "#W1000001"}
    )
    done = run_handler(keyed, payload)
    assert done["success"] and "Hi Alice Chen" in json.dumps(done["output"]), "signed in through the page"
    assert not (tmp_path / "recorded").exists() or not list((tmp_path / "recorded").iterdir())
    # Staff record through /v1 with the key.
    recorded = keyed.post(
        "/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001", "record": True}, headers=KEY
    )
    assert recorded.status_code == 201 and recorded.json()["recording"] is True
    assert len(list((tmp_path / "recorded").iterdir())) == 1, "only the keyed API session is recorded"


SECURITY_HEADERS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


@pytest.mark.parametrize(
    "path", ["/", "/v1/sessions", "/docs", "/healthz", "/v1/no-such-route", "/docs/assets/swagger-ui.css"]
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.post(path, json={}) if path == "/v1/sessions" else client.get(path)
    assert {name: response.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy and "object-src 'none'" in policy


def test_no_other_origin_is_allowed_by_default(client: TestClient) -> None:
    for origin in ("http://localhost:9999", "http://127.0.0.1:1234", "null", "https://evil.example"):
        simple = client.get("/config", headers={"Origin": origin})
        assert "access-control-allow-origin" not in simple.headers, origin
        assert "access-control-allow-credentials" not in simple.headers, origin
        preflight = client.options(
            "/gradio_api/queue/join", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
        )
        assert "access-control-allow-origin" not in preflight.headers, origin


def test_configured_origins_may_call_the_api_without_credentials(client_with) -> None:
    client = client_with(cors_origins=["https://shop.example"])
    allowed = client.options(
        "/v1/sessions", headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
    assert "access-control-allow-credentials" not in allowed.headers
    other = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
