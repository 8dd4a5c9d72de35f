"""Killed mid-confirm: the return is committed, the turn's checkpoint is not (security issue #13, M6).

After the restart the card and the database agree: reading the conversation retires the card and
shows the committed return; confirming again answers with the same RMA; cancelling says the return
exists (with its RMA) instead of "nothing was changed". Never a second return.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from bench.servers import ServerProcess
from mock_backends.logistics.faults import FaultConfig
from tests.faults.conftest import STARTUP_S, counted_carrier, seeded
from tests.faults.test_server_crashes import _ignore_errors, returns_of, sign_in

# Three customers' sessions (three different items), each confirmed when the server is killed.
ASKS = {
    "reads": "I want to return the headphones from order #W1000001",
    "confirms": "I want to return one USB-C cable from order #W1000001",
    "cancels": "I want to return the t-shirt from order #W1000003",
}


def _confirm_in_background(url: str, session_id: str, action_id: str) -> threading.Thread:
    thread = threading.Thread(
        target=lambda: _ignore_errors(
            lambda: httpx.post(f"{url}/v1/sessions/{session_id}/confirm", json={"action_id": action_id}, timeout=90)
        )
    )
    thread.start()
    return thread


@pytest.mark.timeout(900)  # two server starts, one after the other, on a shared 2-core machine
def test_server_killed_while_a_confirmed_return_waits_on_the_carrier(tmp_path: Path) -> None:
    data = tmp_path / "data"
    database_url = f"sqlite:///{(data / 'returndesk.db').as_posix()}"
    engine = seeded(database_url)
    env = {
        "RETURNDESK_DATA_DIR": str(data),
        "RETURNDESK_CARRIER_TIMEOUT_S": "60",
        "RETURNDESK_CARRIER_ATTEMPT_TIMEOUT_S": "60",
        "RETURNDESK_CARRIER_MAX_ATTEMPTS": "1",
        "RETURNDESK_RATE_LIMIT_PER_MINUTE": "0",
    }
    sessions: dict[str, str] = {}
    cards: dict[str, str] = {}
    with counted_carrier(database_url, FaultConfig(latency_ms=60_000)) as (slow_carrier, requests):
        first = ServerProcess(env | {"RETURNDESK_CARRIER_URL": slow_carrier}, tmp_path / "first.log")
        first.wait_ready(timeout_s=STARTUP_S)
        for name, text in ASKS.items():
            sessions[name] = sign_in(first.url)
            turn = httpx.post(f"{first.url}/v1/sessions/{sessions[name]}/messages", json={"text": text}, timeout=30)
            cards[name] = turn.json()["pending"]["action_id"]
        confirms = [_confirm_in_background(first.url, sessions[n], cards[n]) for n in ASKS]
        deadline = time.monotonic() + 60
        while requests["labels"] < len(ASKS) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert requests["labels"] == len(ASKS), "every confirmed return committed and asked for its label"
        first.kill()
        for thread in confirms:
            thread.join(timeout=30)
    committed = {name: returns_of(engine, session_id) for name, session_id in sessions.items()}
    assert all(len(rows) == 1 for rows in committed.values()), "the returns were committed before the kill"
    rma = {name: rows[0].rma for name, rows in committed.items()}

    with (
        counted_carrier(database_url, FaultConfig()) as (carrier, _),
        ServerProcess(env | {"RETURNDESK_CARRIER_URL": carrier}, tmp_path / "second.log") as second,
    ):
        second.wait_ready(timeout_s=STARTUP_S)
        url = second.url

        def session_url(name: str) -> str:
            return f"{url}/v1/sessions/{sessions[name]}"

        # Reading: the card is gone and the conversation shows the committed return.
        pending = httpx.get(f"{session_url('reads')}/pending", timeout=60).json()["pending"]
        history = httpx.get(f"{session_url('reads')}/messages", timeout=60).json()
        retried = httpx.post(f"{session_url('reads')}/confirm", json={"action_id": cards["reads"]}, timeout=60)
        # Confirming again (the customer's retry after the error): the same RMA.
        confirmed = httpx.post(f"{session_url('confirms')}/confirm", json={"action_id": cards["confirms"]}, timeout=60)
        # Cancelling the stale card: the return exists, and says which.
        cancelled = httpx.post(f"{session_url('cancels')}/cancel", json={"action_id": cards["cancels"]}, timeout=60)
        after_cancel = httpx.get(f"{session_url('cancels')}/pending", timeout=60).json()["pending"]

    assert pending is None
    assert rma["reads"] in history[-1]["content"] and history[-1]["role"] == "assistant"
    assert retried.status_code == 409 and rma["reads"] in retried.json()["error"]["message"]
    assert confirmed.status_code == 200, confirmed.text
    assert rma["confirms"] in confirmed.json()["reply"] and confirmed.json()["pending"] is None
    assert cancelled.status_code == 409, cancelled.text
    assert cancelled.json()["error"]["code"] == "already_done"
    assert rma["cancels"] in cancelled.json()["error"]["message"]
    assert "nothing was changed" not in cancelled.text.lower()
    assert after_cancel is None
    after = {name: returns_of(engine, session_id) for name, session_id in sessions.items()}
    assert {n: [(r.rma, r.status) for r in rows] for n, rows in after.items()} == {
        n: [(rma[n], "label_created")] for n in ASKS
    }, "no second return; the labels followed on replay"
    engine.dispose()
