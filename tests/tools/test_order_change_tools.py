"""A customer changes a pending order's address or payment method, or their default address: the card
says what changes (and the money it moves), refusals come before the customer is asked, each confirmed
call changes things once, and the customer is always the verified one (never an argument)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from mock_backends.orders.errors import InsufficientBalance, InvalidOrderChange, OrderAlreadyShipped, OrderNotFound
from mock_backends.orders.models import Address, Order, Payment, PaymentMethod
from tests.tools.test_tool_template import Conversation, tool_call
from tests.tools.toolcall import audit_rows, invoke_tool
from tools.cards import ConfirmationCard
from tools.deps import ToolDeps
from tools.registry import spec_for

ALICE, CAROL, LI_NA = "alice_chen_1001", "carol_davis_1004", "li_na_1005"
HOWARD = {"line1": "500 Howard St", "line2": "Apt 4", "city": "San Francisco", "region": "CA", "postcode": "94107"}
TOOLS = ("change_order_address", "change_order_payment", "change_default_address")


@pytest.fixture
def deps(settings: Settings, engine: Engine) -> ToolDeps:
    return ToolDeps(engine=engine, settings=settings)


def card(deps: ToolDeps, tool: str, args: dict[str, Any], customer: str = CAROL, lang: str = "en") -> ConfirmationCard:
    return spec_for(tool).preview(args, {"customer_id": customer, "language": lang}, deps)  # type: ignore[union-attr,misc]


def lines(shown: ConfirmationCard) -> list[tuple[str, str]]:
    return [(line.label, line.value) for line in shown.lines]


@pytest.mark.parametrize("tool", TOOLS)
def test_the_customer_is_never_an_argument_and_each_is_confirmed_first(tool: str) -> None:
    spec = spec_for(tool)
    assert spec is not None and spec.sensitive and spec.preview is not None and spec.committed is not None
    assert not {"customer_id", "user_id"} & set(spec.tool.tool_call_schema.model_json_schema()["properties"])
    assert len(spec.tool.description) < 400, "tool descriptions are paid for in every prompt (issue #17)"


def test_the_address_card_shows_the_old_and_new_address(deps: ToolDeps) -> None:
    shown = card(deps, "change_order_address", {"order_id": "#W1000032", "address": HOWARD})

    assert shown.title == "Change the delivery address of order #W1000032"
    assert lines(shown) == [
        ("From", "1201 3rd Ave, Seattle 98101"),
        ("To", "500 Howard St, Apt 4, San Francisco 94107"),
    ]


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ({**HOWARD, "postcode": "9410"}, "postcode"),
        ({**HOWARD, "city": ""}, "city"),
        ({**HOWARD, "country": "U1"}, "country"),
    ],
)
def test_a_malformed_address_is_refused_naming_the_field(deps: ToolDeps, address: dict, field: str) -> None:
    with pytest.raises(InvalidOrderChange, match=field):
        card(deps, "change_order_address", {"order_id": "#W1000032", "address": address})

    result = invoke_tool(
        "change_order_address", {"order_id": "#W1000032", "address": address}, deps=deps, customer_id=CAROL
    )
    assert result["ok"] is False and result["code"] == "invalid_change" and field in result["error"]
    with Session(deps.engine) as db:
        assert db.get(Order, "#W1000032").ship_to == "1201 3rd Ave, Seattle 98101"  # type: ignore[union-attr]


@pytest.mark.parametrize("tool", ["change_order_address", "change_order_payment"])
def test_a_shipped_order_is_refused_before_the_customer_is_asked(deps: ToolDeps, tool: str) -> None:
    args = {"order_id": "#W1000004", "address": HOWARD, "payment_method_id": "paypal_alice_chen_1001"}
    args = {
        k: v for k, v in args.items() if k in spec_for(tool).tool.tool_call_schema.model_json_schema()["properties"]
    }  # type: ignore[union-attr]
    with pytest.raises(OrderAlreadyShipped):
        card(deps, tool, args, customer=ALICE)
    assert [row.outcome for row in audit_rows(deps.engine, tool)] == ["refused"]


def test_the_confirmed_address_change_ships_the_order_there_once(deps: ToolDeps) -> None:
    args = {"order_id": "#W1000032", "address": {**HOWARD, "country": "us"}}

    first = invoke_tool("change_order_address", args, deps=deps, customer_id=CAROL)
    again = invoke_tool("change_order_address", args, deps=deps, customer_id=CAROL)

    assert first["ok"] and first["ship_to"] == "500 Howard St, Apt 4, San Francisco 94107"
    assert again == first, "the same confirmed call replayed changes nothing and answers the same"
    assert spec_for("change_order_address").committed(deps, {"customer_id": CAROL}, "session-test", "call-1")  # type: ignore[union-attr,misc]
    with Session(deps.engine) as db:
        assert db.get(Order, "#W1000032").ship_to == first["ship_to"]  # type: ignore[union-attr]
        default = db.exec(select(Address).where(Address.customer_id == CAROL, col(Address.is_default))).one()
    assert default.line1 == "1201 3rd Ave", "the default address stays as it was"


def test_the_payment_card_refunds_what_was_paid_and_charges_the_new_method(deps: ToolDeps) -> None:
    shown = card(
        deps, "change_order_payment", {"order_id": "#W1000032", "payment_method_id": "paypal_carol_davis_1004"}
    )

    assert lines(shown) == [("New payment method", "PayPal carol@example.com")]
    assert [(a.label, a.cents) for a in shown.amounts] == [
        ("Refund to Visa ending 4242 (within 5 to 7 business days)", 4650),
        ("Charge to PayPal carol@example.com", 4650),
    ]


@pytest.mark.parametrize(
    ("method", "error"),
    [
        ("card_carol_davis_1004", InvalidOrderChange),  # the same method
        ("gift_card_carol_davis_1004", InsufficientBalance),  # an empty gift card
        ("paypal_alice_chen_1001", Exception),  # another customer's method: not found
    ],
)
def test_the_same_method_an_empty_gift_card_or_someone_elses_method_is_refused(
    deps: ToolDeps, method: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as raised:
        card(deps, "change_order_payment", {"order_id": "#W1000032", "payment_method_id": method})
    if error is Exception:
        assert raised.value.code == "payment_method_not_found"  # type: ignore[attr-defined]


def test_the_confirmed_payment_change_moves_the_money_once_and_speaks_chinese(deps: ToolDeps) -> None:
    args = {"order_id": "#W1000041", "payment_method_id": "card_li_na_1005"}
    with Session(deps.engine) as db:
        balance = db.get(PaymentMethod, "gift_card_li_na_1005").balance_cents  # type: ignore[union-attr]

    first = invoke_tool("change_order_payment", args, deps=deps, customer_id=LI_NA, language="zh")
    again = invoke_tool("change_order_payment", args, deps=deps, customer_id=LI_NA, language="zh")

    assert first["ok"] and first["payment_method"] == "尾号 4242 的 Visa 卡" and again == first
    assert [(r["payment_method"], r["timing"]) for r in first["refunds"]] == [("礼品卡", "立即到账")]
    assert [c["payment_method_id"] for c in first["charges"]] == ["card_li_na_1005"]
    with Session(deps.engine) as db:
        moves = db.exec(select(Payment).where(Payment.order_id == "#W1000041").order_by(col(Payment.id))).all()
        refunded = db.get(PaymentMethod, "gift_card_li_na_1005").balance_cents  # type: ignore[union-attr]
    assert [(m.payment_method_id, m.direction) for m in moves] == [
        ("gift_card_li_na_1005", "charge"),
        ("gift_card_li_na_1005", "refund"),
        ("card_li_na_1005", "charge"),
    ]
    assert refunded == (balance or 0) + moves[0].amount_cents, "the gift card is paid back at once"


def test_the_default_address_changes_and_placed_orders_keep_theirs(deps: ToolDeps) -> None:
    address = {"line1": "77 Pine St", "city": "Seattle", "region": "WA", "postcode": "98104"}
    shown = card(deps, "change_default_address", {"address": address})
    assert shown.title == "Change your default address" and "orders already placed keep theirs" in shown.on_confirm

    first = invoke_tool("change_default_address", {"address": address}, deps=deps, customer_id=CAROL)

    assert first["ok"] and first["address"] == "77 Pine St, Seattle 98104"
    with Session(deps.engine) as db:
        default = db.exec(select(Address).where(Address.customer_id == CAROL, col(Address.is_default))).one()
        assert (default.line1, default.postcode) == ("77 Pine St", "98104")
        assert db.get(Order, "#W1000032").ship_to == "1201 3rd Ave, Seattle 98101"  # type: ignore[union-attr]


def test_nothing_changes_before_the_customer_is_verified(deps: ToolDeps) -> None:
    result = invoke_tool("change_default_address", {"address": HOWARD}, deps=deps, customer_id=None)
    assert (result["ok"], result["code"]) == (False, "not_verified")


def test_account_details_list_only_the_customers_own_methods_and_which_pays_the_order(deps: ToolDeps) -> None:
    details = invoke_tool("get_account_details", {"order_id": "#W1000032"}, deps=deps, customer_id=CAROL)

    assert [(m["name"], m.get("paid_this_order"), m.get("balance")) for m in details["payment_methods"]] == [
        ("Visa ending 4242", True, None),
        ("Gift card", False, "0.00"),
        ("PayPal carol@example.com", False, None),
    ]
    assert details["addresses"][0]["line1"] == "1201 3rd Ave" and details["addresses"][0]["default"]
    assert invoke_tool("get_account_details", {"order_id": "#W1000021"}, deps=deps, customer_id=CAROL)["code"] == (
        OrderNotFound.code
    )


# --- Inside the graph, with a scripted model (model mode) ---------------------------------------


def test_a_model_that_proposes_a_payment_change_waits_for_the_card_and_cannot_pick_the_customer(
    settings: Settings, engine: Engine
) -> None:
    chat = Conversation(
        engine,
        settings,
        tool_call("get_account_details", order_id="#W1000032"),
        tool_call("change_order_payment", order_id="#W1000032", payment_method_id="paypal_carol_davis_1004"),
        AIMessage("Done: PayPal pays order #W1000032 now and your Visa card is refunded."),
        customer_id=CAROL,
    )
    chat.say("Please pay order #W1000032 with PayPal instead")

    pending = chat.pending_card()
    assert pending is not None and pending["tool"] == "change_order_payment"
    with Session(engine) as db:  # nothing moved before the customer's yes
        assert db.exec(select(Payment).where(Payment.order_id == "#W1000032")).all()[-1].direction == "charge"
        assert len(db.exec(select(Payment).where(Payment.order_id == "#W1000032")).all()) == 1

    chat.answer_card(approved=True)

    [result] = chat.tool_results("change_order_payment")
    assert result["ok"] and result["payment_method_id"] == "paypal_carol_davis_1004"
    assert [r["payment_method_id"] for r in result["refunds"]] == ["card_carol_davis_1004"]


def test_a_model_proposing_a_malformed_address_gets_the_field_back_and_no_card(
    settings: Settings, engine: Engine
) -> None:
    chat = Conversation(
        engine,
        settings,
        tool_call("change_order_address", order_id="#W1000032", address={**HOWARD, "postcode": "941"}),
        AIMessage("That ZIP code looks too short: could you check it?"),
        customer_id=CAROL,
    )

    chat.say("Send order #W1000032 to 500 Howard St, Apt 4, San Francisco, CA 941")

    [refused] = chat.tool_results("change_order_address")
    assert chat.pending_card() is None
    assert refused["ok"] is False and refused["code"] == "invalid_change" and "postcode" in refused["error"]
