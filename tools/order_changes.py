"""Changing a pending order's shipping address or payment method, and the customer's default address
(sensitive: each runs only after the customer confirmed its card), plus the read tool that lists the
customer's saved payment methods and addresses to choose from.

The backend (`mock_backends/orders/order_changes.py`) re-checks each change under the order's row lock
and is idempotent by `f"{session_id}:{tool_call_id}"`; these are its thin wrappers and cards.
"""

from __future__ import annotations

from typing import Any

from langchain_core.tools import tool
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session, col, select

from core.languages import DEFAULT
from core.messages import t
from core.money import plain_amount
from mock_backends.orders import repository
from mock_backends.orders.account_changes import OrderChange, change_by_key
from mock_backends.orders.addresses import ShippingAddress
from mock_backends.orders.localized import payment_method_description
from mock_backends.orders.models import Address, PaymentMethod
from mock_backends.orders.order_changes import change_default_address as change_default_address_in_db
from mock_backends.orders.order_changes import change_order_address as change_order_address_in_db
from mock_backends.orders.order_changes import change_order_payment as change_order_payment_in_db
from mock_backends.orders.order_changes import (
    preview_default_address_change,
    preview_order_address_change,
    preview_order_payment_change,
)
from mock_backends.orders.payments import paid_by_method
from tools.args import OrderId
from tools.base import AnyRuntime, CallContext, ok, parse_proposal, run_tool
from tools.cards import CardAmount, CardLine, ConfirmationCard
from tools.deps import ToolDeps
from tools.money_moves import method_name, move_label, move_summary
from tools.returns import idempotency_key

ADDRESS_FIELDS = ("line1", "line2", "city", "region", "postcode", "country")


class AddressArg(BaseModel):
    # A new address as the model proposes it. Lengths and formats are checked by the backend
    # (`parse_address`), so a bad address is refused naming the field, not as malformed arguments.
    model_config = ConfigDict(extra="forbid")

    line1: str = Field(description="Street and number.")
    line2: str = Field("", description="Apartment, if any.")
    city: str
    region: str = Field("", description="State or province.")
    postcode: str
    country: str = Field("US", description="Two letters: US, CN.")


def address_fields(address: Address | ShippingAddress) -> dict[str, Any]:
    return {name: getattr(address, name) for name in ADDRESS_FIELDS}


def address_problem(fields: dict[str, Any]) -> str | None:
    """The first field of `fields` the shop cannot ship to ("postcode"), or None when it is a valid address."""
    try:
        ShippingAddress.model_validate(fields)
    except ValidationError as error:
        loc = error.errors()[0]["loc"]
        return str(loc[0]) if loc else "postcode"  # the only check across fields: the postcode fits the country
    return None


def change_committed(deps: ToolDeps, state: dict[str, Any], session_id: str, tool_call_id: str) -> bool:
    """Whether the confirmed call `tool_call_id` already made its change (the registry's `committed`)."""
    customer_id = state.get("customer_id")
    if not customer_id:
        return False
    with Session(deps.engine) as session:
        return change_by_key(session, customer_id, idempotency_key(session_id, tool_call_id)) is not None


# ---- the customer's saved payment methods and addresses (read) ---------------------------------


@tool(parse_docstring=True)
def get_account_details(runtime: AnyRuntime, order_id: OrderId | None = None) -> dict[str, Any]:
    """The signed-in customer's saved payment methods (payment_method_id, name, gift-card balance) and
    addresses (default first), to choose from when changing an order's payment or address.

    Args:
        order_id: Optional: also say which methods paid this order (paid_this_order).
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        with Session(ctx.deps.engine) as session:
            paid: set[str] = set()
            total = None
            if order_id:
                order = repository.get_owned_order(session, ctx.customer_id, order_id)
                paid = {m.id for m, _c in paid_by_method(session, order.id)}
                total = plain_amount(order.total_cents, order.currency)
            owned = PaymentMethod.customer_id == ctx.customer_id
            methods = session.exec(select(PaymentMethod).where(owned).order_by(col(PaymentMethod.id))).all()
            addresses = session.exec(
                select(Address)
                .where(Address.customer_id == ctx.customer_id)
                .order_by(col(Address.is_default).desc(), col(Address.id))
            ).all()
            return ok(
                **({"order_id": repository.normalize_order_id(order_id), "order_total": total} if order_id else {}),
                payment_methods=[
                    {
                        "payment_method_id": m.id,
                        "kind": m.kind,
                        "name": payment_method_description(m, ctx.language) or m.label,
                        **({"balance": plain_amount(m.balance_cents or 0)} if m.kind == "gift_card" else {}),
                        **({"paid_this_order": m.id in paid} if order_id else {}),
                    }
                    for m in methods
                ],
                addresses=[{**address_fields(a), "default": a.is_default} for a in addresses],
            )

    return run_tool(
        runtime, "get_account_details", body, order_id=repository.normalize_order_id(order_id) if order_id else None
    )


# ---- an order's shipping address ----------------------------------------------------------------


@tool(parse_docstring=True)
def change_order_address(order_id: OrderId, address: AddressArg, runtime: AnyRuntime) -> dict[str, Any]:
    """Ship a pending order of the signed-in customer to another address (confirmation card first).
    A shipped order cannot be changed: offer tracking.

    Args:
        order_id: The order number, e.g. "#W1000032".
        address: The full new address.
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        with Session(ctx.deps.engine) as session:
            change = change_order_address_in_db(
                session,
                ctx.customer_id,
                order_id,
                address.model_dump(),
                idempotency_key(ctx.session_id, ctx.tool_call_id),
                ctx.deps.clock(),
                session_id=ctx.session_id,
            )
        return ok(
            order_id=change.order_id,
            status=change.order_status,
            ship_to=change.summary.get("ship_to"),
            old_ship_to=change.summary.get("old_ship_to"),
        )

    return run_tool(runtime, "change_order_address", body, order_id=repository.normalize_order_id(order_id))


def preview_change_order_address(args: dict[str, Any], state: dict[str, Any], deps: ToolDeps) -> ConfirmationCard:
    customer_id, parsed = parse_proposal(change_order_address, args, state, "address change")
    language = state.get("language") or DEFAULT
    with Session(deps.engine) as session:
        quote = preview_order_address_change(session, customer_id, parsed.order_id, parsed.address.model_dump())
    return ConfirmationCard(
        tool="change_order_address",
        language=language,
        title=t("card.change.address_title", language, order=quote.order_id),
        lines=[
            CardLine(label=t("card.change.address_from", language), value=quote.old),
            CardLine(label=t("card.change.address_to", language), value=quote.new.one_line()),
        ],
        on_confirm=t("card.change.address_on_confirm", language),
        facts={"order_id": quote.order_id, "ship_to": quote.new.one_line(), "address": address_fields(quote.new)},
    )


# ---- an order's payment method ------------------------------------------------------------------


@tool(parse_docstring=True)
def change_order_payment(order_id: OrderId, payment_method_id: str, runtime: AnyRuntime) -> dict[str, Any]:
    """Pay a pending order of the signed-in customer with another saved method (get_account_details): what
    was paid is refunded, the new one charged the total (a gift card needs the balance). Confirmed first.

    Args:
        order_id: The order number, e.g. "#W1000032".
        payment_method_id: The new method's payment_method_id.
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        with Session(ctx.deps.engine) as session:
            change = change_order_payment_in_db(
                session,
                ctx.customer_id,
                order_id,
                payment_method_id,
                idempotency_key(ctx.session_id, ctx.tool_call_id),
                ctx.deps.clock(),
                session_id=ctx.session_id,
            )
            return ok(**_payment_result(session, ctx.customer_id, change, ctx.language))

    return run_tool(runtime, "change_order_payment", body, order_id=repository.normalize_order_id(order_id))


def _payment_result(session: Session, customer_id: str, change: OrderChange, language: str) -> dict[str, Any]:
    assert change.order_id is not None
    currency = repository.get_owned_order(session, customer_id, change.order_id).currency
    moves = [move_summary(session, move, currency, language) for move in change.money]
    method = session.get(PaymentMethod, change.summary.get("payment_method_id", ""))
    return {
        "order_id": change.order_id,
        "payment_method_id": change.summary.get("payment_method_id"),
        "payment_method": payment_method_description(method, language) or change.summary.get("payment_method"),
        "charges": [m for m in moves if m["direction"] == "charge"],
        "refunds": [m for m in moves if m["direction"] == "refund"],
    }


def preview_change_order_payment(args: dict[str, Any], state: dict[str, Any], deps: ToolDeps) -> ConfirmationCard:
    customer_id, parsed = parse_proposal(change_order_payment, args, state, "payment change")
    language = state.get("language") or DEFAULT
    with Session(deps.engine) as session:
        quote = preview_order_payment_change(session, customer_id, parsed.order_id, parsed.payment_method_id)
        currency = repository.get_owned_order(session, customer_id, quote.order_id).currency
        name = method_name(session, quote.charge, language)
        refunds = [(move_label(session, move, language), move) for move in quote.refunds]
        facts_refunds = [move_summary(session, move, currency, language) for move in quote.refunds]
    return ConfirmationCard(
        tool="change_order_payment",
        language=language,
        title=t("card.change.payment_title", language, order=quote.order_id),
        lines=[CardLine(label=t("card.change.payment_new", language), value=name)],
        amounts=[
            *(CardAmount(label=label, cents=move.amount_cents, currency=currency) for label, move in refunds),
            CardAmount(
                label=t("card.charge_move", language, method=name), cents=quote.charge.amount_cents, currency=currency
            ),
        ],
        on_confirm=t("card.change.payment_on_confirm", language, method=name),
        facts={
            "order_id": quote.order_id,
            "payment_method_id": quote.new_method.id,
            "charge_amount": plain_amount(quote.charge.amount_cents, currency),
            "currency": currency,
            "refunds": facts_refunds,
        },
    )


# ---- the customer's default address -------------------------------------------------------------


@tool(parse_docstring=True)
def change_default_address(address: AddressArg, runtime: AnyRuntime) -> dict[str, Any]:
    """Change the signed-in customer's default address, for future orders; orders already placed keep
    theirs (change_order_address). Confirmed first.

    Args:
        address: The full new address.
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        with Session(ctx.deps.engine) as session:
            change = change_default_address_in_db(
                session,
                ctx.customer_id,
                address.model_dump(),
                idempotency_key(ctx.session_id, ctx.tool_call_id),
                ctx.deps.clock(),
                session_id=ctx.session_id,
            )
        return ok(address=change.summary.get("one_line"), old_address=change.summary.get("old_address"))

    return run_tool(runtime, "change_default_address", body, audit_detail={"what": "default_address"})


def preview_change_default_address(args: dict[str, Any], state: dict[str, Any], deps: ToolDeps) -> ConfirmationCard:
    customer_id, parsed = parse_proposal(change_default_address, args, state, "address change")
    language = state.get("language") or DEFAULT
    with Session(deps.engine) as session:
        quote = preview_default_address_change(session, customer_id, parsed.address.model_dump())
    return ConfirmationCard(
        tool="change_default_address",
        language=language,
        title=t("card.change.default_address_title", language),
        lines=[
            *([CardLine(label=t("card.change.address_from", language), value=quote.old)] if quote.old else []),
            CardLine(label=t("card.change.address_to", language), value=quote.new.one_line()),
        ],
        on_confirm=t("card.change.default_address_on_confirm", language),
        facts={"address": address_fields(quote.new), "one_line": quote.new.one_line()},
    )
