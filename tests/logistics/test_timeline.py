"""The scan timeline a customer sees, as a function of the parcel and the time of asking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.messages import t
from mock_backends.logistics.timeline import Parcel, hubs_for, track

HANDED_OVER = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def parcel(fate: str = "normal", direction: str = "outbound", number: str = "RD123456789") -> Parcel:
    return Parcel(
        tracking_number=number, carrier="ReturnDesk Express", direction=direction, fate=fate, handed_over_at=HANDED_OVER
    )


def test_a_parcel_asked_about_after_four_days_is_delivered_with_its_whole_journey() -> None:
    tracking = track(parcel(), HANDED_OVER + timedelta(days=4))
    assert tracking.status == "delivered"
    assert [e.status for e in tracking.events] == [
        "label_created",
        "picked_up",
        "in_transit",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    assert tracking.estimated_delivery is None
    assert [e.at for e in tracking.events] == sorted(e.at for e in tracking.events)


def test_a_parcel_two_days_out_is_in_transit_between_two_named_hubs_with_an_estimate() -> None:
    tracking = track(parcel(), HANDED_OVER + timedelta(days=2))
    origin, destination = hubs_for("RD123456789")
    assert tracking.status == "in_transit"
    assert tracking.events[-1].location == t(f"carrier.hub.{destination}", "en")
    assert t(f"carrier.hub.{origin}", "en") in tracking.events[-2].description and origin != destination
    assert tracking.estimated_delivery is not None and tracking.estimated_delivery > HANDED_OVER + timedelta(days=2)
    assert all(e.at <= HANDED_OVER + timedelta(days=2) for e in tracking.events)


def test_a_delayed_parcel_is_held_up_after_the_second_hub_and_never_shown_delivered() -> None:
    early = track(parcel("delayed"), HANDED_OVER + timedelta(days=1))
    late = track(parcel("delayed"), HANDED_OVER + timedelta(days=20), language="zh")
    assert early.status == "in_transit" and early.estimated_delivery is not None
    assert late.status == "exception" and "delivered" not in [e.status for e in late.events]
    assert "延误" in late.events[-1].description and late.estimated_delivery is None


def test_a_lost_parcel_stops_scanning_is_traced_and_then_declared_lost() -> None:
    traced = track(parcel("lost"), HANDED_OVER + timedelta(days=6))
    lost = track(parcel("lost"), HANDED_OVER + timedelta(days=12))
    assert traced.status == "exception" and "tracing" in traced.events[-1].description
    assert lost.status == "lost" and lost.status_text == "Lost in transit"
    assert "delivered" not in [e.status for e in lost.events] and lost.estimated_delivery is None


def test_chinese_customers_get_chinese_scan_text_and_hub_names() -> None:
    tracking = track(parcel(), HANDED_OVER + timedelta(days=2), "zh")
    _, destination = hubs_for("RD123456789")
    assert tracking.status_text == "运输中"
    assert tracking.events[-1].description == f"已到达{t(f'carrier.hub.{destination}', 'zh')}转运中心"


def test_the_same_question_at_the_same_moment_gets_the_same_answer() -> None:
    moment = HANDED_OVER + timedelta(hours=40)
    assert track(parcel(), moment) == track(parcel(), moment)
    assert hubs_for("RD100000001") == hubs_for("RD100000001")


def test_a_return_parcel_ends_at_the_returns_centre() -> None:
    tracking = track(parcel(direction="return"), HANDED_OVER + timedelta(days=5))
    assert tracking.direction == "return" and "returns centre" in tracking.events[-1].description


def test_a_label_just_created_has_one_event_waiting_for_pickup() -> None:
    tracking = track(parcel(), HANDED_OVER + timedelta(minutes=5))
    assert [e.status for e in tracking.events] == ["label_created"]
    assert tracking.status_text == "Label created, not yet picked up"


def test_a_voided_return_label_ends_the_story_as_cancelled_whenever_it_is_asked() -> None:
    voided = Parcel(
        tracking_number="RR0123456789",
        carrier="ReturnDesk Express",
        direction="return",
        fate="normal",
        handed_over_at=HANDED_OVER,
        voided_at=HANDED_OVER + timedelta(hours=1),
    )
    for later in (timedelta(hours=2), timedelta(days=5)):
        tracking = track(voided, HANDED_OVER + later, "en")
        assert [e.status for e in tracking.events] == ["label_created", "cancelled"]
        assert tracking.status == "cancelled" and tracking.estimated_delivery is None
    assert track(voided, HANDED_OVER + timedelta(days=5), "zh").status_text == "已取消：面单已作废"
