"""Hermes blocks in streamed text: held back however vLLM happens to split them into deltas."""

from __future__ import annotations

import pytest

from agent.hermes import BrokenToolCall, HermesStreamFilter, split_hermes

BLOCK = '<tool_call>\n{"name": "lookup_order", "arguments": {"order_id": "#W1000001"}}\n</tool_call>'


@pytest.mark.parametrize("size", [1, 2, 5, 11, 1000])
def test_a_block_split_anywhere_is_never_shown_and_becomes_a_tool_call(size: int) -> None:
    text = "Checking now. " + BLOCK
    stream = HermesStreamFilter()
    shown = "".join(stream.feed(text[i : i + size]) for i in range(0, len(text), size))
    rest, calls = stream.finish()
    assert (shown + rest).strip() == "Checking now."
    assert [(c["name"], c["args"]) for c in calls] == [("lookup_order", {"order_id": "#W1000001"})]


def test_two_blocks_give_two_calls_with_distinct_ids() -> None:
    text, calls = split_hermes(BLOCK + "\n" + BLOCK.replace("#W1000001", "#W1000002"))
    assert text == ""
    assert [c["args"]["order_id"] for c in calls] == ["#W1000001", "#W1000002"]
    assert calls[0]["id"] != calls[1]["id"]


def test_an_unfinished_block_is_a_broken_tool_call() -> None:
    with pytest.raises(BrokenToolCall):
        split_hermes('<tool_call>\n{"name": "lookup_order", "arguments": {"order_id": "#W1')
