"""Exchanging delivered items for another variant of the same product (sensitive: runs only after
the customer confirmed it). The old item goes back with a return label; the replacement is booked
at the carrier at once, like a return label, after the exchange is committed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Annotated, Any

from langchain_core.tools import tool
from pydantic import BaseModel, Field
from sqlmodel import Session

from core.languages import DEFAULT
from core.messages import t
from core.money import plain_amount
from mock_backends.logistics.client import CarrierError
from mock_backends.orders import repository
from mock_backends.orders.exchange_lifecycle import ExchangeView, exchange_by_key, record_exchange_parcels
from mock_backends.orders.exchanges import ExchangeLine, preview_exchange
from mock_backends.orders.exchanges import exchange_items as exchange_items_in_db
from mock_backends.orders.payments import paid_by_method
from tools.args import OrderId
from tools.base import AnyRuntime, CallContext, ok, parse_proposal, run_tool
from tools.cards import CardAmount, CardLine, ConfirmationCard
from tools.deps import ToolDeps
from tools.money_moves import move_label, move_summary
from tools.returns import idempotency_key
from tools.tracking import carrier_client

log = logging.getLogger(__name__)


class ExchangeRequestItem(BaseModel):
    order_item_id: int = Field(ge=1, description="The item of the order to exchange (from lookup_order).")
    new_variant_id: str = Field(
        min_length=1, max_length=40, description="The variant wanted instead (from get_product_details can_swap_for)."
    )
    quantity: int = Field(1, ge=1, le=20, description="How many units to exchange.")


def options_text(options: dict[str, str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in options.items()) or "-"


def paying_method(session: Session, customer_id: str, order_id: str, chosen: str | None) -> str | None:
    """The method for a price difference: the customer's choice, else the one that paid the order."""
    if chosen:
        return chosen
    paid = paid_by_method(session, repository.get_owned_order(session, customer_id, order_id).id)
    return paid[0][0].id if paid else None


def book_parcels(deps: ToolDeps, view: ExchangeView, language: str) -> dict[str, Any]:
    """The old item's return label and the replacement's parcel, booked after the commit; never raises."""
    try:
        client = carrier_client(deps.settings)
        label = client.create_label(view.number, view.order_id)
        shipment = client.create_shipment(view.number, view.order_id)
    except CarrierError:
        return {"label_message": t("label_message.exchange_pending", language)}
    except Exception:  # the exchange is committed: a carrier failure must not report it as failed
        log.exception("booking the parcels of %s failed", view.number)
        return {"label_message": t("label_message.exchange_pending", language)}
    with Session(deps.engine) as session:
        record_exchange_parcels(
            session, view.number, label_ref=label.tracking_number, replacement_tracking=shipment.tracking_number
        )
    return {
        "status": "label_created",
        "label": {"status": "created", "tracking_number": label.tracking_number},
        "replacement_tracking": shipment.tracking_number,
        "label_message": t(
            "label_message.exchange_created",
            language,
            tracking_number=label.tracking_number,
            replacement=shipment.tracking_number,
        ),
    }


@tool(parse_docstring=True)
def exchange_items(
    order_id: OrderId,
    items: Annotated[list[ExchangeRequestItem], Field(min_length=1, max_length=20)],
    runtime: AnyRuntime,
    payment_method_id: Annotated[str, Field(max_length=64)] | None = None,
) -> dict[str, Any]:
    """Exchange delivered items for another variant (size, colour, ...) of the SAME product that is in
    stock (see get_product_details can_swap_for); never for a different product. The item's return
    window and final-sale rule apply. A price difference is charged to, or refunded on,
    payment_method_id, by default the method that paid the order. The system shows the customer a
    confirmation card and runs the call only if they accept. Returns the exchange number (EXC-...),
    the price difference and label_message (the old item's return label and the replacement's
    tracking number, or word that they will follow): tell the customer.

    Args:
        order_id: The order number, e.g. "#W1000033".
        items: Each item to exchange: order_item_id, new_variant_id and quantity.
        payment_method_id: Only if the customer chose another of their payment methods for a price difference.
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        with Session(ctx.deps.engine) as session:
            method = paying_method(session, ctx.customer_id, order_id, payment_method_id)
            view = exchange_items_in_db(
                session,
                ctx.customer_id,
                order_id,
                [ExchangeLine(i.order_item_id, i.new_variant_id, i.quantity) for i in items],
                method,
                idempotency_key(ctx.session_id, ctx.tool_call_id),
                ctx.deps.clock(),
                session_id=ctx.session_id,
            )
            detail = repository.get_order_detail(session, ctx.customer_id, view.order_id, language=ctx.language)
            names = {line.order_item_id: line.display_name for line in detail.lines}  # in the customer's language
            currency = detail.order.currency
            payment = move_summary(session, view.payment, currency, ctx.language) if view.payment else None
        return ok(
            exchange=view.number,
            order_id=view.order_id,
            status=view.status,
            price_difference=plain_amount(view.price_difference_cents, currency),
            currency=currency,
            payment=payment,
            items=[
                {
                    "order_item_id": i.order_item_id,
                    "product": names.get(i.order_item_id, i.product),
                    "old_options": i.old_options,
                    "new_variant_id": i.new_variant_id,
                    "new_options": i.new_options,
                    "quantity": i.quantity,
                }
                for i in view.items
            ],
        ) | book_parcels(ctx.deps, view, ctx.language)

    return run_tool(runtime, "exchange_items", body, order_id=repository.normalize_order_id(order_id))


def exchange_items_committed(deps: ToolDeps, state: dict[str, Any], session_id: str, tool_call_id: str) -> bool:
    """Whether the confirmed call `tool_call_id` already made its exchange (the registry's `committed`)."""
    customer_id = state.get("customer_id")
    if not customer_id:
        return False
    with Session(deps.engine) as session:
        return exchange_by_key(session, customer_id, idempotency_key(session_id, tool_call_id)) is not None


def preview_exchange_items(args: dict[str, Any], state: dict[str, Any], deps: ToolDeps) -> ConfirmationCard:
    """The card for an exchange, or the refusal (final sale, window over, sold out, another product,
    a gift card without the balance) before the customer is asked."""
    customer_id, parsed = parse_proposal(exchange_items, args, state, "exchange")
    language = state.get("language") or DEFAULT
    with Session(deps.engine) as session:
        method = paying_method(session, customer_id, parsed.order_id, parsed.payment_method_id)
        quote = preview_exchange(
            session,
            customer_id,
            parsed.order_id,
            [ExchangeLine(i.order_item_id, i.new_variant_id, i.quantity) for i in parsed.items],
            method,
            deps.clock(),
        )
        return swap_card(
            session,
            customer_id,
            tool="exchange_items",
            keys=("card.exchange_title", "card.exchange_on_confirm"),
            order_id=quote.order_id,
            swaps=quote.lines,
            price_difference_cents=quote.price_difference_cents,
            payment=quote.payment,
            language=language,
        )


def swap_card(
    session: Session,
    customer_id: str,
    *,
    tool: str,
    keys: tuple[str, str],
    order_id: str,
    swaps: Sequence[Any],
    price_difference_cents: int,
    payment: Any,
    language: str,
) -> ConfirmationCard:
    """The card of a swap of variants (an exchange, or a pending order's items): each item old ->
    new, the difference to pay or get back on its method. `keys`: the card's title and on-confirm words."""
    detail = repository.get_order_detail(session, customer_id, order_id, language=language)
    names = {line.order_item_id: line.display_name for line in detail.lines}
    currency = detail.order.currency
    amounts = (
        [CardAmount(label=move_label(session, payment, language), cents=payment.amount_cents, currency=currency)]
        if payment
        else []
    )
    title_key, on_confirm_key = keys
    return ConfirmationCard(
        tool=tool,
        language=language,
        title=t(title_key, language, order=order_id),
        lines=[
            CardLine(
                label=t("card.item", language, product=names.get(q.order_item_id, q.product), quantity=q.quantity),
                value=t("card.swap", language, old=options_text(q.old_options), new=options_text(q.new_options)),
            )
            for q in swaps
        ],
        amounts=amounts,
        on_confirm=t(on_confirm_key, language),
        facts={
            "order_id": order_id,
            "price_difference": plain_amount(price_difference_cents, currency),
            "currency": currency,
            "payment": move_summary(session, payment, currency, language) if payment else None,
            "items": [
                {
                    "order_item_id": q.order_item_id,
                    "product": names.get(q.order_item_id, q.product),
                    "quantity": q.quantity,
                    "new_variant_id": q.new_variant_id,
                }
                for q in swaps
            ],
        },
    )
