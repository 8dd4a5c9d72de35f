"""A parcel's scan events, derived from when it was handed over and the current time (pure, no I/O).

The same shipment asked about at the same moment always gets the same answer, so tests and demos
can rely on it: a parcel handed over 2 days ago is in transit, one from 4 days ago is delivered,
a 'lost' one stops scanning at the second hub, is traced, then declared lost, and a return parcel
whose label was voided (the return was cancelled), or an exchange's replacement that was stopped,
ends at that moment, as cancelled.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.messages import t
from mock_backends.logistics.schemas import ScanEvent, Tracking, TrackingStatus

# Sorting hubs, by their catalogue key (`carrier.hub.*`): a parcel's hubs are picked by index, so keep the order.
HUBS: tuple[str, ...] = (
    "memphis",
    "louisville",
    "chicago",
    "dallas",
    "oakland",
    "newark",
    "shanghai",
    "guangzhou",
    "beijing",
    "wuhan",
)

# (hours after hand-over, status, text key); a delivered parcel takes 3 days, as the seeded orders do.
NORMAL_SCANS: tuple[tuple[int, TrackingStatus, str], ...] = (
    (0, "label_created", "label_created"),
    (6, "picked_up", "picked_up"),
    (18, "in_transit", "departed"),
    (36, "in_transit", "arrived"),
    (64, "out_for_delivery", "out_for_delivery"),
    (72, "delivered", "delivered"),
)
LOST_SCANS: tuple[tuple[int, TrackingStatus, str], ...] = (
    *NORMAL_SCANS[:4],
    (132, "exception", "no_scans"),
    (240, "lost", "lost"),
)
# A 'delayed' parcel (the generator's delayed_in_transit orders) is held up after the second hub and
# stays so: the order system still has it shipped, so the carrier must not call it delivered.
DELAYED_SCANS: tuple[tuple[int, TrackingStatus, str], ...] = (*NORMAL_SCANS[:4], (60, "exception", "delayed"))
SCRIPTS = {"lost": LOST_SCANS, "delayed": DELAYED_SCANS}
DELIVERY_HOURS = 72

# The words of each scan and status are the catalogue's (`carrier.event.*`, `carrier.status.*`).


@dataclass(frozen=True)
class Parcel:
    """What the carrier knows about a parcel."""

    tracking_number: str
    carrier: str
    direction: str  # 'outbound' or 'return'
    fate: str  # 'normal', 'delayed' or 'lost' (the simulation's script for this parcel)
    handed_over_at: datetime
    voided_at: datetime | None = None  # a voided return label or a stopped replacement: the shipment was cancelled


def track(parcel: Parcel, now: datetime, language: str = "en") -> Tracking:
    """The parcel's scans up to `now`, oldest first, with the latest status in words (in `language`)."""
    start = as_utc(parcel.handed_over_at)
    origin, destination = hubs_for(parcel.tracking_number)
    script = SCRIPTS.get(parcel.fate, NORMAL_SCANS)
    events = []
    # A voided label ends the story there: nothing is scanned after it.
    until = min(as_utc(now), as_utc(parcel.voided_at)) if parcel.voided_at else as_utc(now)
    for hours, status, key in script:
        at = start + timedelta(hours=hours)
        if hours and at > until:
            break
        hub = origin if key == "departed" else destination if key == "arrived" else None
        if key == "delivered" and parcel.direction == "return":
            key = "delivered_return"
        place = t(f"carrier.hub.{hub}", language) if hub else None
        events.append(
            ScanEvent(
                at=at, status=status, location=place, description=t(f"carrier.event.{key}", language, hub=place or "")
            )
        )
    if parcel.voided_at:
        key = "cancelled_outbound" if parcel.direction == "outbound" else "cancelled"
        events.append(
            ScanEvent(
                at=max(as_utc(parcel.voided_at), start),
                status="cancelled",
                description=t(f"carrier.event.{key}", language),
            )
        )
    latest = events[-1].status
    on_its_way = latest not in ("delivered", "exception", "lost", "cancelled")
    return Tracking(
        tracking_number=parcel.tracking_number,
        carrier=parcel.carrier,
        direction="return" if parcel.direction == "return" else "outbound",
        status=latest,
        status_text=t(f"carrier.status.{latest}", language),
        events=events,
        estimated_delivery=start + timedelta(hours=DELIVERY_HOURS) if on_its_way else None,
    )


def hubs_for(tracking_number: str) -> tuple[str, str]:
    """Two different sorting hubs, always the same for the same tracking number."""
    digest = int.from_bytes(hashlib.sha256(tracking_number.encode()).digest()[:8], "big")
    first = digest % len(HUBS)
    second = (first + 1 + (digest // len(HUBS)) % (len(HUBS) - 1)) % len(HUBS)
    return HUBS[first], HUBS[second]


def as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
