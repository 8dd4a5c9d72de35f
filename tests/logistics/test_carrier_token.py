"""The carrier answers only the shop (shared token), and a return's tracking number cannot be worked out
from its RMA (security issue #13, carrier row)."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.settings import Settings
from mock_backends.logistics.client import CarrierClient, CarrierUnavailable
from mock_backends.logistics.records import book_return_shipment
from mock_backends.orders.models import ReturnRequest, Shipment, utcnow
from tests.faults.conftest import seeded
from tests.logistics.server import running_carrier, tracking_number_of
from tests.logistics.test_carrier_service import make_return
from tests.logistics.test_client import CountingTransport

TOKEN = "s3cret-carrier-token-for-tests"


def _return_parcels(engine: Engine) -> list[Shipment]:
    with Session(engine) as session:
        return list(session.exec(select(Shipment).where(Shipment.direction == "return")).all())


def test_without_the_token_every_call_but_health_is_refused_and_changes_nothing(
    settings: Settings, engine: Engine
) -> None:
    rma = make_return(engine)
    number = tracking_number_of(engine, "#W1000001")
    with running_carrier(settings.resolved_database_url, token=TOKEN) as url:
        calls = {
            "no token": httpx.get(f"{url}/tracking/{number}"),
            "wrong token": httpx.get(f"{url}/tracking/{number}", headers={"Authorization": "Bearer nope"}),
            "not a bearer": httpx.get(f"{url}/tracking/{number}", headers={"Authorization": TOKEN}),
            "label without": httpx.post(f"{url}/labels", json={"rma": rma, "order_id": "#W1000001"}),
            "fault without": httpx.get(f"{url}/tracking/{number}", headers={"X-Carrier-Fault": "error"}),
        }
        health = httpx.get(f"{url}/healthz")
        tracked = CarrierClient(url, token=TOKEN).track(number)

    for name, response in calls.items():
        assert response.status_code == 401, name
        assert response.json()["code"] == "unauthorized" and response.headers["www-authenticate"] == "Bearer"
    assert _return_parcels(engine) == [], "the refused label request booked nothing"
    assert health.status_code == 200
    assert tracked.tracking_number == number


def test_the_client_sends_the_token_and_a_wrong_one_fails_fast_without_retries(
    settings: Settings, engine: Engine
) -> None:
    rma = make_return(engine)
    transport = CountingTransport()
    with running_carrier(settings.resolved_database_url, token=TOKEN) as url:
        label = CarrierClient(url, token=TOKEN).create_label(rma, "#W1000001")
        with pytest.raises(CarrierUnavailable):
            CarrierClient(url, token="stale", max_attempts=3, transport=transport).label_png(label.tracking_number)
        png = CarrierClient(url, token=TOKEN).label_png(label.tracking_number)
    assert transport.requests == 1, "a refused token is a configuration error, not worth a retry"
    assert png.startswith(b"\x89PNG")


def test_the_tools_reach_a_carrier_that_requires_the_token(settings: Settings, engine: Engine) -> None:
    from tools.tracking import carrier_client

    number = tracking_number_of(engine, "#W1000004")
    with running_carrier(settings.resolved_database_url, token=TOKEN) as url:
        configured = settings.model_copy(update={"carrier_url": url, "carrier_token": SecretStr(TOKEN)})
        assert carrier_client(configured).track(number).status == "in_transit"
        with pytest.raises(CarrierUnavailable):
            carrier_client(settings.model_copy(update={"carrier_url": url, "carrier_token": None})).track(number)


def _same_rma_in_a_fresh_database(path: Path, rma: str) -> Engine:
    engine = seeded(f"sqlite:///{path.as_posix()}")
    with Session(engine) as session:
        ret = session.get(ReturnRequest, _return_id(engine, make_return(engine)))
        assert ret is not None
        ret.rma = rma
        session.add(ret)
        session.commit()
    return engine


def _return_id(engine: Engine, rma: str) -> int:
    with Session(engine) as session:
        return session.exec(select(ReturnRequest.id).where(ReturnRequest.rma == rma)).one() or 0


def test_a_return_tracking_number_is_random_not_derived_from_the_rma(tmp_path: Path) -> None:
    # The same RMA on two shops' databases: if the number followed from the RMA, both would match.
    first = _same_rma_in_a_fresh_database(tmp_path / "a.db", "RMA-0000CAFE")
    second = _same_rma_in_a_fresh_database(tmp_path / "b.db", "RMA-0000CAFE")
    one, _ = book_return_shipment(first, rma="RMA-0000CAFE", order_id="#W1000001", now=utcnow())
    again, created = book_return_shipment(first, rma="RMA-0000CAFE", order_id="#W1000001", now=utcnow())
    other, _ = book_return_shipment(second, rma="RMA-0000CAFE", order_id="#W1000001", now=utcnow())

    assert (again.tracking_number, created) == (one.tracking_number, False), "asking again: the same label"
    assert one.tracking_number != other.tracking_number
    assert one.tracking_number.startswith("RR") and len(one.tracking_number) == 12  # the masked QA format
    first.dispose()
    second.dispose()


def test_racing_label_requests_for_one_return_book_one_parcel(engine: Engine) -> None:
    rma = make_return(engine)
    start = threading.Barrier(4)
    numbers: list[str] = []

    def book() -> None:
        start.wait(timeout=30)
        shipment, _ = book_return_shipment(engine, rma=rma, order_id="#W1000001", now=utcnow())
        numbers.append(shipment.tracking_number)

    threads = [threading.Thread(target=book) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(numbers) == 4 and len(set(numbers)) == 1
    assert [s.tracking_number for s in _return_parcels(engine)] == numbers[:1]
