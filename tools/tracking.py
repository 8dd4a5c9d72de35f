"""Tracking a parcel (an order's delivery or a return) through the carrier service, over HTTP."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import tool
from sqlmodel import Session, col, select

from core.dates import local_date
from core.messages import t
from core.settings import Settings
from mock_backends.logistics.client import CarrierClient, CarrierUnavailable, TrackingNotFound
from mock_backends.logistics.schemas import Tracking
from mock_backends.orders import repository
from mock_backends.orders.errors import OrderSystemError
from mock_backends.orders.models import Order, Shipment
from tools.base import AnyRuntime, CallContext, ok, run_tool


class CarrierDown(OrderSystemError):
    code = "carrier_unavailable"
    hint = (
        "Tell the customer live tracking is unavailable right now and to try again in a few minutes; "
        "offer the order status from lookup_order instead."
    )


class ShipmentNotFound(OrderSystemError):
    """Also raised for another customer's parcel: we never confirm that someone else's parcel exists."""

    code = "shipment_not_found"
    hint = "Ask the customer to check the tracking number, or to give the order number instead."


class NothingToTrack(OrderSystemError):
    code = "invalid_request"
    hint = "Ask the customer for the order number or the tracking number."


def carrier_client(settings: Settings) -> CarrierClient:
    """The carrier client the tools use; tests point `settings.carrier_url` at their own carrier."""
    return CarrierClient(
        base_url=settings.carrier_url,
        timeout_s=settings.carrier_timeout_s,
        attempt_timeout_s=settings.carrier_attempt_timeout_s,
        max_attempts=settings.carrier_max_attempts,
        token=settings.carrier_token_value,
    )


@tool(parse_docstring=True)
def track_shipment(
    runtime: AnyRuntime, order_id: str | None = None, tracking_number: str | None = None
) -> dict[str, Any]:
    """Track the signed-in customer's parcels with the carrier: where an order's delivery or a
    return parcel is now, with its scan history. Give the order number (tracks every parcel of
    the order, returns included) or one tracking number.

    Args:
        order_id: The order number, e.g. "#W1000004".
        tracking_number: A tracking number from the order or a return label, e.g. "RD100000004".
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        order, shipments = _owned_shipments(ctx, order_id, tracking_number)
        if not shipments:
            return ok(
                order_id=order.id,
                order_status=order.status,
                parcels=[],
                message=t("tracking.not_shipped", ctx.language, order=order.id),
            )
        client = carrier_client(ctx.deps.settings)
        try:
            parcels = [_parcel(client, shipment, ctx.language) for shipment in shipments]
        except CarrierUnavailable as error:
            raise CarrierDown(str(error)) from error
        return ok(order_id=order.id, order_status=order.status, parcels=parcels)

    audited_order = repository.normalize_order_id(order_id) if order_id else None
    return run_tool(runtime, "track_shipment", body, order_id=audited_order)


def _owned_shipments(
    ctx: CallContext, order_id: str | None, tracking_number: str | None
) -> tuple[Order, list[Shipment]]:
    """The order and its parcels (or the one parcel asked for), if they are this customer's."""
    with Session(ctx.deps.engine) as session:
        if tracking_number and tracking_number.strip():
            number = tracking_number.strip().upper()
            shipment = session.exec(select(Shipment).where(Shipment.tracking_number == number)).first()
            order = session.get(Order, shipment.order_id) if shipment else None
            if shipment is None or order is None or order.customer_id != ctx.customer_id:
                raise ShipmentNotFound(f"I can't find a parcel with tracking number {number} on your account.")
            if order_id and repository.normalize_order_id(order_id) != order.id:
                raise ShipmentNotFound(
                    f"Tracking number {number} does not belong to order {repository.normalize_order_id(order_id)}."
                )
            return order, [shipment]
        if not order_id or not order_id.strip():
            raise NothingToTrack("Tell me the order number or the tracking number to track.")
        order = repository.get_owned_order(session, ctx.customer_id, order_id)
        shipments = session.exec(select(Shipment).where(Shipment.order_id == order.id).order_by(col(Shipment.id))).all()
        return order, list(shipments)


def _parcel(client: CarrierClient, shipment: Shipment, language: str) -> dict[str, Any]:
    try:
        tracking: Tracking = client.track(shipment.tracking_number, language)
    except TrackingNotFound as error:
        return {
            "tracking_number": shipment.tracking_number,
            "direction": shipment.direction,
            "status": "no_information",
            "status_text": str(error),
            "events": [],
        }
    return {
        "tracking_number": tracking.tracking_number,
        "direction": tracking.direction,
        "carrier": tracking.carrier,
        "status": tracking.status,
        "status_text": tracking.status_text,
        "estimated_delivery": local_date(tracking.estimated_delivery, language).isoformat()
        if tracking.estimated_delivery
        else None,
        "events": [
            {
                "at": e.at.isoformat(timespec="minutes"),
                "status": e.status,
                "description": e.description,
                "location": e.location,
            }
            for e in tracking.events
        ],
    }
