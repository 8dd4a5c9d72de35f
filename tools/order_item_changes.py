"""Changing the items of a pending order for other variants of the same products (sensitive: runs only
after the customer confirmed it). Once per order: the order becomes items_modified."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.tools import tool
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from core.languages import DEFAULT
from core.money import plain_amount
from mock_backends.orders import repository
from mock_backends.orders.account_changes import change_by_key
from mock_backends.orders.models import PaymentMethod
from mock_backends.orders.order_item_changes import ItemChange, preview_order_items_change
from mock_backends.orders.order_item_changes import change_order_items as change_order_items_in_db
from tools.args import OrderId
from tools.base import AnyRuntime, CallContext, ok, parse_proposal, run_tool
from tools.cards import ConfirmationCard
from tools.deps import ToolDeps
from tools.exchanges import paying_method, swap_card
from tools.money_moves import move_summary
from tools.returns import idempotency_key

# A payment method named by its kind instead of its id: the customer's own method of that kind.
METHOD_KINDS = ("gift_card",)


class ItemChangeRequest(BaseModel):
    order_item_id: int = Field(ge=1, description="The item of the order to change (from lookup_order).")
    new_variant_id: str = Field(
        min_length=1, max_length=40, description="The variant wanted instead (from get_product_details can_swap_for)."
    )
    quantity: int | None = Field(None, ge=1, le=20, description="How many units to change; omit for the whole line.")


def chosen_method(session: Session, customer_id: str, order_id: str, chosen: str | None) -> str | None:
    """The method for a price difference: the customer's choice ("gift_card": their gift card), else
    the one that paid the order. Another customer's method stays unknown (the backend: not found)."""
    if chosen in METHOD_KINDS:
        own = session.exec(
            select(PaymentMethod.id).where(PaymentMethod.customer_id == customer_id, PaymentMethod.kind == chosen)
        ).first()
        return own or chosen
    return paying_method(session, customer_id, order_id, chosen)


def as_changes(items: list[ItemChangeRequest]) -> list[ItemChange]:
    return [ItemChange(i.order_item_id, i.new_variant_id, i.quantity) for i in items]


@tool(parse_docstring=True)
def change_order_items(
    order_id: OrderId,
    items: Annotated[list[ItemChangeRequest], Field(min_length=1, max_length=20)],
    runtime: AnyRuntime,
    payment_method_id: Annotated[str, Field(max_length=64)] | None = None,
) -> dict[str, Any]:
    """Change items of an order that has not shipped (status pending) to another in-stock variant
    (size, colour, ...) of the SAME product (see get_product_details can_swap_for); once per order.
    A delivered item is exchanged instead (exchange_items). A price difference is charged to, or
    refunded on, payment_method_id, by default the method that paid the order; a gift card must hold
    the balance. The system shows the customer a confirmation card and runs the call only if they
    accept. Returns the changed items and the payment: tell the customer.

    Args:
        order_id: The order number, e.g. "#W1000032".
        items: Each item to change: order_item_id, new_variant_id and optionally quantity.
        payment_method_id: Only if the customer chose another of their payment methods ("gift_card" for theirs).
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        with Session(ctx.deps.engine) as session:
            method = chosen_method(session, ctx.customer_id, order_id, payment_method_id)
            change = change_order_items_in_db(
                session,
                ctx.customer_id,
                order_id,
                as_changes(items),
                method,
                idempotency_key(ctx.session_id, ctx.tool_call_id),
                ctx.deps.clock(),
                session_id=ctx.session_id,
            )
            currency = repository.get_owned_order(session, ctx.customer_id, change.order_id or order_id).currency
            payments = [move_summary(session, move, currency, ctx.language) for move in change.money]
        summary = change.summary
        return ok(
            order_id=change.order_id,
            status=change.order_status,
            price_difference=plain_amount(summary.get("price_difference_cents", 0), currency),
            currency=currency,
            payment=payments[0] if payments else None,
            items=[
                {
                    "order_item_id": i["order_item_id"],
                    "product": i["product"],
                    "old_options": i["from"],
                    "new_variant_id": i["new_variant_id"],
                    "new_options": i["to"],
                    "quantity": i["quantity"],
                }
                for i in summary.get("items", [])
            ],
        )

    return run_tool(runtime, "change_order_items", body, order_id=repository.normalize_order_id(order_id))


def change_order_items_committed(deps: ToolDeps, state: dict[str, Any], session_id: str, tool_call_id: str) -> bool:
    """Whether the confirmed call `tool_call_id` already changed its order (the registry's `committed`)."""
    customer_id = state.get("customer_id")
    if not customer_id:
        return False
    with Session(deps.engine) as session:
        return change_by_key(session, customer_id, idempotency_key(session_id, tool_call_id)) is not None


def preview_change_order_items(args: dict[str, Any], state: dict[str, Any], deps: ToolDeps) -> ConfirmationCard:
    """The card for changing a pending order's items, or the refusal (shipped, already changed, sold
    out, another product, a gift card without the balance) before the customer is asked."""
    customer_id, parsed = parse_proposal(change_order_items, args, state, "change")
    language = state.get("language") or DEFAULT
    with Session(deps.engine) as session:
        method = chosen_method(session, customer_id, parsed.order_id, parsed.payment_method_id)
        quote = preview_order_items_change(session, customer_id, parsed.order_id, as_changes(parsed.items), method)
        return swap_card(
            session,
            customer_id,
            tool="change_order_items",
            keys=("card.items_change_title", "card.items_change_on_confirm"),
            order_id=quote.order_id,
            swaps=quote.items,
            price_difference_cents=quote.price_difference_cents,
            payment=quote.payment,
            language=language,
        )
