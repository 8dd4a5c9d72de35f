"""The conversation state the graph checkpoints. Everything else is derived from `messages`."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class ReturnDeskState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    # Set by the server after sign-in or by the verify_customer tool, never by the model's
    # arguments: tools read the customer from here.
    customer_id: str | None
    customer_name: str | None
    language: str  # a code of core.languages ("en", "zh"): the language the customer writes in
    # The card the guard approved and `confirm` shows: {"action": ConfirmationCard (tools.cards), "fingerprint": str}.
    pending_action: dict[str, Any] | None
    # Why the graph is handing off right now ("customer_asked", "tool_round_limit", ...); cleared by handoff.
    handoff_reason: str | None
    # Output guardrail: why the last reply was rejected, and how often this turn (one regeneration).
    reply_feedback: str | None
    reply_retries: int


Reasoner = Literal["identify", "assist"]


def is_verified(state: ReturnDeskState) -> bool:
    return bool(state.get("customer_id"))


def reasoner_for(state: ReturnDeskState) -> Reasoner:
    """Who thinks next: `assist` (every tool) once the customer is verified, else `identify`."""
    return "assist" if is_verified(state) else "identify"
