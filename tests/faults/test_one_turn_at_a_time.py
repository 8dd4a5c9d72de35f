"""One turn of a session at a time, whichever server instance receives it (security issue #13, M5).

A confirm and a cancel of the same card sent together: exactly one of them wins, the other is told
the card is gone (409 nothing_to_confirm), and the database, the conversation and both answers agree.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from bench.servers import ServerProcess
from core.settings import Settings
from service.conversation import ConversationService, NothingPending, SessionBusy, TurnResult
from service.turn_lock import TurnLockTimeout
from tests.faults.conftest import STARTUP_S, seeded
from tests.faults.test_server_crashes import RETURN_HEADPHONES, returns_of, sign_in

TRIES = 3


def together(*calls: Callable[[], Any]) -> list[Any]:
    """Runs `calls` on threads released at the same moment; each one's result or exception."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait(timeout=30)
        try:
            results[index] = calls[index]()
        except Exception as error:  # the loser's 409 is an outcome to check, not a test failure
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def assert_one_winner(confirmed: Any, cancelled: Any, engine: Engine, session_id: str) -> None:
    """Exactly one of confirm / cancel ran; the other got nothing_to_confirm; the database agrees."""
    outcomes = [r for r in (confirmed, cancelled) if not isinstance(r, Exception)]
    losers = [r for r in (confirmed, cancelled) if isinstance(r, Exception)]
    assert len(outcomes) == 1 and len(losers) == 1, f"both or neither answered: {confirmed!r} / {cancelled!r}"
    assert isinstance(losers[0], NothingPending), repr(losers[0])
    returns = returns_of(engine, session_id)
    if outcomes[0] is confirmed:
        [ret] = returns
        assert ret.rma in confirmed.reply
    else:
        assert returns == [] and "RMA-" not in cancelled.reply


def test_confirm_and_cancel_through_two_service_instances_on_sqlite_one_wins(
    settings: Settings, engine: Engine
) -> None:
    first, second = ConversationService(settings), ConversationService(settings)
    for _ in range(TRIES):
        session_id = first.sign_in(email="alice@example.com", order_id="#W1000001").session_id
        card = first.send(session_id, RETURN_HEADPHONES["text"]).pending
        assert card is not None
        confirmed, cancelled = together(
            partial(first.resolve, session_id, approved=True, action_id=card.action_id),
            partial(second.resolve, session_id, approved=False, action_id=card.action_id),
        )
        assert_one_winner(confirmed, cancelled, engine, session_id)
        assert first.pending(session_id) is None and second.pending(session_id) is None
        answers = [h["content"] for h in second.history(session_id) if h["role"] == "assistant"]
        winner: TurnResult = confirmed if isinstance(cancelled, Exception) else cancelled
        assert answers[-1] == winner.reply, "the conversation holds the winner's answer, once"
        # The headphones of #W1000001 are returned once at most: cancel the return so the next try can.
        if not isinstance(confirmed, Exception):
            first.send(session_id, f"Cancel return {returns_of(engine, session_id)[0].rma}")
            first.resolve(session_id, approved=True)


def test_a_turn_that_cannot_get_the_lock_in_time_is_a_clear_409(settings: Settings, engine: Engine) -> None:
    service = ConversationService(settings.model_copy(update={"turn_lock_timeout_s": 0.2}))
    session_id = service.sign_in(email="alice@example.com", order_id="#W1000001").session_id
    # another process's turn, still running
    with service.turn_lock.hold(session_id), pytest.raises(SessionBusy) as busy:
        service.send(session_id, "hello")
    assert busy.value.status == 409 and busy.value.code == "session_busy"
    assert service.history(session_id) == [], "the refused turn changed nothing"
    assert service.send(session_id, "hello").reply, "the session goes on once the other turn ended"


def test_the_lock_is_per_session_and_bounded(settings: Settings, engine: Engine) -> None:
    service = ConversationService(settings.model_copy(update={"turn_lock_timeout_s": 0.2}))
    lock = service.turn_lock
    with lock.hold("session-a"):
        with pytest.raises(TurnLockTimeout), lock.hold("session-a"):
            pass
        other = next(f"session-{n}" for n in range(100) if _stripe_differs(lock, "session-a", f"session-{n}"))
        with lock.hold(other):  # another session's turn does not wait
            pass
    lock_files = list(Path(settings.data_dir).glob("*.turn-locks/*.lock"))
    assert 0 < len(lock_files) <= 2, "one lock file per stripe used, not one per session forever"


def _stripe_differs(lock: Any, a: str, b: str) -> bool:
    from service.turn_lock import stripe_of

    return stripe_of(a) != stripe_of(b)


def _send_together(url_a: str, url_b: str, session_id: str, action_id: str) -> tuple[httpx.Response, ...]:
    body = {"action_id": action_id}
    return tuple(
        together(
            lambda: httpx.post(f"{url_a}/v1/sessions/{session_id}/confirm", json=body, timeout=60),
            lambda: httpx.post(f"{url_b}/v1/sessions/{session_id}/cancel", json=body, timeout=60),
        )
    )


@pytest.mark.timeout(900)  # two server processes start on a shared 2-core machine
def test_confirm_on_one_server_and_cancel_on_another_on_postgres_one_wins(
    fresh_postgres_url: str, tmp_path: Path
) -> None:
    engine = seeded(fresh_postgres_url)
    env = {
        "RETURNDESK_DATA_DIR": str(tmp_path / "data"),
        "RETURNDESK_DATABASE_URL": fresh_postgres_url,
        "RETURNDESK_RATE_LIMIT_PER_MINUTE": "0",
    }
    with ServerProcess(env, tmp_path / "a.log") as a, ServerProcess(env, tmp_path / "b.log") as b:
        a.wait_ready(timeout_s=STARTUP_S)
        b.wait_ready(timeout_s=STARTUP_S)
        for _ in range(TRIES):
            session_id = sign_in(a.url)
            card = httpx.post(f"{a.url}/v1/sessions/{session_id}/messages", json=RETURN_HEADPHONES, timeout=30)
            action_id = card.json()["pending"]["action_id"]
            confirmed, cancelled = _send_together(a.url, b.url, session_id, action_id)
            codes = sorted([confirmed.status_code, cancelled.status_code])
            assert codes == [200, 409], f"{confirmed.text} / {cancelled.text}"
            loser = confirmed if confirmed.status_code == 409 else cancelled
            assert loser.json()["error"]["code"] == "nothing_to_confirm"
            returns = returns_of(engine, session_id)
            history = httpx.get(f"{b.url}/v1/sessions/{session_id}/messages").json()
            winner = cancelled if loser is confirmed else confirmed
            assert history[-1]["content"] == winner.json()["reply"]
            assert httpx.get(f"{a.url}/v1/sessions/{session_id}/pending").json()["pending"] is None
            if winner is confirmed:
                assert len(returns) == 1 and returns[0].rma in winner.json()["reply"]
                rma = returns[0].rma  # cancelled again so the next try can return the same headphones
                httpx.post(
                    f"{a.url}/v1/sessions/{session_id}/messages", json={"text": f"Cancel return {rma}"}, timeout=30
                )
                httpx.post(f"{b.url}/v1/sessions/{session_id}/confirm", json={}, timeout=30)
            else:
                assert returns == [] and "RMA-" not in winner.json()["reply"]
    engine.dispose()
