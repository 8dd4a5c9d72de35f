"""A crashed server loses nothing, and any server process can serve any turn (state lives in the DB)."""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path

import httpx
from langchain_core.messages import AIMessage, ToolMessage
from sqlmodel import Session, select

from bench.servers import ServerProcess
from core.settings import Settings
from graphs.persistence import open_checkpointer
from graphs.returns_graph import build_graph
from mock_backends.logistics.faults import FaultConfig
from mock_backends.orders.models import ReturnRequest
from tests.faults.conftest import counted_carrier, seeded

RETURN_HEADPHONES = {"text": "I want to return the headphones from order #W1000001"}


def sign_in(url: str) -> str:
    response = httpx.post(f"{url}/v1/sessions", json={"email": "alice@example.com", "order_id": "#W1000001"})
    assert response.status_code == 201, response.text
    return response.json()["session_id"]


def returns_of(engine, session_id: str) -> list[ReturnRequest]:
    with Session(engine) as db:
        return list(db.exec(select(ReturnRequest).where(ReturnRequest.session_id == session_id)).all())


def test_server_killed_between_card_and_click_confirms_once_after_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    engine = seeded(f"sqlite:///{(data / 'returndesk.db').as_posix()}")
    env = {"RETURNDESK_DATA_DIR": str(data)}
    first = ServerProcess(env, tmp_path / "first.log")
    first.wait_ready()
    session_id = sign_in(first.url)
    card = httpx.post(f"{first.url}/v1/sessions/{session_id}/messages", json=RETURN_HEADPHONES, timeout=30).json()
    action_id = card["pending"]["action_id"]
    first.kill()

    with ServerProcess(env, tmp_path / "second.log") as second:
        second.wait_ready()
        pending = httpx.get(f"{second.url}/v1/sessions/{session_id}/pending").json()["pending"]
        assert pending is not None and pending["action_id"] == action_id, "the card survived the crash"
        done = httpx.post(f"{second.url}/v1/sessions/{session_id}/confirm", json={"action_id": action_id}, timeout=30)
        again = httpx.post(f"{second.url}/v1/sessions/{session_id}/confirm", json={"action_id": action_id}, timeout=30)
        history = httpx.get(f"{second.url}/v1/sessions/{session_id}/messages").json()

    assert done.status_code == 200 and again.status_code == 409
    [ret] = returns_of(engine, session_id)
    assert ret.rma in done.json()["reply"]
    assert [h["content"] for h in history if h["role"] == "user"] == [RETURN_HEADPHONES["text"]]
    engine.dispose()


def user_turns(url: str, session_id: str) -> list[str]:
    history = httpx.get(f"{url}/v1/sessions/{session_id}/messages").json()
    return [h["content"] for h in history if h["role"] == "user"]


def test_server_killed_mid_turn_keeps_the_earlier_turns_whole_and_the_session_goes_on(tmp_path: Path) -> None:
    """A turn is checkpointed whole or not at all: a crash while a tool waits on the carrier leaves no
    half-written turn (no tool call without its result) for the next turn to trip over."""
    data = tmp_path / "data"
    database_url = f"sqlite:///{(data / 'returndesk.db').as_posix()}"
    engine = seeded(database_url)
    env = {
        "RETURNDESK_DATA_DIR": str(data),
        "RETURNDESK_CARRIER_TIMEOUT_S": "60",
        "RETURNDESK_CARRIER_ATTEMPT_TIMEOUT_S": "60",
        "RETURNDESK_CARRIER_MAX_ATTEMPTS": "1",
    }
    where = {"text": "Where is my order #W1000004?"}
    with counted_carrier(database_url, FaultConfig(latency_ms=30_000)) as (slow_carrier, requests):
        first = ServerProcess(env | {"RETURNDESK_CARRIER_URL": slow_carrier}, tmp_path / "first.log")
        first.wait_ready()
        session_id = sign_in(first.url)
        hello = httpx.post(f"{first.url}/v1/sessions/{session_id}/messages", json={"text": "hello"}, timeout=30)
        turn = threading.Thread(
            target=lambda: _ignore_errors(
                lambda: httpx.post(f"{first.url}/v1/sessions/{session_id}/messages", json=where, timeout=60)
            )
        )
        turn.start()
        deadline = time.monotonic() + 30
        while requests["tracking"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert requests["tracking"] == 1, "the turn reached the carrier"
        first.kill()
        turn.join(timeout=30)

    with (
        counted_carrier(database_url, FaultConfig()) as (carrier, _),
        ServerProcess(env | {"RETURNDESK_CARRIER_URL": carrier}, tmp_path / "second.log") as second,
    ):
        second.wait_ready()
        before = user_turns(second.url, session_id)
        again = httpx.post(f"{second.url}/v1/sessions/{session_id}/messages", json=where, timeout=30)
        after = user_turns(second.url, session_id)

    assert hello.status_code == 200 and before == ["hello"], "the killed turn left nothing behind"
    assert again.status_code == 200, again.text
    assert [(c["tool"], c["result"]["ok"]) for c in again.json()["tool_trace"]][-1] == ("track_shipment", True)
    assert after == ["hello", where["text"]]
    saver = open_checkpointer(Settings(data_dir=data, _env_file=None))  # type: ignore[call-arg]
    messages = build_graph(saver).get_state({"configurable": {"thread_id": session_id}}).values["messages"]
    called = [c["id"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls]
    assert called and called == [m.tool_call_id for m in messages if isinstance(m, ToolMessage)]
    saver.conn.close()  # type: ignore[attr-defined]
    engine.dispose()


def _ignore_errors(call) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server was killed under this request: that is the point
        call()


def test_two_servers_on_one_postgres_serve_alternate_turns_of_one_session(
    fresh_postgres_url: str, tmp_path: Path
) -> None:
    engine = seeded(fresh_postgres_url)
    env = {"RETURNDESK_DATA_DIR": str(tmp_path / "data"), "RETURNDESK_DATABASE_URL": fresh_postgres_url}
    with ServerProcess(env, tmp_path / "a.log") as a, ServerProcess(env, tmp_path / "b.log") as b:
        a.wait_ready()
        b.wait_ready()
        session_id = sign_in(a.url)
        menu = httpx.post(f"{b.url}/v1/sessions/{session_id}/messages", json={"text": "hello"}, timeout=30)
        card = httpx.post(f"{a.url}/v1/sessions/{session_id}/messages", json=RETURN_HEADPHONES, timeout=30).json()
        pending_on_b = httpx.get(f"{b.url}/v1/sessions/{session_id}/pending").json()["pending"]
        done = httpx.post(
            f"{b.url}/v1/sessions/{session_id}/confirm", json={"action_id": card["pending"]["action_id"]}, timeout=30
        )
        replay_on_a = httpx.post(f"{a.url}/v1/sessions/{session_id}/confirm", json={}, timeout=30)
        history = httpx.get(f"{a.url}/v1/sessions/{session_id}/messages").json()

    assert menu.status_code == 200 and pending_on_b["action_id"] == card["pending"]["action_id"]
    assert done.status_code == 200 and replay_on_a.status_code == 409
    [ret] = returns_of(engine, session_id)
    assert ret.rma in done.json()["reply"]
    assert [h["content"] for h in history if h["role"] == "user"] == ["hello", RETURN_HEADPHONES["text"]]
    assert any(ret.rma in h["content"] for h in history if h["role"] == "assistant")
    engine.dispose()
