"""Tasks in tau-bench's own shape (`user_id`, `instruction`, `actions`, `outputs`), run on our data.

The database is a copy of the configured one, which must hold the tau-bench import (`returndesk seed
--reset --from-tau-bench DIR`). Ground-truth write actions become our expected changes, applied by our
own backend (qa.eval.changes) to find the expected end state; read actions say nothing about the end
state and are ignored; actions we have no backend for yet make the task "unsupported", with the reason.
The customer is simulated (the instruction is theirs) and starts anonymous, as in tau-bench.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mock_backends.orders.models import Customer, Payment, PaymentMethod
from mock_backends.orders.repository import normalize_order_id
from qa.eval.changes import unsupported_changes
from qa.eval.task_format import (
    CustomerSpec,
    Exchange,
    ExpectedState,
    Fact,
    ItemChange,
    OrderCancellation,
    OrderChange,
    ReturnChange,
    Task,
)
from qa.eval.trial import EvalCase

READ_ACTIONS = frozenset(
    {
        "find_user_id_by_email",
        "find_user_id_by_name_zip",
        "get_order_details",
        "get_product_details",
        "get_user_details",
        "list_all_product_types",
        "calculate",
        "think",
    }
)
MODIFICATIONS = {
    "modify_pending_order_address": "order_address",
    "modify_pending_order_payment": "order_payment",
    "modify_pending_order_items": "order_items",
    "modify_user_address": "user_address",
}


class TauTaskError(Exception):
    """The tasks file cannot be used as it is; the message says why and what to do."""


class TauAction(BaseModel):  # type: ignore[no-redef]  # the pydantic plugin's __init__ has a **kwargs too
    model_config = ConfigDict(extra="ignore")
    name: str
    kwargs: dict[str, Any] = Field(default_factory=dict)


class TauTask(BaseModel):
    model_config = ConfigDict(extra="ignore")  # tau-bench's own fields we do not use (annotator, ...)
    user_id: str
    instruction: str = Field(min_length=1)
    actions: list[TauAction] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)
    id: str | None = None


def load_tau_tasks(path: Path) -> list[TauTask]:
    """A JSON list of tasks (or {"tasks": [...]}) in tau-bench's shape."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TauTaskError(f"{path}: cannot read it as JSON: {error}") from None
    items = data.get("tasks") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise TauTaskError(f"{path}: expected a JSON list of tasks (user_id, instruction, actions, outputs)")
    try:
        return [TauTask.model_validate(item) for item in items]
    except ValidationError as error:
        first = error.errors()[0]
        raise TauTaskError(f"{path}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None


def tau_cases(tasks: list[TauTask], engine: Engine) -> list[EvalCase]:
    """Our tasks for tau-bench's, checked against `engine` (the configured database, tau-bench imported)."""
    with Session(engine) as session:
        missing = sorted({t.user_id for t in tasks if session.get(Customer, t.user_id) is None})
    if missing:
        raise TauTaskError(
            f"users {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''} are not in the "
            "configured database: import tau-bench first (returndesk seed --reset "
            "--from-tau-bench DIR) and point RETURNDESK_DATABASE_URL at that database"
        )
    return [tau_case(task, n, engine) for n, task in enumerate(tasks)]


def tau_case(task: TauTask, index: int, engine: Engine) -> EvalCase:
    expected, unsupported = ExpectedState(), []
    for action in task.actions:
        if action.name in READ_ACTIONS:
            continue
        try:
            _add(expected, action, engine)
        except (KeyError, TypeError, ValueError) as error:
            unsupported.append(f"action {action.name}: {error}")
    unsupported += unsupported_changes(expected)
    ours = Task(
        id=task.id or f"tau-{index:03d}",
        language="en",
        category="tau_bench",
        world={"database": "configured"},
        customer=CustomerSpec(anonymous=True),
        goal=task.instruction.strip().split(". ")[0][:200],
        instruction=task.instruction,
        expected=expected,
        facts=[Fact(contains=o, ignore_case=True) for o in task.outputs],
    )
    return EvalCase(ours, unsupported)


def _add(expected: ExpectedState, action: TauAction, engine: Engine) -> None:
    """Adds `action`'s change to `expected`; ValueError (with the reason) when it has no counterpart."""
    kw = action.kwargs
    if action.name == "return_delivered_order_items":
        order_id = normalize_order_id(kw["order_id"])
        expected.returns.append(
            ReturnChange(
                order_id=order_id,
                items=_items(kw["item_ids"]),
                refund_method=_refund_method(engine, order_id, kw["payment_method_id"]),
            )
        )
    elif action.name == "transfer_to_human_agents":
        expected.tickets += 1
    elif action.name == "cancel_pending_order":
        expected.order_cancellations.append(OrderCancellation(order_id=kw["order_id"], reason=kw.get("reason", "")))
    elif action.name == "exchange_delivered_order_items":
        expected.exchanges.append(
            Exchange(
                order_id=kw["order_id"],
                items=_items(kw["item_ids"]),
                new_item_ids=list(kw["new_item_ids"]),
                payment_method_id=kw.get("payment_method_id"),
            )
        )
    elif action.name in MODIFICATIONS:
        expected.order_changes.append(
            OrderChange(change=MODIFICATIONS[action.name], order_id=kw.get("order_id"), details=dict(kw))
        )
    else:
        raise ValueError("not an action of tau-bench's retail domain that we know")


def _items(item_ids: list[str]) -> list[ItemChange]:
    """tau-bench repeats an item id to mean two of it; the import made that one line of quantity 2."""
    return [ItemChange(item_id=str(i), quantity=n) for i, n in Counter(item_ids).items()]


def _refund_method(engine: Engine, order_id: str, payment_method_id: str) -> str:
    """tau-bench names the refund's payment method; ours is original_payment or the customer's gift card."""
    with Session(engine) as session:
        method = session.get(PaymentMethod, payment_method_id)
        charge = session.exec(
            select(Payment).where(Payment.order_id == order_id, Payment.direction == "charge").order_by(col(Payment.id))
        ).first()
        if method is not None and method.kind == "gift_card":
            first_gift_card = session.exec(
                select(PaymentMethod.id)
                .where(PaymentMethod.customer_id == method.customer_id, PaymentMethod.kind == "gift_card")
                .order_by(col(PaymentMethod.id))
            ).first()
            if first_gift_card == method.id:
                return "gift_card"
        if charge is not None and charge.payment_method_id == payment_method_id:
            return "original_payment"
    raise ValueError(
        f"a refund to {payment_method_id}, which is neither the order's payment method nor the "
        "customer's gift card (our refunds go to one of those)"
    )


def load_tau_cases(path: Path, database_url: str) -> list[EvalCase]:
    """The cases of a tau-bench tasks file, checked against the database at `database_url`."""
    from mock_backends.orders.db import make_engine

    tasks = load_tau_tasks(path)
    engine = make_engine(database_url)
    try:
        return tau_cases(tasks, engine)
    finally:
        engine.dispose()
