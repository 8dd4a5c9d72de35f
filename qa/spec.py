"""The conversation file format: one YAML file that QA writes by hand or a recording produces.

A file names a customer, the user turns (or Confirm / Cancel clicks) and what to expect after each
turn, plus the expected end state in the database. A recorded conversation is the same format with
exact expectations and a `recording` block naming its vcrpy cassette. See docs/conversation-tests.md.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a typo in a test file is an error, not a silent pass


class CustomerSpec(Strict):
    """How a conversation (or an eval task) starts: signed in with email + order number or name +
    postcode, or anonymous. Shared by the QA specs and the eval's task files."""

    email: str | None = None
    order_id: str | None = None
    name: str | None = None
    postcode: str | None = None
    anonymous: bool = False

    @model_validator(mode="after")
    def one_way(self) -> CustomerSpec:
        signed_in = bool(self.email and self.order_id) or bool(self.name and self.postcode)
        if self.anonymous == signed_in:
            raise ValueError("customer needs email + order_id, or name + postcode, or anonymous: true (one of them)")
        return self


class ItemExpect(Strict):
    product: str
    quantity: int


class PendingExpect(Strict):
    """The confirmation card shown after the turn; fields left out are not checked."""

    tool: str | None = None
    order_id: str | None = None
    refund_method: str | None = None
    refund_amount: str | None = None
    items: list[ItemExpect] | None = None


class TurnExpect(Strict):
    tools: list[str] | None = Field(None, description="Exactly these tools ran this turn, in this order.")
    tool_args: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="For a named tool: these arguments (a subset)."
    )
    reply: str | None = Field(None, description="The whole reply (volatile ids masked); recordings use it.")
    reply_contains: list[str] = []
    reply_not_contains: list[str] = []
    pending: bool | PendingExpect | None = Field(
        None, description="false: no card; true: some card; an object: a card matching it."
    )
    mode: Literal["guided", "model"] | None = None
    error: str | None = Field(None, description="The turn is refused with a message containing this.")


class Turn(Strict):
    user: str | None = None
    action: Literal["confirm", "cancel"] | None = None
    expect: TurnExpect = Field(default_factory=TurnExpect)

    @model_validator(mode="after")
    def one_input(self) -> Turn:
        if (self.user is None) == (self.action is None):
            raise ValueError("a turn has either `user:` text or an `action:` (confirm / cancel)")
        return self

    @property
    def label(self) -> str:
        return self.user if self.user is not None else f"[{self.action}]"


class ReturnExpect(Strict):
    order_id: str
    items: list[ItemExpect] | None = None
    refund_method: str | None = None
    refund_amount: str | None = None
    status: str | None = None


class EndState(Strict):
    returns: list[ReturnExpect] | None = Field(None, description="Exactly these returns exist ([] = nothing written).")
    tickets: int | None = Field(None, description="How many hand-off tickets the conversation opened.")


class RecordingMeta(Strict):
    """Present on recorded conversations: how to rebuild the world they were recorded in."""

    recorded_at: datetime  # the clock is frozen here on replay, and the demo data seeded relative to it
    cassette: str = "cassette.yaml"
    llm_base_url: str | None = None
    llm_model: str | None = None


class ConversationSpec(Strict):
    name: str
    description: str = ""
    language: str = "en"  # a code of core.languages: the session's language (anonymous sessions)
    customer: CustomerSpec
    turns: list[Turn] = Field(min_length=1)
    end_state: EndState = Field(default_factory=EndState)
    recording: RecordingMeta | None = None


def load_spec(path: Path) -> ConversationSpec:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return ConversationSpec.model_validate(data)


def dump_spec(spec: ConversationSpec, path: Path) -> None:
    data = spec.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data["customer"] = spec.customer.model_dump(exclude_none=True, exclude_defaults=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


def spec_files(paths: list[Path]) -> list[Path]:
    """Conversation files under `paths`: a YAML file, or a recording directory, or folders of either."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir() and (path / "conversation.yaml").exists():
            found.append(path / "conversation.yaml")
        elif path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.yaml") if not p.name.endswith("cassette.yaml")))
        else:
            found.append(path)
    return found
