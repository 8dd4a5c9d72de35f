"""Cancelling a return that has not shipped (sensitive: runs only after the customer confirmed it)."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import tool
from sqlmodel import Session

from core.languages import DEFAULT
from core.messages import t
from mock_backends.orders.return_lifecycle import cancel_return as cancel_return_in_db
from mock_backends.orders.return_lifecycle import ensure_cancellable, return_view
from tools.args import Reason, Rma
from tools.base import AnyRuntime, CallContext, ok, parse_proposal, run_tool
from tools.cards import CardAmount, CardLine, ConfirmationCard
from tools.deps import ToolDeps
from tools.exchange_status import cancel_exchange_now, is_exchange_number, preview_cancel_exchange
from tools.return_label import void_return_label
from tools.return_status import return_summary


@tool(parse_docstring=True)
def cancel_return(rma: Rma, runtime: AnyRuntime, reason: Reason = "") -> dict[str, Any]:
    """Cancel one of the signed-in customer's returns that has not shipped yet (status requested
    or label_created): the items are no longer being returned and no refund will be made. The
    system shows the customer a confirmation card and runs the call only if they accept. A return
    that is in transit, received, refunded or already cancelled cannot be cancelled. The return
    label is voided; label_message says whether the old label must not be used: tell the customer.
    With an exchange number (EXC-...), cancels that exchange while the old item has not shipped: the
    customer keeps the item, the replacement is stopped and a price difference goes back.

    Args:
        rma: The return number, e.g. "RMA-1A2B3C4D", or the exchange number, e.g. "EXC-1A2B3C4D".
        reason: Why the customer cancels, in their words.
    """
    if is_exchange_number(rma):
        return run_tool(
            runtime, "cancel_return", lambda ctx: cancel_exchange_now(ctx, rma, reason), audit_detail={"exchange": rma}
        )

    def body(ctx: CallContext) -> dict[str, Any]:
        view = cancel_return_in_db(
            ctx.deps.engine,
            customer_id=ctx.customer_id,
            rma=rma,
            session_id=ctx.session_id,
            reason=reason,
            language=ctx.language,
        )
        # After the commit: the cancellation stands even if the carrier cannot void the label now.
        return ok(**return_summary(view)) | void_return_label(ctx.deps, rma=view.rma, language=ctx.language)

    return run_tool(runtime, "cancel_return", body, audit_detail={"rma": rma})


def preview_cancel_return(args: dict[str, Any], state: dict[str, Any], deps: ToolDeps) -> ConfirmationCard:
    """The confirmation card for cancelling a return, or a refusal when it cannot be cancelled."""
    customer_id, parsed = parse_proposal(cancel_return, args, state, "cancellation")
    language = state.get("language") or DEFAULT
    if is_exchange_number(parsed.rma):
        return preview_cancel_exchange(customer_id, parsed.rma, language, deps)
    with Session(deps.engine) as session:
        view = return_view(session, customer_id, parsed.rma, language)
    ensure_cancellable(view)
    return ConfirmationCard(
        tool="cancel_return",
        language=language,
        title=t("card.cancel_title", language, rma=view.rma),
        lines=[
            CardLine(label=t("card.order_label", language), value=view.order_id),
            *(CardLine(label=line.product, value=f"× {line.quantity}") for line in view.items),
        ],
        # The refund the customer gives up: labelled so, never as money that will move.
        amounts=[
            CardAmount(label=t("card.not_refunded", language), cents=view.refund_amount_cents, currency=view.currency)
        ],
        on_confirm=t("card.cancel_on_confirm", language),
        facts={
            "rma": view.rma,
            "order_id": view.order_id,
            "items": [
                {"order_item_id": line.order_item_id, "product": line.product, "quantity": line.quantity}
                for line in view.items
            ],
        },
    )
