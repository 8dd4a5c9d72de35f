"""track_shipment: the customer's own parcels, through the carrier, and a clear answer when it is down."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.settings import Settings
from mock_backends.logistics.faults import FaultConfig
from mock_backends.orders.models import AuditEvent
from tests.logistics.server import closed_port_url, running_carrier, tracking_number_of
from tests.tools.runtime import call_tool
from tools.deps import ToolDeps
from tools.registry import spec_for
from tools.tracking import track_shipment

ALICE, WANG = "alice_chen_1001", "wang_fang_1002"


def deps_for(engine: Engine, tmp_path: Path, carrier_url: str, **settings: object) -> ToolDeps:
    return ToolDeps(
        engine=engine,
        settings=Settings(data_dir=tmp_path / "data", carrier_url=carrier_url, _env_file=None, **settings),
    )  # type: ignore[call-arg]


@pytest.fixture
def deps(settings: Settings, engine: Engine, tmp_path: Path) -> Iterator[ToolDeps]:
    with running_carrier(settings.resolved_database_url) as url:
        yield deps_for(engine, tmp_path, url)


def refusals(engine: Engine) -> list[tuple[str, str, str | None, str]]:
    with Session(engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.tool == "track_shipment")).all()
        return [(r.actor, r.outcome, r.order_id, r.detail) for r in rows]


def test_track_shipment_is_registered_as_a_tool_that_needs_no_confirmation() -> None:
    spec = spec_for("track_shipment")
    assert spec is not None and not spec.sensitive
    assert set(spec.tool.tool_call_schema.model_json_schema()["properties"]) == {"order_id", "tracking_number"}


def test_customer_tracks_their_shipped_order_by_order_number(deps: ToolDeps, engine: Engine) -> None:
    result = call_tool(track_shipment, deps, customer_id=ALICE, order_id="w1000004")
    assert result["ok"] is True and result["order_id"] == "#W1000004"
    [parcel] = result["parcels"]
    assert parcel["tracking_number"] == tracking_number_of(engine, "#W1000004")
    assert parcel["status"] == "in_transit" and parcel["estimated_delivery"]
    assert [e["status"] for e in parcel["events"]][:2] == ["label_created", "picked_up"]


def test_a_chinese_customer_sees_the_lost_parcel_in_chinese(deps: ToolDeps, engine: Engine) -> None:
    number = tracking_number_of(engine, "#W1000013")
    result = call_tool(track_shipment, deps, customer_id=WANG, language="zh", tracking_number=number.lower())
    [parcel] = result["parcels"]
    assert (result["order_id"], parcel["status"], parcel["status_text"]) == ("#W1000013", "lost", "运输途中丢失")


def test_another_customers_order_is_not_found_and_the_refusal_is_audited(deps: ToolDeps, engine: Engine) -> None:
    result = call_tool(track_shipment, deps, customer_id=ALICE, order_id="#W1000012")  # Wang's order
    assert (result["ok"], result["code"]) == (False, "order_not_found")
    [(actor, outcome, order_id, detail)] = refusals(engine)
    assert (actor, outcome, order_id) == (ALICE, "refused", "#W1000012") and "order_not_found" in detail


def test_another_customers_tracking_number_is_not_found_and_audited(deps: ToolDeps, engine: Engine) -> None:
    number = tracking_number_of(engine, "#W1000012")
    result = call_tool(track_shipment, deps, customer_id=ALICE, tracking_number=number)
    assert (result["ok"], result["code"]) == (False, "shipment_not_found")
    assert "W1000012" not in result["error"]
    assert [(a, o) for a, o, _order, _d in refusals(engine)] == [(ALICE, "refused")]


def test_a_tracking_number_from_another_order_of_the_customer_is_refused(deps: ToolDeps, engine: Engine) -> None:
    result = call_tool(
        track_shipment,
        deps,
        customer_id=ALICE,
        order_id="#W1000001",
        tracking_number=tracking_number_of(engine, "#W1000004"),
    )
    assert (result["ok"], result["code"]) == (False, "shipment_not_found")


def test_an_order_not_yet_shipped_has_nothing_to_track(deps: ToolDeps) -> None:
    result = call_tool(track_shipment, deps, customer_id=ALICE, order_id="#W1000007")
    assert result["ok"] is True and result["parcels"] == [] and "not shipped yet" in result["message"]


def test_asking_without_an_order_or_tracking_number_says_what_is_needed(deps: ToolDeps) -> None:
    result = call_tool(track_shipment, deps, customer_id=ALICE, order_id="  ")
    assert (result["ok"], result["code"]) == (False, "invalid_request")
    assert "order number or the tracking number" in result["error"]


def test_carrier_down_gives_a_clear_error_within_the_timeout(engine: Engine, tmp_path: Path) -> None:
    deps = deps_for(engine, tmp_path, closed_port_url(), carrier_timeout_s=1.0, carrier_attempt_timeout_s=0.4)
    started = time.monotonic()
    result = call_tool(track_shipment, deps, customer_id=ALICE, order_id="#W1000004")
    assert time.monotonic() - started < 2 * 1.0
    assert (result["ok"], result["code"]) == (False, "carrier_unavailable")
    assert "try again" in result["error"] and result["hint"]


def test_carrier_too_slow_gives_a_clear_error_within_the_timeout(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    # The carrier hangs 10 s per request; without a working budget this call would take 30 s.
    with running_carrier(settings.resolved_database_url, FaultConfig(timeout_rate=1.0, hang_s=10)) as url:
        deps = deps_for(engine, tmp_path, url, carrier_timeout_s=1.0, carrier_attempt_timeout_s=0.4)
        started = time.monotonic()
        result = call_tool(track_shipment, deps, customer_id=ALICE, order_id="#W1000004")
        elapsed = time.monotonic() - started
    assert elapsed < 5, "the 1 s budget cut the call short (generous bound: this machine is shared)"
    assert (result["ok"], result["code"]) == (False, "carrier_unavailable")
