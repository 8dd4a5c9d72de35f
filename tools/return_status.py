"""Where a return stands: the customer asks "what happened to my return RMA-...?"."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import tool
from sqlmodel import Session

from core.dates import local_date
from core.money import plain_amount
from mock_backends.orders.return_lifecycle import ReturnView, return_view
from tools.args import Rma
from tools.base import AnyRuntime, CallContext, ok, run_tool
from tools.exchange_status import exchange_status, is_exchange_number
from tools.return_label import label_for_status


def return_summary(view: ReturnView) -> dict[str, Any]:
    """A return as tools report it (get_return_status, cancel_return)."""
    return {
        "rma": view.rma,
        "order_id": view.order_id,
        "status": view.status,
        "status_text": view.status_text,
        "created_at": local_date(view.created_at, view.language).isoformat(),
        "cancellable": view.cancellable,
        "refund_method": view.refund_method,
        "refund_to": view.refund_to,
        "refund_amount": plain_amount(view.refund_amount_cents, view.currency),
        "currency": view.currency,
        # A cancelled return's label is void: its reference is not offered again.
        "label_ref": None if view.status == "cancelled" else view.label_ref,
        "items": [
            {
                "order_item_id": line.order_item_id,
                "product": line.product,
                "quantity": line.quantity,
                "refund": plain_amount(line.refund_cents, view.currency),
            }
            for line in view.items
        ],
    }


@tool(parse_docstring=True)
def get_return_status(rma: Rma, runtime: AnyRuntime) -> dict[str, Any]:
    """Look up one of the signed-in customer's returns by its RMA number, or an exchange by its EXC-
    number (then: its status, the items' old and new options, the price difference and the
    replacement's tracking number). For a return: its status (requested,
    label_created, in_transit, received, refunded or cancelled, with a plain-words status_text),
    the items and quantities, the refund amount and where it goes, the return label reference,
    and whether the return can still be cancelled (cancellable). For a return not sent yet it
    also gives the return label to print (fetching one that was still pending), or word that it
    will follow; for a cancelled return, that its label is void (label_message): tell the customer.

    Args:
        rma: The return number, e.g. "RMA-1A2B3C4D", or the exchange number, e.g. "EXC-1A2B3C4D".
    """
    if is_exchange_number(rma):
        return run_tool(
            runtime, "get_return_status", lambda ctx: exchange_status(ctx, rma), audit_detail={"exchange": rma}
        )

    def body(ctx: CallContext) -> dict[str, Any]:
        with Session(ctx.deps.engine) as session:
            view = return_view(session, ctx.customer_id, rma, ctx.language)
        label = label_for_status(ctx.deps, view, language=ctx.language, customer_id=ctx.customer_id)
        if label.get("status", view.status) != view.status:  # the label just arrived: the return moved on
            with Session(ctx.deps.engine) as session:
                view = return_view(session, ctx.customer_id, rma, ctx.language)
        return ok(**return_summary(view), **{k: v for k, v in label.items() if k != "status"})

    return run_tool(runtime, "get_return_status", body, audit_detail={"rma": rma})
