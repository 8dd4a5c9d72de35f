"""Streamed reply text is shown only once the output check would let it through.

`check_reply` judges a reply when it is complete, but the streaming routes (SSE, the OpenAI route,
the web app) send tokens while it is written: an invented RMA or a "your refund has been issued"
would reach the customer before the check replaces it. `HeldReply` sits between the stream and the
customer: it releases text a sentence at a time, and only while everything released so far passes
the same checks against the tool results seen so far. Once a sentence fails, the rest of the reply
waits for `check_reply`'s verdict (`approved` releases it, `rejected` drops it).
"""

from __future__ import annotations

import re

from langchain_core.messages import BaseMessage

from agent.guardrails import unsupported_facts
from agent.reply_claims import unsupported_actions, unsupported_order_ids

# A sentence ends at 。！？ or a newline, or at . ! ? once the next character shows it is no decimal point.
_SENTENCE_END = re.compile(r"[。！？\n]|[.!?](?=\s)")


class HeldReply:
    """The checked, released part of the reply being streamed. Feed it tokens; it returns what may be shown."""

    def __init__(self, history: list[BaseMessage]) -> None:
        self.history = list(history)  # the conversation so far, tool results included
        self._reset()

    def _reset(self) -> None:
        self.text = ""
        self.released = 0
        self.suspect = False

    def saw(self, message: BaseMessage) -> None:
        """A message of this turn (a tool result): later text may cite it."""
        self.history.append(message)

    def feed(self, token: str) -> str:
        """Add streamed text; return the part that may be shown now (possibly "")."""
        self.text += token
        if self.suspect:
            return ""
        ends = [m.end() for m in _SENTENCE_END.finditer(self.text, self.released)]
        if not ends:
            return ""
        candidate = self.text[: ends[-1]]
        if self._problems(candidate):
            self.suspect = True
            return ""
        shown, self.released = self.text[self.released : ends[-1]], ends[-1]
        return shown

    def approved(self) -> str:
        """`check_reply` let the reply through: the rest of it, to show now."""
        rest = self.text[self.released :]
        self._reset()
        return rest

    def rejected(self) -> str:
        """`check_reply` refused the reply: drop what was held (a new reply or a safe message follows)."""
        self._reset()
        return ""

    def _problems(self, text: str) -> list[str]:
        return (
            unsupported_facts(text, self.history)
            + unsupported_actions(text, self.history)
            + unsupported_order_ids(text, self.history)
        )
