"""The evaluation task format: one YAML file per task, validated with pydantic (docs/eval.md).

A task names the world it runs in, the customer and how they start (signed in or anonymous), what
they want (goal, persona), EITHER their scripted turns OR an instruction for a simulated customer,
and what must hold at the end: the database's expected changes (everything else unchanged) and the
facts the replies must state.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from qa.spec import CustomerSpec  # one customer spec for QA conversations and eval tasks

CATEGORIES = (
    "return",
    "refusal",
    "return_status",
    "tracking",
    "policy",
    "handoff",
    "injection",
    "verification",
    "foreign_order",
    "tau_bench",
)
Category = Literal[
    "return",
    "refusal",
    "return_status",
    "tracking",
    "policy",
    "handoff",
    "injection",
    "verification",
    "foreign_order",
    "tau_bench",
    "cancel_order",
    "exchange",
    "order_change",
]


class TaskFileError(Exception):
    """A task file that cannot be used; the message names the file and every problem in it."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a typo in a task is an error, not a silently easier task


class WorldSpec(Strict):
    """The database a trial starts from: a fresh demo seed (plus generated customers), or a copy of the
    configured database (RETURNDESK_DATABASE_URL, e.g. one holding the tau-bench import)."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # hashable: one template per kind of world

    database: Literal["demo", "configured"] = "demo"
    generated_customers: int = Field(0, ge=0, le=500, description="Add this many generated customers.")
    generated_seed: int = Field(0, description="Their seed: seed 0's first customer is Mason Williams.")


class CardAnswer(Strict):
    """The customer clicks Confirm or Cancel on the confirmation card."""

    action: Literal["confirm", "cancel"]


Turn = str | CardAnswer  # a message the customer types, or a click on the card


class ItemChange(Strict):
    """Items of an order line, named by product (English or Chinese name) or by item (variant) id."""

    product: str | None = None
    item_id: str | None = None
    quantity: int = Field(1, ge=1)

    @model_validator(mode="after")
    def named(self) -> ItemChange:
        if (self.product is None) == (self.item_id is None):
            raise ValueError("an item is named by `product` or by `item_id` (one of them)")
        return self

    @property
    def label(self) -> str:
        return f"{self.product or self.item_id} x{self.quantity}"


class ReturnChange(Strict):
    """A return the conversation creates (status open), or creates and then cancels (status cancelled)."""

    order_id: str
    items: list[ItemChange] = Field(min_length=1)
    refund_method: Literal["original_payment", "gift_card"] = "original_payment"
    damaged: bool = False
    refund_amount: str | None = Field(None, description="Checked against what the policy computes, e.g. '89.99'.")
    status: Literal["open", "cancelled"] = "open"


class OrderCancellation(Strict):
    """A pending order cancelled (tau-bench's cancel_pending_order)."""

    order_id: str
    reason: str = ""


class Exchange(Strict):
    """Delivered items exchanged for other variants (tau-bench's exchange_delivered_order_items)."""

    order_id: str
    items: list[ItemChange] = Field(min_length=1)
    new_item_ids: list[str] = Field(min_length=1)
    payment_method_id: str | None = None
    status: Literal["open", "cancelled"] = "open"  # cancelled: created, then cancelled by the customer


class OrderChange(Strict):
    """A pending order's address, payment or items changed, or the customer's (default) address.

    `details`: for an address, its fields (line1, line2, city, region, postcode, country; or tau-bench's
    address1, address2, state, zip); for a payment, `payment_method_id`. `user_address` changes the
    address of the customer who owns `order_id` (or `details.user_id`)."""

    change: Literal["order_address", "order_payment", "order_items", "user_address"]
    order_id: str | None = None
    details: dict[str, object] = Field(default_factory=dict)


class ExpectedState(Strict):
    """What the conversation changes in the database; anything not listed must stay as it was."""

    returns: list[ReturnChange] = []
    order_cancellations: list[OrderCancellation] = []
    exchanges: list[Exchange] = []
    order_changes: list[OrderChange] = []
    tickets: int = Field(0, ge=0, description="Hand-off tickets opened.")


class Fact(Strict):
    """Something the agent's replies (all of them, together) must state, or must not."""

    contains: str | None = None
    regex: str | None = None
    ignore_case: bool = False

    @model_validator(mode="after")
    def one_test(self) -> Fact:
        if (self.contains is None) == (self.regex is None):
            raise ValueError("a fact is `contains: text` or `regex: pattern` (one of them)")
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as error:
                raise ValueError(f"regex {self.regex!r} does not compile: {error}") from None
        return self

    @property
    def label(self) -> str:
        return f"/{self.regex}/" if self.regex is not None else repr(self.contains)

    def found_in(self, text: str) -> bool:
        flags = re.IGNORECASE if self.ignore_case else 0
        if self.regex is not None:
            return re.search(self.regex, text, flags) is not None
        assert self.contains is not None
        return (self.contains.lower() in text.lower()) if self.ignore_case else self.contains in text


class Task(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    language: Literal["en", "zh"]
    category: Category
    description: str = ""
    world: WorldSpec = Field(default_factory=WorldSpec)
    customer: CustomerSpec
    goal: str = Field(min_length=1, description="What the customer wants, in a sentence.")
    persona: str = Field("", description="How they write: terse, polite, impatient...")
    turns: list[Turn] | None = Field(None, description="The customer's scripted turns.")
    instruction: str | None = Field(None, description="For a simulated customer (--user-model-url).")
    expected: ExpectedState = Field(default_factory=ExpectedState)
    facts: list[Fact] = Field(default_factory=list, description="The replies must state each of these.")
    forbidden: list[Fact] = Field(default_factory=list, description="The replies must state none of these.")

    @field_validator("facts", "forbidden", mode="before")
    @classmethod
    def plain_strings_are_substrings(cls, value: object) -> object:
        if isinstance(value, list):
            return [{"contains": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def scripted_or_simulated(self) -> Task:
        if (self.turns is None) == (self.instruction is None):
            raise ValueError("a task has scripted `turns` or an `instruction` for a simulated customer (one of them)")
        if self.turns is not None and not self.turns:
            raise ValueError("`turns` is empty")
        return self

    @property
    def scripted(self) -> bool:
        return self.turns is not None


def load_task(path: Path) -> Task:
    """The task in `path`; TaskFileError names the file and each field that is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TaskFileError(f"{path}: cannot read it as YAML: {error}") from None
    if not isinstance(data, dict):
        raise TaskFileError(f"{path}: a task file holds one mapping (id, language, customer, ...)")
    try:
        return Task.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(task)'}: {e['msg']}" for e in error.errors())
        raise TaskFileError(f"{path}: {problems}") from None


SUITE = Path(__file__).parent / "tasks"


def task_files(paths: list[Path]) -> list[Path]:
    """YAML task files under `paths` (files, or folders searched recursively), in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*.yaml")))
        elif path.is_file():
            found.append(path)
        else:
            raise TaskFileError(f"{path}: no such file or folder")
    return found


def load_tasks(paths: list[Path]) -> list[Task]:
    """Every task under `paths`; all problems of all files reported at once, and ids must be unique."""
    tasks, problems = [], []
    for path in task_files(paths):
        try:
            tasks.append(load_task(path))
        except TaskFileError as error:
            problems.append(str(error))
    seen: dict[str, int] = {}
    for task in tasks:
        seen[task.id] = seen.get(task.id, 0) + 1
    problems += [f"task id {task_id!r} is used by {n} files" for task_id, n in seen.items() if n > 1]
    if problems:
        raise TaskFileError("\n".join(problems))
    return tasks
