"""create_return asks the carrier for a return label; a carrier outage never spoils the return."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent.settings import Settings
from mock_backends.orders.models import OrderItem, ReturnRequest, Shipment
from tests.conftest import sign_in
from tests.logistics.server import closed_port_url, running_carrier
from tests.tools.runtime import call_tool
from tests.tools.test_tracking import ALICE, deps_for
from tools.returns import create_return
from tools.tracking import track_shipment
from ui.conversation import ConversationService
from ui.server import create_app


def first_item(engine: Engine, order_id: str) -> list[dict[str, int]]:
    """The first line of a seeded order, quantity 1: what the customer asks to return."""
    with Session(engine) as session:
        item_id = session.exec(select(OrderItem.id).where(OrderItem.order_id == order_id)
                               .order_by(col(OrderItem.id))).first()
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
            turn = client.post(f"/v1/sessions/{session_id}/messages",
                               json={"text": "I want to return the headphones from order #W1000001"}).json()
            done = client.post(f"/v1/sessions/{session_id}/confirm",
                               json={"action_id": turn["pending"]["action_id"]}).json()
        ret = the_return(engine)
        [result] = [t["result"] for t in done["tool_trace"] if t["tool"] == "create_return"]
        assert ret.label_ref == result["label"]["url"] and ret.label_ref.endswith(".png")
        assert ret.status == result["status"] == "label_created"
        assert result["label"]["tracking_number"] in result["label_message"]
        assert httpx.get(ret.label_ref).headers["content-type"] == "image/png"


def test_when_the_carrier_is_down_the_return_stands_and_the_label_will_follow(engine: Engine, tmp_path: Path) -> None:
    deps = deps_for(engine, tmp_path, closed_port_url(), carrier_timeout_s=1.0)
    items = first_item(engine, "#W1000001")
    result = call_tool(create_return, deps, customer_id=ALICE, order_id="#W1000001", items=items)
    ret = the_return(engine)
    assert result["ok"] is True and result["rma"] == ret.rma
    assert result["label"] == {"status": "pending"} and "label will follow" in result["label_message"]
    assert (ret.status, ret.label_ref) == ("requested", None)
    assert return_parcels(engine) == []


def test_a_replayed_confirmation_fetches_the_label_missed_the_first_time(settings: Settings, engine: Engine,
                                                                          tmp_path: Path) -> None:
    items = first_item(engine, "#W1000001")
    down = call_tool(create_return, deps_for(engine, tmp_path, closed_port_url(), carrier_timeout_s=1.0),
                     customer_id=ALICE, order_id="#W1000001", items=items)
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
    assert [(p["direction"], p["status"]) for p in tracked["parcels"]] == [("outbound", "delivered"),
                                                                          ("return", "label_created")]


def test_the_label_message_is_in_chinese_for_a_chinese_customer(settings: Settings, engine: Engine,
                                                                tmp_path: Path) -> None:
    with running_carrier(settings.resolved_database_url) as url:
        result = call_tool(create_return, deps_for(engine, tmp_path, url), customer_id="wang_fang_1002",
                           language="zh", order_id="#W1000011", items=first_item(engine, "#W1000011"))
    assert result["ok"] is True and result["label_message"].startswith("请打印退货面单")

