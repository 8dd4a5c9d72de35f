"""The carrier service over HTTP: tracking, return labels, and failing on purpose."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.settings import Settings
from mock_backends.logistics.faults import FaultConfig
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.models import OrderItem, ReturnRequest, Shipment
from mock_backends.orders.returns import ReturnLine, create_return
from mock_backends.orders.seed import seed_demo
from tests.logistics.server import running_carrier, tracking_number_of


def make_return(engine: Engine, order_id: str = "#W1000001") -> str:
    created = create_return(
        engine,
        customer_id="alice_chen_1001",
        order_id=order_id,
        lines=[ReturnLine(order_item_id=_first_item(engine, order_id), quantity=1)],
        refund_method="original_payment",
        reason="test",
        idempotency_key=f"k-{order_id}",
    )
    return created.rma


def _first_item(engine: Engine, order_id: str) -> int:
    with Session(engine) as session:
        item_id = session.exec(select(OrderItem.id).where(OrderItem.order_id == order_id)).first()
    return item_id or 0


@pytest.mark.parametrize(
    ("order_id", "status"),
    [
        ("#W1000001", "delivered"),  # delivered 5 days ago
        ("#W1000004", "in_transit"),  # shipped 2 days ago
        ("#W1000013", "lost"),  # lost in transit 12 days ago
    ],
)
def test_tracking_follows_the_seeded_orders(carrier_url: str, engine: Engine, order_id: str, status: str) -> None:
    number = tracking_number_of(engine, order_id)
    body = httpx.get(f"{carrier_url}/tracking/{number}").json()
    assert (body["tracking_number"], body["status"]) == (number, status)
    assert body["events"][0]["status"] == "label_created"


def test_tracking_speaks_chinese_by_query_or_accept_language(carrier_url: str, engine: Engine) -> None:
    number = tracking_number_of(engine, "#W1000013")
    by_query = httpx.get(f"{carrier_url}/tracking/{number}", params={"lang": "zh"}).json()
    by_header = httpx.get(f"{carrier_url}/tracking/{number}", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).json()
    english = httpx.get(f"{carrier_url}/tracking/{number}").json()
    assert by_query == by_header
    assert by_query["status_text"] == "运输途中丢失" and "丢失" in by_query["events"][-1]["description"]
    assert english["status_text"] == "Lost in transit"


def test_unknown_tracking_number_is_a_clear_404(carrier_url: str) -> None:
    response = httpx.get(f"{carrier_url}/tracking/RD999999999")
    assert response.status_code == 404
    assert response.json() == {"code": "tracking_not_found", "error": "No parcel with tracking number RD999999999."}


def test_a_return_label_is_booked_once_per_rma_and_prints_as_a_png(carrier_url: str, engine: Engine) -> None:
    rma = make_return(engine)
    first = httpx.post(f"{carrier_url}/labels", json={"rma": rma, "order_id": "#W1000001"})
    again = httpx.post(f"{carrier_url}/labels", json={"rma": rma, "order_id": "W1000001"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    label = first.json()
    with Session(engine) as session:
        ret = session.exec(select(ReturnRequest).where(ReturnRequest.rma == rma)).one()
        [parcel] = session.exec(select(Shipment).where(Shipment.return_id == ret.id)).all()
    assert (parcel.tracking_number, parcel.direction) == (label["tracking_number"], "return")

    png = httpx.get(label["label_url"])
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.format == "PNG"
    image = image.convert("L")
    assert image.width > image.height >= 400
    assert image.getextrema() == (0, 255), "the label has black print (barcode, text) on white"
    tracked = httpx.get(f"{carrier_url}/tracking/{label['tracking_number']}").json()
    assert (tracked["direction"], tracked["status"]) == ("return", "label_created")


def test_labels_are_refused_for_unknown_returns_and_outbound_parcels(carrier_url: str, engine: Engine) -> None:
    rma = make_return(engine)
    wrong_order = httpx.post(f"{carrier_url}/labels", json={"rma": rma, "order_id": "#W1000002"})
    missing = httpx.post(f"{carrier_url}/labels", json={"order_id": "#W1000001"})
    outbound = httpx.get(f"{carrier_url}/labels/{tracking_number_of(engine, '#W1000004')}.png")
    assert wrong_order.status_code == 404 and wrong_order.json()["code"] == "return_not_found"
    assert missing.status_code == 422 and missing.json() == {"code": "invalid_request", "error": "rma: Field required"}
    assert outbound.status_code == 404 and outbound.json()["code"] == "label_not_found"
    with Session(engine) as session:
        assert session.exec(select(Shipment).where(Shipment.direction == "return")).all() == []


def test_fault_header_makes_one_request_fail_on_purpose(carrier_url: str, engine: Engine) -> None:
    number = tracking_number_of(engine, "#W1000004")
    failed = httpx.get(f"{carrier_url}/tracking/{number}", headers={"X-Carrier-Fault": "error"})
    fine = httpx.get(f"{carrier_url}/tracking/{number}")
    bad = httpx.get(f"{carrier_url}/tracking/{number}", headers={"X-Carrier-Fault": "latency=soon"})
    assert failed.status_code == 503 and failed.json()["code"] == "carrier_unavailable"
    assert fine.status_code == 200
    assert bad.status_code == 400 and "latency must be" in bad.json()["error"]
    assert httpx.get(f"{carrier_url}/healthz", headers={"X-Carrier-Fault": "error"}).status_code == 200


@pytest.mark.parametrize("fault", ["timeout", "latency=3000"])
def test_fault_header_can_hold_a_request_past_the_callers_timeout(carrier_url: str, engine: Engine, fault: str) -> None:
    number = tracking_number_of(engine, "#W1000004")
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{carrier_url}/tracking/{number}", headers={"X-Carrier-Fault": fault}, timeout=0.5)


def test_error_rate_setting_fails_an_exact_repeatable_share(settings: Settings, engine: Engine) -> None:
    number = tracking_number_of(engine, "#W1000004")
    codes = []
    for _run in range(2):
        with running_carrier(settings.resolved_database_url, FaultConfig(error_rate=0.5)) as url:
            codes.append([httpx.get(f"{url}/tracking/{number}").status_code for _ in range(6)])
    assert codes[0] == codes[1] == [200, 503, 200, 503, 200, 503]


def test_timeout_rate_of_one_holds_every_request(settings: Settings, engine: Engine) -> None:
    number = tracking_number_of(engine, "#W1000004")
    with running_carrier(settings.resolved_database_url, FaultConfig(timeout_rate=1.0, hang_s=2)) as url:
        for _ in range(2):
            with pytest.raises(httpx.ReadTimeout):
                httpx.get(f"{url}/tracking/{number}", timeout=0.3)


def test_tracking_and_labels_work_the_same_on_each_database(database_url: str) -> None:
    engine = make_engine(database_url)
    create_tables(engine)
    seed_demo(engine)
    rma = make_return(engine)
    with running_carrier(database_url) as url:
        tracked = httpx.get(f"{url}/tracking/{tracking_number_of(engine, '#W1000013')}").json()
        labels = [httpx.post(f"{url}/labels", json={"rma": rma, "order_id": "#W1000001"}) for _ in range(2)]
        png = httpx.get(labels[0].json()["label_url"])
    assert tracked["status"] == "lost"
    assert [r.status_code for r in labels] == [201, 200]
    assert png.headers["content-type"] == "image/png"
    engine.dispose()


def test_a_voided_label_is_gone_and_its_parcel_tracks_as_cancelled(carrier_url: str, engine: Engine) -> None:
    rma = make_return(engine)
    label = httpx.post(f"{carrier_url}/labels", json={"rma": rma, "order_id": "#W1000001"}).json()
    number = label["tracking_number"]
    first = httpx.post(f"{carrier_url}/labels/{number}/void")
    again = httpx.post(f"{carrier_url}/labels/{number.lower()}/void")
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == again.json() and first.json()["status"] == "voided", "voiding twice changes nothing"

    png = httpx.get(label["label_url"])
    assert png.status_code == 410
    assert png.json() == {
        "code": "label_voided",
        "error": f"The return label {number} was voided and must not be used.",
    }
    tracked = httpx.get(f"{carrier_url}/tracking/{number}").json()
    assert (tracked["status"], tracked["events"][-1]["status"]) == ("cancelled", "cancelled")
    assert "voided" in tracked["events"][-1]["description"]


def test_only_return_labels_the_carrier_made_can_be_voided(carrier_url: str, engine: Engine) -> None:
    outbound = httpx.post(f"{carrier_url}/labels/{tracking_number_of(engine, '#W1000004')}/void")
    unknown = httpx.post(f"{carrier_url}/labels/RR0000000000/void")
    assert outbound.status_code == unknown.status_code == 404
    assert outbound.json()["code"] == unknown.json()["code"] == "label_not_found"
    tracked = httpx.get(f"{carrier_url}/tracking/{tracking_number_of(engine, '#W1000004')}").json()
    assert tracked["status"] == "in_transit", "an outbound parcel is never cancelled by a void"
