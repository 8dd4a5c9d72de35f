"""A customer checks a return's status and cancels it before it ships; refunds go where policy allows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import ToolMessage
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.models import OrderItem, PaymentMethod, ReturnRequest
from mock_backends.orders.seed import seed_demo
from tests.tools.test_create_return_concurrency import race
from tests.tools.toolcall import audit_rows, invoke_tool
from tools.deps import ToolDeps
from tools.registry import spec_for

ALICE = "alice_chen_1001"
BOB = "bob_miller_1003"


@pytest.fixture
def deps(settings: Settings, engine: Engine) -> ToolDeps:
    return ToolDeps(engine=engine, settings=settings)


def item_ids(engine: Engine, order_id: str) -> list[int]:
    with Session(engine) as db:
        return [
            i.id
            for i in db.exec(
                select(OrderItem)
                .where(OrderItem.order_id == order_id)  # type: ignore[misc]
                .order_by(col(OrderItem.id))
            ).all()
        ]


def returned_units(engine: Engine, order_item_id: int) -> int:
    with Session(engine) as db:
        return db.get(OrderItem, order_item_id).quantity_returned  # type: ignore[union-attr]


def new_return(
    deps: ToolDeps,
    customer: str = ALICE,
    order_id: str = "#W1000001",
    *,
    refund_method: str = "original_payment",
    call_id: str = "call-create",
) -> dict:
    first_item = item_ids(deps.engine, order_id)[0]
    result = invoke_tool(
        "create_return",
        {"order_id": order_id, "refund_method": refund_method, "items": [{"order_item_id": first_item, "quantity": 1}]},
        deps=deps,
        customer_id=customer,
        call_id=call_id,
    )
    assert result["ok"], result
    return result


def set_status(engine: Engine, rma: str, status: str) -> None:
    with Session(engine) as db:
        db.execute(update(ReturnRequest).where(col(ReturnRequest.rma) == rma).values(status=status))
        db.commit()


def test_return_status_shows_items_refund_and_that_it_can_be_cancelled(deps: ToolDeps) -> None:
    created = new_return(deps)
    status = invoke_tool("get_return_status", {"rma": created["rma"].lower()}, deps=deps, customer_id=ALICE)

    assert status["ok"] and status["rma"] == created["rma"]
    assert (status["status"], status["cancellable"], status["refund_amount"]) == ("requested", True, "89.99")
    assert status["refund_to"] == "Visa ending 4242"
    assert [(i["product"], i["quantity"]) for i in status["items"]] == [("Wireless Headphones", 1)]


def test_cancelling_a_return_gives_the_items_back_and_they_can_be_returned_again(deps: ToolDeps) -> None:
    created = new_return(deps)
    headphones = created["items"][0]["order_item_id"]
    assert returned_units(deps.engine, headphones) == 1

    cancelled = invoke_tool(
        "cancel_return", {"rma": created["rma"], "reason": "changed my mind"}, deps=deps, customer_id=ALICE
    )

    assert cancelled["ok"] and (cancelled["status"], cancelled["cancellable"]) == ("cancelled", False)
    assert returned_units(deps.engine, headphones) == 0
    eligibility = invoke_tool(
        "check_return_eligibility",
        {"order_id": "#W1000001", "items": [{"order_item_id": headphones}]},
        deps=deps,
        customer_id=ALICE,
    )
    assert eligibility["items"][0]["eligible"] is True
    assert [(a.actor, a.outcome) for a in audit_rows(deps.engine, "cancel_return")] == [(ALICE, "ok")]


@pytest.mark.parametrize("status", ["in_transit", "received", "refunded", "cancelled"])
def test_a_return_that_has_shipped_or_ended_cannot_be_cancelled(deps: ToolDeps, status: str) -> None:
    created = new_return(deps)
    set_status(deps.engine, created["rma"], status)
    headphones = created["items"][0]["order_item_id"]

    refused = invoke_tool("cancel_return", {"rma": created["rma"]}, deps=deps, customer_id=ALICE)
    with pytest.raises(Exception, match="can no longer be cancelled"):
        spec_for("cancel_return").preview({"rma": created["rma"]}, {"customer_id": ALICE}, deps)  # type: ignore[union-attr,misc]

    assert refused["ok"] is False and refused["code"] == "not_cancellable"
    assert "can no longer be cancelled" in refused["error"]
    assert returned_units(deps.engine, headphones) == 1
    assert [a.outcome for a in audit_rows(deps.engine, "cancel_return")] == ["refused", "refused"]


def test_the_cancellation_card_names_the_return_and_its_items(deps: ToolDeps) -> None:
    created = new_return(deps)
    card = spec_for("cancel_return").preview({"rma": created["rma"]}, {"customer_id": ALICE}, deps)  # type: ignore[union-attr,misc]

    assert card.tool == "cancel_return" and created["rma"] in card.title
    assert ("Wireless Headphones", "× 1") in [(line.label, line.value) for line in card.lines]
    # Nothing will be refunded: the only amount is the refund given up, and says so.
    assert [(a.label, a.cents) for a in card.amounts] == [("Refund cancelled", 8999)]
    assert "no refund is made" in card.on_confirm


def test_racing_cancellations_give_the_items_back_once(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    create_tables(engine)
    seed_demo(engine)
    deps = ToolDeps(engine=engine, settings=Settings(data_dir=tmp_path, database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    cable = item_ids(engine, "#W1000001")[1]  # 2 bought: one return of 1, cancelled twice at once
    created = invoke_tool(
        "create_return",
        {"order_id": "#W1000001", "items": [{"order_item_id": cable, "quantity": 1}]},
        deps=deps,
        customer_id=ALICE,
    )
    other = invoke_tool(
        "create_return",
        {"order_id": "#W1000001", "items": [{"order_item_id": cable, "quantity": 1}]},
        deps=deps,
        customer_id=ALICE,
        call_id="call-2",
    )
    assert created["ok"] and other["ok"]

    results = race(
        [
            lambda n=n: invoke_tool(
                "cancel_return", {"rma": created["rma"]}, deps=deps, customer_id=ALICE, call_id=f"cancel-{n}"
            )
            for n in range(2)
        ]
    )

    assert sorted(r["ok"] for r in results) == [False, True], results
    assert returned_units(engine, cable) == 1  # the other return still holds its unit
    engine.dispose()


def test_refund_to_a_gift_card_goes_to_the_customers_existing_gift_card(deps: ToolDeps) -> None:
    created = new_return(deps, refund_method="gift_card")
    status = invoke_tool("get_return_status", {"rma": created["rma"]}, deps=deps, customer_id=ALICE)
    with Session(deps.engine) as db:
        ret = db.exec(select(ReturnRequest)).one()
        card = db.get(PaymentMethod, ret.refund_payment_method_id)
    assert card is not None and (card.customer_id, card.kind) == (ALICE, "gift_card")
    assert status["refund_method"] == "gift_card"


def test_refund_to_the_original_payment_goes_to_what_paid_the_order(deps: ToolDeps) -> None:
    created = new_return(deps, customer=BOB, order_id="#W1000021")  # paid with PayPal
    status = invoke_tool("get_return_status", {"rma": created["rma"]}, deps=deps, customer_id=BOB)
    assert status["refund_to"] == "PayPal bob@example.com"


def test_a_gift_card_refund_is_refused_when_the_customer_has_no_gift_card(deps: ToolDeps) -> None:
    with Session(deps.engine) as db:
        db.delete(db.get(PaymentMethod, f"gift_card_{ALICE}"))
        db.commit()
    headphones = item_ids(deps.engine, "#W1000001")[0]
    args = {
        "order_id": "#W1000001",
        "refund_method": "gift_card",
        "items": [{"order_item_id": headphones, "quantity": 1}],
    }

    checked = invoke_tool("check_return_eligibility", {"order_id": "#W1000001"}, deps=deps, customer_id=ALICE)
    conversation = [ToolMessage(json.dumps(checked), name="check_return_eligibility", tool_call_id="call-0")]

    refused = invoke_tool("create_return", args, deps=deps, customer_id=ALICE)
    with pytest.raises(Exception, match="no gift card"):
        spec_for("create_return").preview(args, {"customer_id": ALICE, "messages": conversation}, deps)  # type: ignore[union-attr,misc]

    assert refused["ok"] is False and "no gift card" in refused["error"]
    assert returned_units(deps.engine, headphones) == 0


@pytest.mark.parametrize(
    "args",
    [
        {"order_id": "#W1000001", "items": []},
        {"order_id": "#W1000001", "items": [{"order_item_id": 1, "quantity": 0}]},
        {"order_id": "#W1000001", "items": [{"order_item_id": 1}], "refund_method": "cash"},
        {"items": [{"order_item_id": 1}]},
    ],
)
def test_malformed_arguments_get_a_structured_answer_and_change_nothing(deps: ToolDeps, args: dict) -> None:
    result = invoke_tool("create_return", args, deps=deps, customer_id=ALICE)
    assert result["ok"] is False and result["code"] == "invalid_arguments"
    assert "runtime" not in result["error"]
    with Session(deps.engine) as db:
        assert db.exec(select(ReturnRequest)).all() == []
