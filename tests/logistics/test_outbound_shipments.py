"""An exchange's parcels at the carrier: the replacement goes out (booked once, tracked like any
parcel, stoppable), and the old item comes back on a return label, like a return's."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mock_backends.logistics.app import create_carrier_app
from mock_backends.logistics.client import CarrierClient, ShipmentRefused, TrackingNotFound
from mock_backends.orders.exchanges import exchange_items
from mock_backends.orders.models import OrderItem, Shipment, utcnow

CAROL = "carol_davis_1004"
TSHIRT_ORDER = "#W1000033"  # delivered 6 days ago: one white T-shirt, size M


def new_exchange(engine: Engine) -> str:
    with Session(engine) as db:
        line = db.exec(select(OrderItem).where(OrderItem.order_id == TSHIRT_ORDER)).one()
        return exchange_items(
            db, CAROL, TSHIRT_ORDER, [(line.id, "P-TSHIRT-BLACK-M", 1)], None, "exchange-carrier-1", utcnow()
        ).number


@pytest.fixture
def exchange(engine: Engine) -> str:
    return new_exchange(engine)


def test_a_replacement_is_booked_once_and_tracked_like_any_parcel(
    carrier_url: str, engine: Engine, exchange: str
) -> None:
    first = httpx.post(f"{carrier_url}/shipments", json={"reference": exchange, "order_id": TSHIRT_ORDER})
    again = httpx.post(f"{carrier_url}/shipments", json={"reference": exchange.lower(), "order_id": TSHIRT_ORDER})

    assert (first.status_code, again.status_code) == (201, 200)
    number = first.json()["tracking_number"]
    assert again.json()["tracking_number"] == number
    tracking = httpx.get(f"{carrier_url}/tracking/{number}").json()
    assert (tracking["direction"], tracking["status"]) == ("outbound", "label_created")
    assert tracking["estimated_delivery"] is not None
    with Session(engine) as db:
        parcels = db.exec(select(Shipment).where(Shipment.tracking_number == number)).all()
    assert [(p.order_id, p.direction, p.exchange_id is not None) for p in parcels] == [(TSHIRT_ORDER, "outbound", True)]


def test_a_replacement_handed_over_four_days_ago_is_delivered(engine: Engine, exchange: str) -> None:
    clock = [utcnow()]
    with TestClient(create_carrier_app(engine, clock=lambda: clock[0])) as carrier:
        number = carrier.post("/shipments", json={"reference": exchange, "order_id": TSHIRT_ORDER}).json()[
            "tracking_number"
        ]
        clock[0] += timedelta(days=4)
        tracking = carrier.get(f"/tracking/{number}").json()
    assert tracking["status"] == "delivered" and tracking["estimated_delivery"] is None


def test_a_stopped_replacement_says_so_in_both_languages_and_stopping_again_changes_nothing(
    carrier_url: str,
    exchange: str,
) -> None:
    client = CarrierClient(carrier_url)
    number = client.create_shipment(exchange, TSHIRT_ORDER).tracking_number

    first = client.cancel_shipment(number)
    again = client.cancel_shipment(number)

    assert again.cancelled_at == first.cancelled_at
    english = client.track(number)
    chinese = client.track(number, "zh")
    assert english.status == chinese.status == "cancelled"
    assert "cancelled by the sender" in english.events[-1].description
    assert "取消" in chinese.events[-1].description


def test_an_unknown_exchange_gets_no_replacement_and_nothing_is_booked(carrier_url: str, engine: Engine) -> None:
    response = httpx.post(f"{carrier_url}/shipments", json={"reference": "EXC-00000000", "order_id": TSHIRT_ORDER})

    assert response.status_code == 404 and response.json()["code"] == "exchange_not_found"
    with pytest.raises(ShipmentRefused):
        CarrierClient(carrier_url).create_shipment("EXC-00000000", TSHIRT_ORDER)
    with Session(engine) as db:
        assert db.exec(select(Shipment).where(Shipment.exchange_id.is_not(None))).all() == []  # type: ignore[union-attr]


def test_an_exchange_on_another_order_gets_no_replacement(carrier_url: str, exchange: str) -> None:
    response = httpx.post(f"{carrier_url}/shipments", json={"reference": exchange, "order_id": "#W1000001"})
    assert response.status_code == 404


def test_an_orders_own_delivery_cannot_be_cancelled_at_the_carrier(carrier_url: str, engine: Engine) -> None:
    with Session(engine) as db:
        delivery = db.exec(select(Shipment.tracking_number).where(Shipment.order_id == "#W1000004")).one()
    response = httpx.post(f"{carrier_url}/shipments/{delivery}/cancel")

    assert response.status_code == 404 and response.json()["code"] == "shipment_not_found"
    with pytest.raises(TrackingNotFound):
        CarrierClient(carrier_url).cancel_shipment(delivery)
    assert CarrierClient(carrier_url).track(delivery).status != "cancelled"


def test_a_malformed_shipment_request_is_a_clear_422(carrier_url: str) -> None:
    response = httpx.post(f"{carrier_url}/shipments", json={"reference": "", "order_id": TSHIRT_ORDER})
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    assert "reference" in response.json()["error"]


def test_the_old_item_goes_back_on_a_return_label_like_a_returns(carrier_url: str, exchange: str) -> None:
    client = CarrierClient(carrier_url)
    label = client.create_label(exchange, TSHIRT_ORDER)

    assert label.rma == exchange and label.tracking_number.startswith("RR")
    assert client.label_png(label.tracking_number).startswith(b"\x89PNG")
    assert client.track(label.tracking_number).direction == "return"
    client.void_label(label.tracking_number)
    assert client.track(label.tracking_number).status == "cancelled"
