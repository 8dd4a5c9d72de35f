"""Order tools: what the customer bought, and where it stands."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.tools import tool
from pydantic import Field
from sqlmodel import Session

from core.dates import local_date
from core.money import plain_amount
from mock_backends.orders import repository
from mock_backends.orders.products import parse_options
from tools.args import OrderId
from tools.base import AnyRuntime, CallContext, ok, run_tool


def order_summary(detail: repository.OrderDetail, language: str | None = None) -> dict[str, Any]:
    """The order as the model sees it: plain amounts with the order's `currency`, dates on the
    customer's calendar, product names in their language (`product_en` when that differs)."""
    order = detail.order
    return {
        "order_id": order.id,
        "status": order.status,
        "ordered_at": local_date(order.created_at, language).isoformat(),
        "delivered_at": local_date(order.delivered_at, language).isoformat() if order.delivered_at else None,
        "total": plain_amount(order.total_cents, order.currency),
        "currency": order.currency,
        "items": [
            {
                "order_item_id": line.order_item_id,
                "product": line.display_name,
                **({"product_en": line.product_name} if line.display_name != line.product_name else {}),
                "category": line.category,
                "quantity": line.quantity,
                "quantity_returned": line.quantity_returned,
                "quantity_exchanged": line.quantity_exchanged,
                "options": parse_options(line.options),  # tells two variants of one product apart
                "unit_price": plain_amount(line.unit_price_cents, order.currency),
                "final_sale": line.final_sale,
            }
            for line in detail.lines
        ],
        "tracking_numbers": detail.tracking_numbers,
    }


@tool(parse_docstring=True)
def lookup_order(order_id: OrderId, runtime: AnyRuntime) -> dict[str, Any]:
    """Look up one of the signed-in customer's orders: status, dates, items (with their
    order_item_id, needed for eligibility checks and returns) and tracking numbers.

    Args:
        order_id: The order number as the customer wrote it, e.g. "#W1000001" or "W1000001".
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        with Session(ctx.deps.engine) as session:
            detail = repository.get_order_detail(session, ctx.customer_id, order_id, language=ctx.language)
            return ok(order=order_summary(detail, ctx.language))

    return run_tool(runtime, "lookup_order", body, order_id=repository.normalize_order_id(order_id))


@tool(parse_docstring=True)
def list_orders(runtime: AnyRuntime, limit: Annotated[int, Field(ge=1, le=20)] = 5) -> dict[str, Any]:
    """List the signed-in customer's most recent orders (newest first) with their status.
    Use it when the customer says "my last order" or does not know the order number.

    Args:
        limit: How many orders to list (1-20).
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        with Session(ctx.deps.engine) as session:
            orders = repository.list_orders(session, ctx.customer_id, limit)
            return ok(
                orders=[
                    {
                        "order_id": o.id,
                        "status": o.status,
                        "ordered_at": local_date(o.created_at, ctx.language).isoformat(),
                        "total": plain_amount(o.total_cents, o.currency),
                        "currency": o.currency,
                    }
                    for o in orders
                ]
            )

    return run_tool(runtime, "list_orders", body)
