"""The carrier's wire format: what its HTTP API returns, shared by the service and its client."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

TrackingStatus = Literal[
    "label_created", "picked_up", "in_transit", "out_for_delivery", "delivered", "exception", "lost", "cancelled"
]
Language = str  # a code of core.languages ("en", "zh"): the words of events and statuses


class ScanEvent(BaseModel):
    at: datetime
    status: TrackingStatus
    description: str = Field(description="What happened, in the requested language.")
    location: str | None = None


class Tracking(BaseModel):
    tracking_number: str
    carrier: str
    direction: Literal["outbound", "return"]
    status: TrackingStatus
    status_text: str = Field(description="The latest status in words, in the requested language.")
    estimated_delivery: datetime | None = Field(None, description="Only while the parcel is on its way.")
    events: list[ScanEvent] = Field(description="Oldest first.")


class LabelRequest(BaseModel):
    rma: str = Field(
        min_length=1,
        max_length=20,
        description="The return authorisation (RMA-...) or exchange (EXC-...) the label is for.",
    )
    order_id: str = Field(min_length=1, max_length=32, description="The order the RMA belongs to.")


class Label(BaseModel):
    rma: str
    order_id: str
    carrier: str
    tracking_number: str
    label_url: str = Field(description="A printable PNG with a Code128 barcode of the tracking number.")


class ShipmentRequest(BaseModel):
    reference: str = Field(min_length=1, max_length=20, description="The exchange (EXC-...) the replacement is for.")
    order_id: str = Field(min_length=1, max_length=32, description="The order the exchange belongs to.")


class OutboundShipment(BaseModel):
    reference: str
    order_id: str
    carrier: str
    tracking_number: str = Field(description="Track it like any parcel: GET /tracking/{tracking_number}.")
    handed_over_at: datetime


class CancelledShipment(BaseModel):
    tracking_number: str
    status: Literal["cancelled"] = "cancelled"
    cancelled_at: datetime = Field(description="When it was first cancelled (cancelling again changes nothing).")


class VoidedLabel(BaseModel):
    tracking_number: str
    status: Literal["voided"] = "voided"
    voided_at: datetime = Field(description="When the label was first voided (voiding again changes nothing).")


class CarrierErrorBody(BaseModel):
    """Every error the carrier answers with: a stable code and a message safe to show a customer."""

    code: str
    error: str
