"""What a model reply must look like before anything else sees it: not blank, entities decoded once.

- `answer_of` asks the model; a blank reply (no text, no tool call) is asked for once more, and a
  second blank one is answered by guided mode (labelled guided), so a customer never gets nothing.
- `decode_entities` / `EntityStreamDecoder`: small models trained on web text sometimes write
  `&#39;` or `&amp;`; the text is decoded once here, so every interface shows `'` and `&`, and the
  web app escapes markup exactly once when it renders (ui/gradio_app.py).
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import Runnable

from agent.guided import GuidedChatModel

log = logging.getLogger(__name__)

# The longest HTML5 entity name is 31 characters; anything longer after "&" is no entity.
_PARTIAL_ENTITY = re.compile(r"&#?[0-9A-Za-z]{0,32}$")


def is_blank_reply(message: BaseMessage) -> bool:
    """True for an AI message with neither a tool call nor any visible text."""
    if not isinstance(message, AIMessage) or message.tool_calls:
        return False
    content = message.content
    if isinstance(content, list):  # content blocks: only text blocks count
        content = "".join(block if isinstance(block, str) else str(block.get("text", "")) for block in content)
    return not str(content).strip()


def answer_of(model: Runnable, messages: list[BaseMessage], **call_options: Any) -> BaseMessage:
    """The model's answer to `messages`: asked again once if blank, then guided mode's answer."""
    answer = model.invoke(messages, **call_options)
    if not is_blank_reply(answer):
        return answer
    log.warning("The model wrote an empty reply; asking once more.")
    answer = model.invoke(messages, **call_options)
    if not is_blank_reply(answer):
        return answer
    log.warning("The model wrote an empty reply twice; guided mode answers this turn.")
    return GuidedChatModel().invoke(messages)


def decode_entities(text: str) -> str:
    """`text` with HTML character references (`&#39;`, `&amp;`, `&lt;`) decoded, once."""
    return html.unescape(text) if "&" in text else text


class EntityStreamDecoder:
    """`decode_entities` for streamed text: an entity split across deltas (`&am` + `p;`) is held
    until the next delta completes it, so a decoded and an undecoded half never mix."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, delta: str) -> str:
        text = self._held + delta
        partial = _PARTIAL_ENTITY.search(text)
        cut = partial.start() if partial else len(text)
        self._held = text[cut:]
        return decode_entities(text[:cut])

    def finish(self) -> str:
        held, self._held = self._held, ""
        return decode_entities(held)
