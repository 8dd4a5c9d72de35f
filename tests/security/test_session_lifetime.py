"""A session id is a 256-bit bearer secret that stops working: idle, too old, or signed out; and
nobody opens anonymous sessions without end."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.settings import Settings
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.models import ChatSession, utcnow
from mock_backends.orders.seed import seed_demo
from service.conversation import ConversationError, ConversationService
from tests.conftest import sign_in
from tools.deps import ToolDeps
from ui.server import create_app


class ManualClock:
    """The time the server reads (ToolDeps.clock), moved forward by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def server_at(settings: Settings, engine: Engine, clock: ManualClock) -> Callable[..., Iterator[TestClient]]:
    """`with server_at(**setting_overrides) as client:` one server process whose clock the test moves."""

    @contextmanager
    def make(address: str = "203.0.113.5", **overrides: object) -> Iterator[TestClient]:
        custom = settings.model_copy(update=overrides)
        service = ConversationService(custom, deps=ToolDeps(engine=engine, settings=custom, clock=clock))
        with TestClient(create_app(custom, service), client=(address, 50000)) as client:
            yield client

    return make


def say(client: TestClient, session_id: str, text: str = "hello") -> int:
    return client.post(f"/v1/sessions/{session_id}/messages", json={"text": text}).status_code


def test_session_ids_are_256_random_bits(client: TestClient) -> None:
    ids = {sign_in(client) for _ in range(5)} | {client.post("/v1/sessions", json={}).json()["session_id"]}
    assert len(ids) == 6
    for session_id in ids:
        assert len(session_id) <= 64, "fits ChatSession.id and the X-Session-Id header"
        assert len(base64.urlsafe_b64decode(session_id + "=")) == 32


def test_an_idle_session_expires_and_says_to_sign_in_again(server_at, clock: ManualClock) -> None:
    with server_at() as client:
        session_id = sign_in(client)
        clock.advance(minutes=20)
        assert say(client, session_id) == 200
        clock.advance(minutes=20)  # 40 minutes old, but used 20 minutes ago: still live
        assert say(client, session_id) == 200
        clock.advance(minutes=31)
        expired = client.post(f"/v1/sessions/{session_id}/messages", json={"text": "hello"})
        history = client.get(f"/v1/sessions/{session_id}/messages")
    assert expired.status_code == history.status_code == 401
    assert expired.json()["error"] == {
        "code": "session_expired",
        "message": "Your session has expired: please sign in again.",
    }


def test_a_busy_session_still_expires_at_its_absolute_limit(server_at, clock: ManualClock) -> None:
    with server_at(session_max_hours=1) as client:
        session_id = sign_in(client)
        statuses = []
        for _ in range(4):  # every 25 minutes: never idle for 30
            clock.advance(minutes=25)
            statuses.append(say(client, session_id))
    assert statuses == [200, 200, 401, 401]


def test_signing_out_ends_the_session_on_every_server_process(server_at) -> None:
    with server_at() as first, server_at() as second:
        session_id = sign_in(first)
        assert say(second, session_id) == 200
        out = first.delete(f"/v1/sessions/{session_id}")
        after = second.post(f"/v1/sessions/{session_id}/messages", json={"text": "hello"})
        again = second.delete(f"/v1/sessions/{session_id}")
        unknown = first.delete("/v1/sessions/no-such-session")
    assert out.status_code == 204 and out.content == b""
    assert after.status_code == 401 and after.json()["error"]["code"] == "session_ended"
    assert again.status_code == 204, "signing out twice is no error"
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "session_not_found"


def test_anonymous_sessions_are_capped_per_client_address(redis_settings: Settings, engine: Engine) -> None:
    capped = redis_settings.model_copy(update={"anonymous_sessions_per_hour": 3})

    @contextmanager
    def from_address(address: str) -> Iterator[TestClient]:
        with TestClient(create_app(capped, ConversationService(capped)), client=(address, 50000)) as client:
            yield client

    with (
        from_address("203.0.113.5") as flooder,
        from_address("203.0.113.5") as same_network_other_process,
        from_address("198.51.100.9") as someone_else,
    ):
        opened = [flooder.post("/v1/sessions", json={}).status_code for _ in range(3)]
        refused = same_network_other_process.post("/v1/sessions", json={})
        through_openai = flooder.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]})
        signed_in = flooder.post("/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001"})
        elsewhere = someone_else.post("/v1/sessions", json={})
    assert opened == [201, 201, 201]
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_sessions"
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert through_openai.status_code == 429, "the OpenAI route's new sessions count too"
    assert signed_in.status_code == 201, "signing in is throttled on its own terms, not by this cap"
    assert elsewhere.status_code == 201


def test_the_web_page_asks_to_sign_in_again_when_the_session_expired(server_at, clock: ManualClock) -> None:
    """Through the page's own Gradio queue, as the browser runs it: the turn says the session is gone
    (a State it changed), and the change brings back the sign-in form with the reason."""
    from bench.page_client import PageLayout, PageTab, run_handler

    with server_at() as client:
        layout = PageLayout.read(client.get("/config").json())
        tab = PageTab(client, layout, session_hash="expired1")  # type: ignore[arg-type]
        sign_in_form = {"email": "alice@example.com", "order-number": "#W1000001"}
        assert run_handler(client, tab.payload(layout.handler("sign-in-button"), sign_in_form))["success"]
        turn = run_handler(client, tab.payload(layout.handler("send-button"), {"message": "hello"}))
        assert turn["success"] and turn["output"]["changed_state_ids"] == [], "a live session: nothing gone"
        clock.advance(hours=1)
        turn = run_handler(client, tab.payload(layout.handler("send-button"), {"message": "hello"}))
        [gone] = turn["output"]["changed_state_ids"]
        back = layout.on_change(gone)
        done = run_handler(client, tab.payload(back, {}))
        shown = dict(zip([layout.elem_id(c) for c in back.outputs], done["output"]["data"], strict=True))
    assert shown["sign-in"]["visible"] is True and shown["chat"]["visible"] is False
    assert "expired" in shown["sign-in-error"] and "sign in again" in shown["sign-in-error"]


def test_the_web_pages_sign_out_button_ends_the_session(service: ConversationService) -> None:
    from ui.gradio_app import build_blocks

    sign_out = handler(build_blocks(service), "sign-out-button")
    session_id = service.sign_in(email="alice@example.com", order_id="#W1000001").session_id
    shown = {getattr(component, "elem_id", None): value for component, value in sign_out(session_id).items()}
    assert shown["sign-in"]["visible"] is True and shown["chatbot"] == []
    with pytest.raises(ConversationError) as gone:
        service.send(session_id, "hello")
    assert gone.value.code == "session_ended"


def updates_of(turn) -> list[dict]:
    """Every update a turn's handler sends to the page: an async generator's (with a model) or a
    coroutine's one (guided mode), as Gradio runs them."""

    async def collect() -> list[dict]:
        if asyncio.iscoroutine(turn):
            return [await turn]
        return [update async for update in turn]

    return asyncio.run(collect())


def handler(blocks, elem_id: str):
    """The function the web page's button `elem_id` calls."""
    by_id = {c["id"]: c.get("props", {}) for c in blocks.config["components"]}
    [fn] = [
        f.fn
        for f in blocks.fns.values()
        if any(by_id.get(target, {}).get("elem_id") == elem_id for target, _ in f.targets)
    ]  # load: the page
    return fn


def test_an_older_database_gains_the_session_columns_and_its_sessions_keep_working(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'old.db').as_posix()}")
    create_tables(engine)
    seed_demo(engine)
    with engine.begin() as conn:  # as the previous release made it
        conn.execute(text("ALTER TABLE chatsession DROP COLUMN last_seen_at"))
        conn.execute(text("ALTER TABLE chatsession DROP COLUMN ended_at"))
        conn.execute(
            text(
                "INSERT INTO chatsession (id, customer_id, language, created_at) "
                "VALUES ('old-session', 'alice_chen_1001', 'en', :now)"
            ),
            {"now": utcnow()},
        )

    create_tables(engine)  # start-up

    assert {"last_seen_at", "ended_at"} <= {c["name"] for c in inspect(engine).get_columns("chatsession")}
    with Session(engine) as db:
        assert db.get(ChatSession, "old-session").ended_at is None
    engine.dispose()
