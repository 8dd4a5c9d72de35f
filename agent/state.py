"""The conversation state the graph checkpoints. Everything else is derived from `messages`."""

from __future__ import annotations

from typing import Annotated, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class ReturnDeskState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    # Set by the server after sign-in, never by the model: tools read the customer from here.
    customer_id: str | None
    customer_name: str | None
    language: str  # "en" or "zh": the language the customer writes in
