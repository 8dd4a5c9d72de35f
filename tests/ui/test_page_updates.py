"""How a turn's page updates reach the browser (`service.streaming.coalesced`): merged, at most ten a
second, the whole turn run even when the page goes away. Each update costs the web app every output
of the event (a busy server sent the same chat several times a turn before this), so fewer is faster.

No test waits for time: the slow turn below waits for the page to have its first update.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from service.streaming import coalesced

LONG_S = 60.0  # an interval no test reaches: nothing is sent before the turn ends


async def received(updates: Iterator[dict], interval_s: float) -> list[dict]:
    return [update async for update in coalesced(updates, interval_s)]


def test_a_turn_done_within_the_interval_reaches_the_page_as_one_update_later_values_winning() -> None:
    def turn() -> Iterator[dict]:
        yield {"chat": ["you: hi"], "input": ""}
        yield {"chat": ["you: hi", "steps"]}
        yield {"chat": ["you: hi", "steps", "answer"], "panel": "order card"}

    assert asyncio.run(received(turn(), LONG_S)) == [
        {"chat": ["you: hi", "steps", "answer"], "input": "", "panel": "order card"}
    ]


def test_a_slow_turn_shows_the_customers_message_first_and_the_answer_when_it_comes() -> None:
    page_has_first = threading.Event()

    def turn() -> Iterator[dict]:
        yield {"chat": ["you: hi"]}
        assert page_has_first.wait(30), "the page never got the customer's message"
        yield {"chat": ["you: hi", "answer"]}

    async def page() -> list[dict]:
        shown = []
        async for update in coalesced(turn(), 0.01):
            shown.append(update)
            page_has_first.set()
        return shown

    assert asyncio.run(page()) == [{"chat": ["you: hi"]}, {"chat": ["you: hi", "answer"]}]


def test_the_turn_runs_to_its_end_when_the_page_goes_away() -> None:
    finished = threading.Event()
    page_left = threading.Event()

    def turn() -> Iterator[dict]:
        yield {"chat": ["you: return my headphones"]}
        assert page_left.wait(30)
        yield {"chat": ["checkpointed"]}
        finished.set()

    async def page_that_closes() -> None:
        updates = coalesced(turn(), 0.01)
        await updates.__anext__()  # the first update, then the tab is closed
        await updates.aclose()
        page_left.set()

    asyncio.run(page_that_closes())
    assert finished.wait(30), "the turn stopped with the page: its checkpoint would be missing"


def test_a_turn_that_fails_raises_in_the_page_handler() -> None:
    def turn() -> Iterator[dict]:
        yield {"chat": ["you: hi"]}
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        asyncio.run(received(turn(), LONG_S))
