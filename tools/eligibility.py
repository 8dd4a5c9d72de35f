"""Return eligibility: the policy's verdict per item, in words the customer understands."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.tools import tool
from pydantic import BaseModel, Field
from sqlmodel import Session

from core.money import plain_amount
from mock_backends.orders import repository
from mock_backends.orders.returns import ReturnLine, check_lines
from tools.args import OrderId
from tools.base import AnyRuntime, CallContext, ok, run_tool


class ItemRequest(BaseModel):
    order_item_id: int = Field(ge=1, description="The order_item_id from lookup_order.")
    quantity: int = Field(1, ge=1, le=999, description="How many units the customer wants to return.")


@tool(parse_docstring=True)
def check_return_eligibility(
    order_id: OrderId,
    runtime: AnyRuntime,
    items: Annotated[list[ItemRequest], Field(max_length=50)] | None = None,
    damaged: bool = False,
) -> dict[str, Any]:
    """Check whether items of an order can be returned now, and why (delivery status, return
    window for the item's category, final sale, quantity already returned). Always call this
    before offering or creating a return.

    Args:
        order_id: The order number, e.g. "#W1000001".
        items: The items and quantities the customer wants to return; omit to check every item
            with its full remaining quantity.
        damaged: True when the customer says the item arrived damaged or defective.
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        with Session(ctx.deps.engine) as session:
            detail = repository.get_order_detail(session, ctx.customer_id, order_id, language=ctx.language)
        if items:
            lines = [ReturnLine(i.order_item_id, i.quantity) for i in items]
        else:
            lines = [ReturnLine(ln.order_item_id, max(ln.quantity - ln.quantity_returned, 1)) for ln in detail.lines]
        decisions = check_lines(detail, lines, now=ctx.deps.clock(), damaged=damaged, language=ctx.language)
        return ok(
            order_id=detail.order.id,
            damaged=damaged,
            any_eligible=any(d["eligible"] for d in decisions),
            currency=detail.order.currency,
            items=[
                {k: v for k, v in d.items() if k != "refund_cents"}
                | {"refund": plain_amount(d["refund_cents"], detail.order.currency)}
                for d in decisions
            ],
        )

    return run_tool(runtime, "check_return_eligibility", body, order_id=repository.normalize_order_id(order_id))
