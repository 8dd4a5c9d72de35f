"""Cancelling a pending order (sensitive: runs only after the customer confirmed it in the graph)."""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.tools import tool
from sqlmodel import Session

from core.languages import DEFAULT
from core.messages import t
from core.money import plain_amount
from mock_backends.orders import repository
from mock_backends.orders.account_changes import change_by_key
from mock_backends.orders.order_cancellation import cancel_order as cancel_order_in_db
from mock_backends.orders.order_cancellation import preview_cancel_order
from tools.args import OrderId
from tools.base import AnyRuntime, CallContext, ok, parse_proposal, run_tool
from tools.cards import CardAmount, CardLine, ConfirmationCard
from tools.deps import ToolDeps
from tools.money_moves import move_label, move_summary
from tools.returns import idempotency_key

CancelReason = Literal["no longer needed", "ordered by mistake"]  # policy.yaml order_changes.cancel_reasons


@tool(parse_docstring=True)
def cancel_order(order_id: OrderId, reason: CancelReason, runtime: AnyRuntime) -> dict[str, Any]:
    """Cancel one of the signed-in customer's orders that has not left the warehouse yet (status
    pending, or pending with its items changed). Everything paid is refunded to the payment method
    that paid it; refunds lists each refund and when it arrives (a gift card at once, a card or PayPal
    within some business days): tell the customer. The system shows the customer a confirmation card
    and runs the call only if they accept. An order that is processing, shipped or delivered cannot be
    cancelled: for a shipped one, offer to track it (track_shipment), for a delivered one a return.

    Args:
        order_id: The order number, e.g. "#W1000031".
        reason: Why the customer cancels: "no longer needed" or "ordered by mistake" (ask if unclear).
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        with Session(ctx.deps.engine) as session:
            change = cancel_order_in_db(
                session,
                ctx.customer_id,
                order_id,
                reason,
                idempotency_key(ctx.session_id, ctx.tool_call_id),
                ctx.deps.clock(),
                session_id=ctx.session_id,
            )
            currency = repository.get_owned_order(session, ctx.customer_id, change.order_id or order_id).currency
            refunds = [move_summary(session, move, currency, ctx.language) for move in change.money]
        return ok(
            order_id=change.order_id,
            status=change.order_status,
            reason=change.summary.get("reason"),
            refund_amount=plain_amount(sum(m.amount_cents for m in change.money), currency),
            currency=currency,
            refunds=refunds,
        )

    return run_tool(runtime, "cancel_order", body, order_id=repository.normalize_order_id(order_id))


def cancel_order_committed(deps: ToolDeps, state: dict[str, Any], session_id: str, tool_call_id: str) -> bool:
    """Whether the confirmed call `tool_call_id` already cancelled its order (the registry's `committed`)."""
    customer_id = state.get("customer_id")
    if not customer_id:
        return False
    with Session(deps.engine) as session:
        return change_by_key(session, customer_id, idempotency_key(session_id, tool_call_id)) is not None


def preview_cancel_order_card(args: dict[str, Any], state: dict[str, Any], deps: ToolDeps) -> ConfirmationCard:
    """The card for cancelling an order, or the refusal (shipped: offer tracking) before the customer is asked."""
    customer_id, parsed = parse_proposal(cancel_order, args, state, "cancellation")
    language = state.get("language") or DEFAULT
    with Session(deps.engine) as session:
        quote = preview_cancel_order(session, customer_id, parsed.order_id, parsed.reason)
        detail = repository.get_order_detail(session, customer_id, quote.order_id, language=language)
        currency = detail.order.currency
        refunds = [(move_label(session, move, language), move) for move in quote.refunds]
        facts_refunds = [move_summary(session, move, currency, language) for move in quote.refunds]
    return ConfirmationCard(
        tool="cancel_order",
        language=language,
        title=t("card.cancel_order_title", language, order=quote.order_id),
        lines=[
            *(CardLine(label=line.display_name, value=f"× {line.quantity}") for line in detail.lines),
            CardLine(
                label=t("card.reason_label", language),
                value=t(f"cancel_reason.{quote.reason.replace(' ', '_')}", language),
            ),
        ],
        amounts=[
            *(CardAmount(label=label, cents=move.amount_cents, currency=currency) for label, move in refunds),
            CardAmount(
                label=t("card.refund_label", language),
                cents=sum(m.amount_cents for _l, m in refunds),
                currency=currency,
            ),
        ],
        on_confirm=t("card.cancel_order_on_confirm", language),
        facts={
            "order_id": quote.order_id,
            "reason": quote.reason,
            "refund_amount": plain_amount(sum(m.amount_cents for _l, m in refunds), currency),
            "currency": currency,
            "refunds": facts_refunds,
            "items": [
                {"order_item_id": line.order_item_id, "product": line.display_name, "quantity": line.quantity}
                for line in detail.lines
            ],
        },
    )
