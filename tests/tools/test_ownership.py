"""Every tool refuses another customer's order, return or parcel as "not found", leaks nothing
about it, changes nothing, and the refusal is audited.

Generic over tools/registry.py: every registered tool with an `order_id`, `rma` or
`tracking_number` argument is called with Bob's identifier while Alice is signed in. A tool added
later is covered automatically; if it needs more arguments than the identifier, this test fails
and asks for an entry in ARG_BUILDERS.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from mock_backends.orders.errors import OrderSystemError
from mock_backends.orders.models import OrderItem, ReturnRequest, Shipment
from mock_backends.orders.returns import ReturnLine, create_return
from tests.tools.toolcall import audit_rows, invoke_tool
from tools.deps import ToolDeps
from tools.registry import REGISTRY, spec_for

ALICE = "alice_chen_1001"  # signed in
BOB = "bob_miller_1003"  # owns what she asks for
IDENTIFYING_ARGS = ("order_id", "rma", "tracking_number")
# Text from Bob's account that must never appear in a result Alice sees.
BOBS_SECRETS = ("Camping Tent", "Face Serum", "350 5th Ave", "Miller", "159.00", "PayPal")


@dataclass(frozen=True)
class BobsThings:
    order_id: str
    order_item_id: int
    rma: str
    tracking_number: str


# Tools that need more than the identifier: the rest of a plausible call on Bob's things.
ARG_BUILDERS: dict[str, Callable[[BobsThings], dict[str, Any]]] = {
    "create_return": lambda bob: {"items": [{"order_item_id": bob.order_item_id, "quantity": 1}]},
    "check_return_eligibility": lambda bob: {"items": [{"order_item_id": bob.order_item_id, "quantity": 1}]},
    "cancel_order": lambda bob: {"reason": "no longer needed"},
    "exchange_items": lambda bob: {"items": [{"order_item_id": bob.order_item_id, "new_variant_id": "P-SERUM-50ML"}]},
    "change_order_address": lambda bob: {
        "address": {"line1": "500 Howard St", "city": "San Francisco", "region": "CA", "postcode": "94107"}
    },
    "change_order_payment": lambda bob: {"payment_method_id": "card_alice_chen_1001"},  # her own card, his order
    "change_order_items": lambda bob: {
        "items": [{"order_item_id": bob.order_item_id, "new_variant_id": "P-SERUM-50ML"}]
    },
}
# Tools that take an identifier but do not act for a signed-in customer, with the reason.
NOT_OWNER_SCOPED: dict[str, str] = {
    "verify_customer": "it establishes who the customer is (email + order number); its own tests cover it",
}


def identifier_cases() -> list[tuple[str, str]]:
    cases = []
    for spec in REGISTRY:
        properties = spec.tool.tool_call_schema.model_json_schema().get("properties", {})
        cases += [
            (spec.name, arg) for arg in IDENTIFYING_ARGS if arg in properties and spec.name not in NOT_OWNER_SCOPED
        ]
    return cases


CASES = identifier_cases()


@pytest.fixture
def deps(settings: Settings, engine: Engine) -> ToolDeps:
    return ToolDeps(engine=engine, settings=settings)


@pytest.fixture
def bob(engine: Engine) -> BobsThings:
    with Session(engine) as db:
        item = db.exec(select(OrderItem).where(OrderItem.order_id == "#W1000021").order_by(col(OrderItem.id))).first()
        parcel = db.exec(select(Shipment).where(Shipment.order_id == "#W1000021")).first()
    assert item is not None and item.id is not None and parcel is not None
    # The serum (2 bought): Bob returns one, so one is still returnable and his return is cancellable.
    serum = item.id + 1
    created = create_return(
        engine,
        customer_id=BOB,
        order_id="#W1000021",
        lines=[ReturnLine(serum, 1)],
        refund_method="original_payment",
        reason="",
        idempotency_key="bob-1",
    )
    return BobsThings(
        order_id="#W1000021", order_item_id=serum, rma=created.rma, tracking_number=parcel.tracking_number
    )


def bobs_state(engine: Engine) -> tuple[list[tuple[int, int]], list[tuple[str, str]]]:
    with Session(engine) as db:
        items = db.exec(select(OrderItem).where(OrderItem.order_id == "#W1000021")).all()
        returns = db.exec(select(ReturnRequest).where(ReturnRequest.customer_id == BOB)).all()
        return sorted((i.id or 0, i.quantity_returned) for i in items), sorted((r.rma, r.status) for r in returns)


def call_on_bobs(tool: str, identifier: str, bob: BobsThings) -> dict[str, Any]:
    args = {identifier: getattr(bob, identifier)} | ARG_BUILDERS.get(tool, lambda _bob: {})(bob)
    required = set(spec_for(tool).tool.tool_call_schema.model_json_schema().get("required", []))  # type: ignore[union-attr]
    if missing := required - set(args):
        pytest.fail(
            f"{tool} needs {sorted(missing)} besides {identifier}: add an entry for it to ARG_BUILDERS in {__file__}"
        )
    return args


def test_every_tool_we_know_takes_an_identifier_is_checked() -> None:
    checked = {tool for tool, _arg in CASES}
    assert {
        "lookup_order",
        "check_return_eligibility",
        "create_return",
        "get_return_status",
        "cancel_return",
    } <= checked


@pytest.mark.parametrize(("tool", "identifier"), CASES, ids=[f"{t}({a})" for t, a in CASES])
def test_another_customers_identifier_is_not_found_and_the_refusal_is_audited(
    tool: str, identifier: str, deps: ToolDeps, bob: BobsThings
) -> None:
    args = call_on_bobs(tool, identifier, bob)
    before = bobs_state(deps.engine)

    result = invoke_tool(tool, args, deps=deps, customer_id=ALICE)

    assert result["ok"] is False, result
    assert "not_found" in result["code"], f"{tool} must answer 'not found', never confirm Bob's {identifier} exists"
    leaked = [s for s in BOBS_SECRETS if s in json.dumps(result, ensure_ascii=False)]
    assert not leaked, f"{tool} leaked {leaked}"
    assert bobs_state(deps.engine) == before
    assert [(a.actor, a.outcome) for a in audit_rows(deps.engine, tool, actor=ALICE)] == [(ALICE, "refused")]


SENSITIVE_CASES = [(t, a) for t, a in CASES if spec_for(t).sensitive]  # type: ignore[union-attr]


@pytest.mark.parametrize(("tool", "identifier"), SENSITIVE_CASES, ids=[f"{t}({a})" for t, a in SENSITIVE_CASES])
def test_no_confirmation_card_is_built_for_another_customers_things(
    tool: str, identifier: str, deps: ToolDeps, bob: BobsThings
) -> None:
    args = call_on_bobs(tool, identifier, bob)
    state = {"customer_id": ALICE, "language": "en", "messages": []}

    with pytest.raises(OrderSystemError) as refused:
        spec_for(tool).preview(args, state, deps)  # type: ignore[union-attr,misc]

    assert not any(s in str(refused.value) for s in BOBS_SECRETS)
    assert [(a.actor, a.outcome) for a in audit_rows(deps.engine, tool, actor=ALICE)] == [(ALICE, "refused")]


def test_listing_orders_shows_only_the_signed_in_customers_orders(deps: ToolDeps) -> None:
    listed = invoke_tool("list_orders", {"limit": 20}, deps=deps, customer_id=ALICE)
    assert listed["ok"] and listed["orders"]
    assert {o["order_id"] for o in listed["orders"]} == {f"#W100000{n}" for n in range(1, 8)}


def test_nothing_is_reachable_before_the_customer_is_verified(deps: ToolDeps, bob: BobsThings) -> None:
    for tool, identifier in CASES:
        result = invoke_tool(tool, call_on_bobs(tool, identifier, bob), deps=deps, customer_id=None)
        assert (result["ok"], result["code"]) == (False, "not_verified"), tool
