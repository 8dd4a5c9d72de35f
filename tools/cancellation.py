"""Cancelling a return that has not shipped (sensitive: runs only after the customer confirmed it)."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import tool
from sqlmodel import Session

from core.languages import DEFAULT
from core.messages import t
from core.money import format_money, plain_amount
from mock_backends.orders.return_lifecycle import cancel_return as cancel_return_in_db
from mock_backends.orders.return_lifecycle import ensure_cancellable, return_view
from tools.args import Reason, Rma
from tools.base import AnyRuntime, CallContext, PendingAction, PendingItem, ok, parse_proposal, run_tool
from tools.deps import ToolDeps
from tools.return_label import void_return_label
from tools.return_status import return_summary
from tools.returns import card_items


@tool(parse_docstring=True)
def cancel_return(rma: Rma, runtime: AnyRuntime, reason: Reason = "") -> dict[str, Any]:
    """Cancel one of the signed-in customer's returns that has not shipped yet (status requested
    or label_created): the items are no longer being returned and no refund will be made. The
    system shows the customer a confirmation card and runs the call only if they accept. A return
    that is in transit, received, refunded or already cancelled cannot be cancelled. The return
    label is voided; label_message says whether the old label must not be used: tell the customer.

    Args:
        rma: The return number, e.g. "RMA-1A2B3C4D".
        reason: Why the customer cancels, in their words.
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        view = cancel_return_in_db(ctx.deps.engine, customer_id=ctx.customer_id, rma=rma,
                                   session_id=ctx.session_id, reason=reason, language=ctx.language)
        # After the commit: the cancellation stands even if the carrier cannot void the label now.
        return ok(**return_summary(view)) | void_return_label(ctx.deps, rma=view.rma, language=ctx.language)

    return run_tool(runtime, "cancel_return", body, audit_detail={"rma": rma})


def preview_cancel_return(args: dict[str, Any], state: dict[str, Any], deps: ToolDeps) -> PendingAction:
    """The confirmation card for cancelling a return, or a refusal when it cannot be cancelled."""
    customer_id, parsed = parse_proposal(cancel_return, args, state, "cancellation")
    language = state.get("language") or DEFAULT
    with Session(deps.engine) as session:
        view = return_view(session, customer_id, parsed.rma, language)
    ensure_cancellable(view)
    items = [PendingItem(order_item_id=line.order_item_id, product=line.product, quantity=line.quantity,
                         refund=plain_amount(line.refund_cents, view.currency)) for line in view.items]
    summary = t("card.cancel_return", language, rma=view.rma, items=card_items(items, language),
                order=view.order_id, amount=format_money(view.refund_amount_cents, view.currency, language))
    return PendingAction(action_id="", tool="cancel_return", order_id=view.order_id, summary=summary,
                         items=items, currency=view.currency)
