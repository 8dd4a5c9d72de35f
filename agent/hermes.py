"""Recovering Qwen3's hermes-format tool calls that vLLM left in the reply text.

Qwen3 writes a tool call as `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`. vLLM's
`--tool-call-parser hermes` normally turns that into `tool_calls`, but not always (vllm-project/vllm
#19056, #28297): sometimes the block arrives as plain `content`, whole or as streamed deltas. This
module turns such blocks into proper tool calls and removes them from the text, so the customer
never sees them. Own code because neither LangChain nor the OpenAI SDK parses hermes blocks:
vLLM's parser runs on the server, which is exactly where it slipped.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import ToolCall

OPEN_TAG = "<tool_call>"
CLOSE_TAG = "</tool_call>"
_BLOCK = re.compile(re.escape(OPEN_TAG) + r"(.*?)(?:" + re.escape(CLOSE_TAG) + r"|\Z)", re.DOTALL)


class BrokenToolCall(ValueError):
    """The model wrote a tool call that cannot be parsed: treated as a failed model call."""


def has_hermes_block(text: str) -> bool:
    return OPEN_TAG in text


def parse_hermes_block(body: str) -> ToolCall:
    """One block's JSON body -> a LangChain tool call (with a fresh id), or BrokenToolCall."""
    try:
        data = json.loads(body)
    except ValueError as error:
        raise BrokenToolCall(f"hermes tool call is not JSON: {body[:200]!r}") from error
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not data["name"]:
        raise BrokenToolCall(f"hermes tool call has no name: {body[:200]!r}")
    arguments: Any = data.get("arguments", data.get("parameters", {}))
    if isinstance(arguments, str):  # some templates double-encode the arguments
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except ValueError as error:
            raise BrokenToolCall(f"hermes tool call arguments are not JSON: {arguments[:200]!r}") from error
    if not isinstance(arguments, dict):
        raise BrokenToolCall(f"hermes tool call arguments are not an object: {body[:200]!r}")
    return ToolCall(name=data["name"], args=arguments, id=f"call_hermes_{uuid.uuid4().hex[:24]}", type="tool_call")


def split_hermes(text: str) -> tuple[str, list[ToolCall]]:
    """The text without its `<tool_call>` blocks, and the tool calls they held.

    An unclosed block at the end (generation stopped before `</tool_call>`) is accepted when its
    body is complete JSON; anything unparseable raises BrokenToolCall.
    """
    if not has_hermes_block(text):
        return text, []
    calls = [parse_hermes_block(match.group(1).strip()) for match in _BLOCK.finditer(text)]
    return _BLOCK.sub("", text).strip(), calls


@dataclass
class HermesStreamFilter:
    """Splits streamed content deltas into text safe to show now and hermes blocks held back.

    Feed each content delta to `feed`, which returns the text that can be shown right away; text
    that might be the start of `<tool_call>` is held until the next delta decides. Once a block
    starts, everything after it is held; `finish` returns the remaining visible text and the
    recovered tool calls.
    """

    _held: str = ""
    _capturing: bool = False
    _captured: list[str] = field(default_factory=list)

    def feed(self, delta: str) -> str:
        if self._capturing:
            self._captured.append(delta)
            return ""
        text = self._held + delta
        start = text.find(OPEN_TAG)
        if start >= 0:
            self._capturing, self._held = True, ""
            self._captured.append(text[start:])
            return text[:start]
        keep = _partial_tag_suffix(text)
        self._held = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep]

    def finish(self) -> tuple[str, list[ToolCall]]:
        if not self._capturing:
            held, self._held = self._held, ""
            return held, []
        rest, calls = split_hermes("".join(self._captured))
        return rest, calls


def _partial_tag_suffix(text: str) -> int:
    """Length of the longest end of `text` that could still grow into `<tool_call>`."""
    for length in range(min(len(OPEN_TAG) - 1, len(text)), 0, -1):
        if OPEN_TAG.startswith(text[-length:]):
            return length
    return 0
