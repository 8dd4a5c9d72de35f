"""Sign-in guessing is throttled per client address and per account, on every door, across processes.

Each test plays the attacker over loopback HTTP: the REST sign-in, the OpenAI route (whose anonymous
sessions verify in the chat with `verify_customer`) and the web page's form. The counts live in Redis
under a fresh key prefix, so two apps on the same settings behave like two server processes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from core.settings import Settings
from service.conversation import ConversationService
from tests.security.conftest import audit_rows
from ui.server import create_app

LIMITS = {"sign_in_failures": 3, "sign_in_address_failures": 5, "sign_in_window_s": 600, "sign_in_lockout_s": 60}
ALICE = {"email": "alice@example.com", "order_id": "#W1000001"}
BOB = {"email": "bob@example.com", "order_id": "#W1000021"}


@contextmanager
def server(settings: Settings, address: str) -> Iterator[TestClient]:
    """One server process of its own (service, engine), reached from `address`."""
    with TestClient(create_app(settings, ConversationService(settings)), client=(address, 50000)) as client:
        yield client


@pytest.fixture
def tight(redis_settings: Settings, engine: Engine) -> Settings:
    return redis_settings.model_copy(update=LIMITS)


def wrong_order(email: str, n: int) -> dict[str, str]:
    return {"email": email, "order_id": f"#W10009{n:02d}"}


def throttled_rows(engine: Engine, tool: str) -> list[dict]:
    return [
        json.loads(r.detail)
        for r in audit_rows(engine)
        if r.tool == tool and r.outcome == "refused" and json.loads(r.detail)["code"] == "sign_in_throttled"
    ]


def test_guessing_order_numbers_for_one_email_locks_that_account_with_429_and_retry_after(
    tight: Settings, engine: Engine
) -> None:
    with server(tight, "203.0.113.5") as attacker, server(tight, "198.51.100.9") as elsewhere:
        guesses = [attacker.post("/v1/sessions", json=wrong_order("alice@example.com", n)) for n in range(3)]
        locked = attacker.post("/v1/sessions", json=ALICE)  # even the right order number waits now
        from_elsewhere = elsewhere.post("/v1/sessions", json={**ALICE, "email": " ALICE@example.com"})
        bob = elsewhere.post("/v1/sessions", json=BOB)

    assert [g.status_code for g in guesses] == [401, 401, 401]
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "sign_in_throttled"
    assert 1 <= int(locked.headers["retry-after"]) <= 60
    assert "Too many sign-in attempts" in locked.json()["error"]["message"]
    assert from_elsewhere.status_code == 429, "the lock is on the account, whichever address asks"
    assert bob.status_code == 201, "another account is not locked"
    rows = throttled_rows(engine, "sign_in")
    assert [(r["scope"], r["client"]) for r in rows] == [("account", "203.0.113.5"), ("account", "198.51.100.9")]


def test_one_address_guessing_many_accounts_is_locked_and_its_own_sign_in_does_not_reset_that(
    tight: Settings, engine: Engine
) -> None:
    with server(tight, "203.0.113.5") as attacker, server(tight, "198.51.100.9") as neighbour:
        failures = [
            attacker.post("/v1/sessions", json=wrong_order(email, n)).status_code
            for email in ("alice@example.com", "bob@example.com")
            for n in range(2)
        ]
        own = attacker.post("/v1/sessions", json=ALICE)  # the attacker signs into an account they hold
        fifth = attacker.post("/v1/sessions", json=wrong_order("wang.fang@example.cn", 0))
        sixth = attacker.post("/v1/sessions", json=BOB)
        neighbour_signs_in = neighbour.post("/v1/sessions", json=BOB)

    assert failures == [401, 401, 401, 401] and own.status_code == 201
    assert fifth.status_code == 401
    assert sixth.status_code == 429, "the success must not have wiped the address's other failures"
    assert neighbour_signs_in.status_code == 201
    assert [r["scope"] for r in throttled_rows(engine, "sign_in")] == ["address"]


def test_each_further_lockout_lasts_longer(tight: Settings, engine: Engine) -> None:
    quick = tight.model_copy(update={"sign_in_failures": 2, "sign_in_lockout_s": 1})
    with server(quick, "203.0.113.5") as attacker:
        waits = []
        for _ in range(2):
            assert [
                attacker.post("/v1/sessions", json=wrong_order("bob@example.com", n)).status_code for n in range(2)
            ] == [401, 401]
            locked = attacker.post("/v1/sessions", json=BOB)
            assert locked.status_code == 429
            waits.append(int(locked.headers["retry-after"]))
            wait_until_unlocked(attacker, BOB, timeout_s=10)
    assert waits[0] == 1 and waits[1] == 2


def wait_until_unlocked(client: TestClient, credentials: dict[str, str], *, timeout_s: float) -> None:
    """Polls with the right credentials until they are let through (the lockout has run out)."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if client.post("/v1/sessions", json=credentials).status_code == 201:
            return
        time.sleep(0.1)
    pytest.fail("the lockout did not run out")


def test_two_server_processes_share_the_count(tight: Settings, engine: Engine) -> None:
    with server(tight, "203.0.113.5") as first, server(tight, "203.0.113.5") as second:
        statuses = [
            first.post("/v1/sessions", json=wrong_order("bob@example.com", 0)).status_code,
            second.post("/v1/sessions", json=wrong_order("bob@example.com", 1)).status_code,
            first.post("/v1/sessions", json=wrong_order("bob@example.com", 2)).status_code,
            second.post("/v1/sessions", json=BOB).status_code,
        ]
    assert statuses == [401, 401, 401, 429]


def test_the_chat_door_verify_customer_on_the_openai_route_is_throttled_too(tight: Settings, engine: Engine) -> None:
    def chat(client: TestClient, text: str) -> str:
        response = client.post(
            "/v1/chat/completions", json={"model": "x", "messages": [{"role": "user", "content": text}]}
        )
        assert response.status_code == 200, response.text
        return response.json()["choices"][0]["message"]["content"]

    with server(tight, "203.0.113.5") as attacker, server(tight, "198.51.100.9") as elsewhere:
        guesses = [chat(attacker, f"I am alice@example.com, order #W10009{n:02d}") for n in range(3)]
        locked = chat(attacker, "I am alice@example.com, order #W1000001")
        rest = elsewhere.post("/v1/sessions", json=ALICE)  # one count for every door

    assert all("do not match" in g for g in guesses)
    assert "Too many sign-in attempts" in locked and "Alice" not in locked
    assert rest.status_code == 429
    rows = throttled_rows(engine, "verify_customer")
    assert [(r["scope"], r["client"]) for r in rows] == [("account", "203.0.113.5")]


def test_the_web_pages_sign_in_form_is_throttled_too(tight: Settings, engine: Engine) -> None:
    import httpx

    from bench.page_client import PageLayout, PageTab, run_handler

    with live_app(tight) as url, httpx.Client(base_url=url) as browser:
        layout = PageLayout.read(browser.get("/config").json())
        tab = PageTab(browser, layout)  # type: ignore[arg-type]  (payload only)
        sign_in = layout.handler("sign-in-button")
        answers = [
            run_handler(browser, tab.payload(sign_in, {"email": email, "order-number": order}))
            for email, order in [*(wrong_order("alice@example.com", n).values() for n in range(3)), ALICE.values()]
        ]
    errors = [next(v for v in answer["output"]["data"] if isinstance(v, str) and "⚠️" in v) for answer in answers]
    assert all("do not match" in e for e in errors[:3])
    assert "Too many sign-in attempts" in errors[3]
    assert [r["client"] for r in throttled_rows(engine, "sign_in")] == ["127.0.0.1"]


@contextmanager
def live_app(settings: Settings) -> Iterator[str]:
    """The whole app (API and web page) under uvicorn on a free loopback port."""
    import socket
    import threading

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(settings, ConversationService(settings))
    server_ = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server_.run, daemon=True)
    thread.start()
    while not server_.started and thread.is_alive():
        thread.join(0.05)
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
        yield f"http://127.0.0.1:{port}"
    finally:
        server_.should_exit = True
        thread.join(timeout=10)
