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

from mock_backends.logistics.schemas import Language, ScanEvent, Tracking, TrackingStatus

HUBS: tuple[dict[str, str], ...] = (
    {"en": "Memphis", "zh": "孟菲斯"}, {"en": "Louisville", "zh": "路易斯维尔"}, {"en": "Chicago", "zh": "芝加哥"},
    {"en": "Dallas", "zh": "达拉斯"}, {"en": "Oakland", "zh": "奥克兰"}, {"en": "Newark", "zh": "纽瓦克"},
    {"en": "Shanghai", "zh": "上海"}, {"en": "Guangzhou", "zh": "广州"}, {"en": "Beijing", "zh": "北京"},
    {"en": "Wuhan", "zh": "武汉"},
)

# (hours after hand-over, status, text key); a delivered parcel takes 3 days, as the seeded orders do.
NORMAL_SCANS: tuple[tuple[int, TrackingStatus, str], ...] = (
    (0, "label_created", "label_created"), (6, "picked_up", "picked_up"), (18, "in_transit", "departed"),
    (36, "in_transit", "arrived"), (64, "out_for_delivery", "out_for_delivery"), (72, "delivered", "delivered"),
)
LOST_SCANS: tuple[tuple[int, TrackingStatus, str], ...] = NORMAL_SCANS[:4] + (
    (132, "exception", "no_scans"), (240, "lost", "lost"),
)
DELIVERY_HOURS = 72

TEXT: dict[str, dict[str, str]] = {
    "label_created": {"en": "Shipping label created; waiting for the parcel", "zh": "已创建运单,等待揽收"},
    "picked_up": {"en": "Picked up by ReturnDesk Express", "zh": "ReturnDesk 快递已揽收"},
    "departed": {"en": "Departed the {hub} sorting hub", "zh": "已离开{hub}转运中心"},
    "arrived": {"en": "Arrived at the {hub} sorting hub", "zh": "已到达{hub}转运中心"},
    "out_for_delivery": {"en": "Out for delivery", "zh": "派送中"},
    "delivered": {"en": "Delivered", "zh": "已签收"},
    "delivered_return": {"en": "Delivered to the ReturnDesk returns centre", "zh": "已送达 ReturnDesk 退货中心"},
    "no_scans": {"en": "No scans for 4 days: we are tracing the parcel", "zh": "包裹已 4 天无扫描记录,正在追查"},
    "lost": {"en": "Declared lost; the sender has been told so they can replace or refund it",
             "zh": "包裹已确认丢失,已通知商家补发或退款"},
    "cancelled": {"en": "Shipment cancelled: the return label was voided and must not be used",
                  "zh": "运单已取消:退货面单已作废,请勿使用"},
    "cancelled_outbound": {"en": "Shipment cancelled by the sender; the parcel goes back to the warehouse",
                           "zh": "发件人已取消运单,包裹将退回仓库"},
}
STATUS_TEXT: dict[TrackingStatus, dict[str, str]] = {
    "label_created": {"en": "Label created, not yet picked up", "zh": "已下单,待揽收"},
    "picked_up": {"en": "Picked up", "zh": "已揽收"},
    "in_transit": {"en": "In transit", "zh": "运输中"},
    "out_for_delivery": {"en": "Out for delivery", "zh": "派送中"},
    "delivered": {"en": "Delivered", "zh": "已签收"},
    "exception": {"en": "Delayed: the parcel is being traced", "zh": "异常:包裹正在追查中"},
    "lost": {"en": "Lost in transit", "zh": "运输途中丢失"},
    "cancelled": {"en": "Cancelled: the label was voided", "zh": "已取消:面单已作废"},
}


@dataclass(frozen=True)
class Parcel:
    """What the carrier knows about a parcel."""

    tracking_number: str
    carrier: str
    direction: str  # 'outbound' or 'return'
    fate: str  # 'normal' or 'lost' (the simulation's script for this parcel)
    handed_over_at: datetime
    voided_at: datetime | None = None  # a voided return label or a stopped replacement: the shipment was cancelled


def track(parcel: Parcel, now: datetime, language: Language = "en") -> Tracking:
    """The parcel's scans up to `now`, oldest first, with the latest status in words."""
    start = as_utc(parcel.handed_over_at)
    origin, destination = hubs_for(parcel.tracking_number)
    script = LOST_SCANS if parcel.fate == "lost" else NORMAL_SCANS
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
        events.append(ScanEvent(at=at, status=status, location=hub[language] if hub else None,
                                description=TEXT[key][language].format(hub=hub[language] if hub else "")))
    if parcel.voided_at:
        key = "cancelled_outbound" if parcel.direction == "outbound" else "cancelled"
        events.append(ScanEvent(at=max(as_utc(parcel.voided_at), start), status="cancelled",
                                description=TEXT[key][language]))
    latest = events[-1].status
    on_its_way = latest not in ("delivered", "exception", "lost", "cancelled")
    return Tracking(
        tracking_number=parcel.tracking_number, carrier=parcel.carrier,
        direction="return" if parcel.direction == "return" else "outbound",
        status=latest, status_text=STATUS_TEXT[latest][language], events=events,
        estimated_delivery=start + timedelta(hours=DELIVERY_HOURS) if on_its_way else None,
    )


def hubs_for(tracking_number: str) -> tuple[dict[str, str], dict[str, str]]:
    """Two different sorting hubs, always the same for the same tracking number."""
    digest = int.from_bytes(hashlib.sha256(tracking_number.encode()).digest()[:8], "big")
    first = digest % len(HUBS)
    second = (first + 1 + (digest // len(HUBS)) % (len(HUBS) - 1)) % len(HUBS)
    return HUBS[first], HUBS[second]


def as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
