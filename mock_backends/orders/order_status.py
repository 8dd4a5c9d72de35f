"""A delivered order's status names its latest after-sales request still standing, as tau-bench's do:
`return_requested` or `exchange_requested`, back to `delivered` when the last one is cancelled.

The order stays returnable and exchangeable in all three (policy.yaml): the status is what the
customer and the lookup see, the item counts are what the rules check.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from mock_backends.orders.after_sales_models import ExchangeRequest
from mock_backends.orders.models import DELIVERED_STATUSES, Order, ReturnRequest


def after_sales_status(session: Session, order_id: str) -> str:
    """'return_requested', 'exchange_requested' (whichever standing request is newest) or 'delivered'."""
    latest_return = session.exec(
        select(func.max(ReturnRequest.created_at)).where(
            ReturnRequest.order_id == order_id, ReturnRequest.status != "cancelled"
        )
    ).one()
    latest_exchange = session.exec(
        select(func.max(ExchangeRequest.created_at)).where(
            ExchangeRequest.order_id == order_id, ExchangeRequest.status != "cancelled"
        )
    ).one()
    if latest_return is None and latest_exchange is None:
        return "delivered"
    if latest_exchange is None or (latest_return is not None and latest_return > latest_exchange):
        return "return_requested"
    return "exchange_requested"


def settle_after_sales_status(session: Session, order_id: str) -> None:
    """Set a delivered order's status from its standing requests, in the caller's transaction."""
    session.execute(
        update(Order)
        .where(col(Order.id) == order_id, col(Order.status).in_(DELIVERED_STATUSES))
        .values(status=after_sales_status(session, order_id))
    )
