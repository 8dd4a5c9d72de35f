"""How many customers' turns the web app runs at once: one limit for every way to start a turn.

Gradio gives each event listener its own queue; with six ways to start a turn (send, Enter, a quick
reply under the last answer, hand-off, confirm, cancel) the setting would allow six times as many
turns as it says. Unset, the limit follows the mode: many with a model (a turn waits on the endpoint), two in
guided mode (a turn is CPU work in this process; `bench --only ui` measures it).
"""

from __future__ import annotations

import pytest

from core.settings import Settings
from service.conversation import ConversationService
from ui.gradio_app import GUIDED_TURNS_AT_ONCE, MODEL_TURNS_AT_ONCE, build_blocks

TURN_HANDLERS = {"send", "choose", "hand_off", "confirm", "cancel"}


def turn_queues(settings: Settings) -> tuple[set[tuple[str, int | None]], int]:
    blocks = build_blocks(ConversationService(settings))
    turns = [fn for fn in blocks.fns.values() if fn.name in TURN_HANDLERS]
    return {(fn.concurrency_id, fn.concurrency_limit) for fn in turns}, len(turns)


def test_every_way_to_start_a_turn_waits_in_one_queue_with_the_configured_limit(settings: Settings) -> None:
    queues, listeners = turn_queues(settings.model_copy(update={"ui_concurrency": 3}))
    assert listeners == 6  # send, Enter, a quick reply, hand-off, confirm, cancel
    assert queues == {("turn", 3)}


@pytest.mark.parametrize(
    ("llm_base_url", "expected"),
    [(None, GUIDED_TURNS_AT_ONCE), ("http://127.0.0.1:9/v1", MODEL_TURNS_AT_ONCE)],
    ids=["guided", "model"],
)
def test_unset_the_limit_follows_the_mode(settings: Settings, llm_base_url: str | None, expected: int) -> None:
    queues, _ = turn_queues(settings.model_copy(update={"ui_concurrency": None, "llm_base_url": llm_base_url}))
    assert queues == {("turn", expected)}
    assert GUIDED_TURNS_AT_ONCE < MODEL_TURNS_AT_ONCE
