"""The return label: made after the return, fetched at the next status check if the carrier was down,
voided when the return is cancelled; a carrier outage never spoils the return or its cancellation."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from mock_backends.logistics.client import CarrierClient, LabelVoided
from mock_backends.orders.models import OrderItem, ReturnRequest, Shipment
from service.conversation import ConversationService
from tests.conftest import return_headphones, sign_in
from tests.logistics.server import closed_port_url, free_port, running_carrier
from tests.tools.runtime import call_tool
from tests.tools.test_tracking import ALICE, deps_for
from tools.cancellation import cancel_return
from tools.return_label import public_label_url
from tools.return_status import get_return_status
from tools.returns import create_return
from tools.tracking import track_shipment
from ui.server import create_app


def first_item(engine: Engine, order_id: str) -> list[dict[str, int]]:
    """The first line of a seeded order, quantity 1: what the customer asks to return."""
    with Session(engine) as session:
        item_id = session.exec(
            select(OrderItem.id).where(OrderItem.order_id == order_id).order_by(col(OrderItem.id))
        ).first()
    return [{"order_item_id": item_id or 0, "quantity": 1}]


def the_return(engine: Engine) -> ReturnRequest:
    with Session(engine) as session:
        return session.exec(select(ReturnRequest)).one()


def return_parcels(engine: Engine) -> list[Shipment]:
    with Session(engine) as session:
        return list(session.exec(select(Shipment).where(Shipment.direction == "return")).all())


def test_a_confirmed_return_gets_a_printable_label_through_the_api(settings: Settings, engine: Engine) -> None:
    with running_carrier(settings.resolved_database_url) as carrier_url:
        with_carrier = settings.model_copy(update={"carrier_url": carrier_url})
        with TestClient(create_app(with_carrier, ConversationService(with_carrier))) as client:
            session_id = sign_in(client)
            done = return_headphones(client, session_id)
            ret = the_return(engine)
            [result] = [t["result"] for t in done["tool_trace"] if t["tool"] == "create_return"]
            link = result["label"]["url"]
            png = client.get(link.removeprefix(settings.public_url))
    assert link.startswith(f"{settings.public_url}/labels/") and link in done["reply"], (
        "the customer's link is the web app's (signed) route"
    )
    assert carrier_url not in str(done), "the carrier's own address is never shown"
    assert ret.label_ref == result["label"]["tracking_number"] and ret.label_ref in result["label_message"]
    assert ret.status == result["status"] == "label_created"
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_when_the_carrier_is_down_the_return_stands_and_the_label_will_follow(engine: Engine, tmp_path: Path) -> None:
    deps = deps_for(engine, tmp_path, closed_port_url(), carrier_timeout_s=1.0)
    items = first_item(engine, "#W1000001")
    result = call_tool(create_return, deps, customer_id=ALICE, order_id="#W1000001", items=items)
    ret = the_return(engine)
    assert result["ok"] is True and result["rma"] == ret.rma
    assert result["label"] == {"status": "pending"} and "label will follow" in result["label_message"]
    assert (ret.status, ret.label_ref) == ("requested", None)
    assert return_parcels(engine) == []


def test_a_replayed_confirmation_fetches_the_label_missed_the_first_time(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    items = first_item(engine, "#W1000001")
    down = call_tool(
        create_return,
        deps_for(engine, tmp_path, closed_port_url(), carrier_timeout_s=1.0),
        customer_id=ALICE,
        order_id="#W1000001",
        items=items,
    )
    with running_carrier(settings.resolved_database_url) as url:
        deps = deps_for(engine, tmp_path, url)
        replayed = call_tool(create_return, deps, customer_id=ALICE, order_id="#W1000001", items=items)
        again = call_tool(create_return, deps, customer_id=ALICE, order_id="#W1000001", items=items)
        tracked = call_tool(track_shipment, deps, customer_id=ALICE, order_id="#W1000001")
    assert down["label"]["status"] == "pending"
    assert replayed["rma"] == again["rma"] == down["rma"]
    assert replayed["label"] == again["label"] and replayed["label"]["status"] == "created"
    [parcel] = return_parcels(engine)
    assert parcel.tracking_number == replayed["label"]["tracking_number"]
    assert [(p["direction"], p["status"]) for p in tracked["parcels"]] == [
        ("outbound", "delivered"),
        ("return", "label_created"),
    ]


def test_the_label_message_is_in_chinese_for_a_chinese_customer(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    with running_carrier(settings.resolved_database_url) as url:
        result = call_tool(
            create_return,
            deps_for(engine, tmp_path, url),
            customer_id="wang_fang_1002",
            language="zh",
            order_id="#W1000011",
            items=first_item(engine, "#W1000011"),
        )
    assert result["ok"] is True and result["label_message"].startswith("请打印退货面单")


def test_a_pending_label_arrives_when_the_customer_asks_about_the_return_again(
    settings: Settings, engine: Engine
) -> None:
    carrier_port = free_port()  # nothing listens yet: the carrier is down when the return is made
    custom = settings.model_copy(update={"carrier_url": f"http://127.0.0.1:{carrier_port}", "carrier_timeout_s": 1.0})
    with TestClient(create_app(custom, ConversationService(custom))) as client:
        session_id = sign_in(client)
        created = return_headphones(client, session_id)
        assert "ask me about this return again" in created["reply"] and the_return(engine).label_ref is None
        with running_carrier(settings.resolved_database_url, port=carrier_port):
            status = client.post(
                f"/v1/sessions/{session_id}/messages", json={"text": "What is the status of my return?"}
            ).json()
            ret = the_return(engine)
            [result] = [t["result"] for t in status["tool_trace"] if t["tool"] == "get_return_status"]
            png = client.get(str(result["label"]["url"]).removeprefix(settings.public_url))
    assert result["ok"] and result["label"]["status"] == "created" and result["status"] == "label_created"
    assert (ret.status, ret.label_ref) == ("label_created", result["label"]["tracking_number"])
    assert "Print your return label" in status["reply"] and result["label"]["url"] in status["reply"]
    assert "waiting for you to send the parcel" in status["reply"]
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"


def test_while_the_carrier_is_still_down_the_status_says_the_label_is_still_pending(
    engine: Engine, tmp_path: Path
) -> None:
    deps = deps_for(engine, tmp_path, closed_port_url(), carrier_timeout_s=1.0)
    created = call_tool(
        create_return, deps, customer_id=ALICE, order_id="#W1000001", items=first_item(engine, "#W1000001")
    )
    status = call_tool(get_return_status, deps, customer_id=ALICE, rma=created["rma"])
    assert status["ok"] is True and status["status"] == "requested" and status["label"] == {"status": "pending"}
    assert "still isn't answering" in status["label_message"]
    assert the_return(engine).label_ref is None


def test_cancelling_a_return_voids_its_label_and_status_checks_no_longer_offer_it(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    with running_carrier(settings.resolved_database_url) as url:
        deps = deps_for(engine, tmp_path, url)
        created = call_tool(
            create_return, deps, customer_id=ALICE, order_id="#W1000001", items=first_item(engine, "#W1000001")
        )
        number = created["label"]["tracking_number"]
        cancelled = call_tool(cancel_return, deps, customer_id=ALICE, rma=created["rma"])
        status = call_tool(get_return_status, deps, customer_id=ALICE, rma=created["rma"])
        tracked = call_tool(track_shipment, deps, customer_id=ALICE, tracking_number=number)
        png = CarrierClient(url).label_png
        with pytest.raises(LabelVoided):
            png(number)
    assert cancelled["ok"] and cancelled["status"] == "cancelled" and cancelled["label"]["status"] == "voided"
    assert "don't use" in cancelled["label_message"]
    assert status["label"]["status"] == "voided" and status["label_ref"] is None and "url" not in status["label"]
    assert [p["status"] for p in tracked["parcels"]] == ["cancelled"]


def test_a_cancellation_stands_when_the_carrier_is_down_and_the_next_status_check_voids_the_label(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    with running_carrier(settings.resolved_database_url) as url:
        created = call_tool(
            create_return,
            deps_for(engine, tmp_path, url),
            customer_id=ALICE,
            order_id="#W1000001",
            items=first_item(engine, "#W1000001"),
        )
    number = created["label"]["tracking_number"]
    down = deps_for(engine, tmp_path, closed_port_url(), carrier_timeout_s=1.0)
    cancelled = call_tool(cancel_return, down, customer_id=ALICE, rma=created["rma"])
    assert cancelled["ok"] is True and the_return(engine).status == "cancelled"
    assert cancelled["label"] == {"status": "void_pending", "tracking_number": number}
    assert "don't use the old return label" in cancelled["label_message"]
    with running_carrier(settings.resolved_database_url) as url:
        assert CarrierClient(url).label_png(number).startswith(b"\x89PNG"), "not voided yet"
        status = call_tool(get_return_status, deps_for(engine, tmp_path, url), customer_id=ALICE, rma=created["rma"])
        with pytest.raises(LabelVoided):
            CarrierClient(url).label_png(number)
    assert status["label"]["status"] == "voided"


def test_the_label_link_follows_the_web_apps_port_or_its_public_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("RETURNDESK_PUBLIC_URL", "RETURNDESK_HOST", "RETURNDESK_PORT"):
        monkeypatch.delenv(name, raising=False)
    local = Settings(port=8123, data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    proxied = Settings(public_url="https://returns.example.com/", data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert str(public_label_url(local, "alice_chen_1001", "RMA-1A2B3C4D")).startswith("http://127.0.0.1:8123/labels/")
    assert str(public_label_url(proxied, "alice_chen_1001", "RMA-1A2B3C4D")).startswith(
        "https://returns.example.com/labels/"
    )
    assert public_label_url(local, None, "RMA-1A2B3C4D") is None, "no verified customer, no link"
