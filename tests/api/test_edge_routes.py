"""The API's own answers where no route matches, bodies over the cap on every route, and offline docs."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import sign_in

TEN_MB = 10 * 1024 * 1024


def chunked(total: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """A body without Content-Length (sent chunked), as a streaming client sends it."""
    yield b'{"text": "'
    for _ in range(total // chunk):
        yield b"x" * chunk
    yield b'"}'


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/v1/no-such-route"),
        ("POST", "/v1/sessions/x/nothing-here"),
        ("GET", "/v1"),
        ("DELETE", "/v1/models/returndesk"),
    ],
)
def test_an_unknown_api_route_is_a_404_in_the_error_shape(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert "detail" not in response.json()


@pytest.mark.parametrize(
    "method, path, allow",
    [
        ("GET", "/v1/sessions", "POST"),
        ("PUT", "/v1/sessions/{id}/messages", "GET, POST"),
        ("DELETE", "/v1/sessions/{id}/confirm", "POST"),
        ("POST", "/v1/models", "GET"),
    ],
)
def test_a_wrong_method_is_a_405_with_allow(client: TestClient, method: str, path: str, allow: str) -> None:
    response = client.request(method, path.format(id=sign_in(client)))
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow
    assert response.json()["error"]["code"] == "method_not_allowed" and allow in response.json()["error"]["message"]


def test_with_a_key_an_unknown_route_needs_the_key_first(client_with) -> None:
    client = client_with(api_key="s3cret")
    assert client.get("/v1/no-such-route").status_code == 401
    assert client.get("/v1/no-such-route", headers={"X-API-Key": "s3cret"}).status_code == 404


@pytest.mark.parametrize("path", ["/v1/sessions/{id}/messages", "/v1/chat/completions", "/gradio_api/queue/join"])
def test_a_chunked_10_mb_body_is_refused_with_413(client: TestClient, path: str) -> None:
    response = client.post(
        path.format(id=sign_in(client)), content=chunked(TEN_MB), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text[:200]
    assert response.json()["error"]["code"] == "body_too_large"


def test_the_web_apps_routes_have_the_same_body_cap(client: TestClient) -> None:
    big = b'{"data": ["' + b"x" * TEN_MB + b'"], "fn_index": 0, "session_hash": "big"}'
    joined = client.post("/gradio_api/queue/join", content=big, headers={"content-type": "application/json"})
    assert joined.status_code == 413 and joined.json()["error"]["code"] == "body_too_large"
    upload = client.post("/gradio_api/upload", files={"files": ("label.png", b"\x89PNG" + b"x" * 5_000_000)})
    assert upload.status_code in (404, 413), "uploads are closed (and over the cap anyway)"


def test_the_docs_pages_load_only_local_assets(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        urls = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
        urls += re.findall(r'spec-url="([^"]+)"', html)
        assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), (page, urls)
        assert "cdn" not in html.lower() and "googleapis" not in html
        for url in urls:
            asset = client.get(url)
            assert asset.status_code == 200 and len(asset.content) > 1000, url
    assert "swagger-ui-bundle.js" in client.get("/docs").text and "redoc.standalone.js" in client.get("/redoc").text
