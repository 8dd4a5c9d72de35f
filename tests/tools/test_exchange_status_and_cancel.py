"""An exchange's status and its cancellation, through get_return_status / cancel_return with an EXC- number:
the carrier's label is voided and the replacement stopped; a cancelled exchange cannot be cancelled again."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from mock_backends.orders.errors import ExchangeNotCancellable, ExchangeNotFound
from mock_backends.orders.models import OrderItem, PaymentMethod
from tests.logistics.server import closed_port_url, running_carrier
from tests.tools.test_tracking import deps_for
from tests.tools.toolcall import invoke_tool
from tools.deps import ToolDeps
from tools.registry import spec_for

CAROL = "carol_davis_1004"
ALICE = "alice_chen_1001"


def exchange_headphones(deps: ToolDeps, variant: str = "P-HEADPHONES-WHITE") -> dict:
    """Carol exchanges the headphones of #W1000034 (paid by gift card): the white ones are 10.00 less."""
    with Session(deps.engine) as db:
        item = db.exec(select(OrderItem.id).where(OrderItem.order_id == "#W1000034").order_by(col(OrderItem.id))).one()
    made = invoke_tool(
        "exchange_items",
        {"order_id": "#W1000034", "items": [{"order_item_id": item, "new_variant_id": variant}]},
        deps=deps,
        customer_id=CAROL,
        call_id="make-exchange",
    )
    assert made["ok"], made
    return made


def balance(deps: ToolDeps) -> int:
    with Session(deps.engine) as db:
        return db.get(PaymentMethod, f"gift_card_{CAROL}").balance_cents  # type: ignore[union-attr]


def test_a_cancelled_exchange_gives_the_difference_back_and_stops_its_parcels(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    with running_carrier(settings.resolved_database_url) as url:
        deps = deps_for(engine, tmp_path, url)
        made = exchange_headphones(deps)
        number = made["exchange"]
        status = invoke_tool("get_return_status", {"rma": number}, deps=deps, customer_id=CAROL)
        card = spec_for("cancel_return").preview({"rma": number}, {"customer_id": CAROL, "language": "en"}, deps)  # type: ignore[union-attr,misc]
        cancelled = invoke_tool("cancel_return", {"rma": number}, deps=deps, customer_id=CAROL, call_id="cancel-1")

    assert (status["exchange"], status["status"], status["cancellable"]) == (number, "label_created", True)
    assert status["replacement_tracking"] == made["replacement_tracking"]
    assert card.title == f"Cancel exchange {number}"
    assert [(a.label, a.cents) for a in card.amounts] == [("Charge to Gift card", 1000)]  # the refund taken back
    assert cancelled["status"] == "cancelled" and cancelled["parcels"] == "stopped"
    assert cancelled["label_ref"] is None and "void" in cancelled["label_message"]
    assert balance(deps) == 0  # the 10.00 refunded to the gift card went back


def test_an_exchange_already_cancelled_or_someone_elses_is_refused_before_any_card(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    deps = deps_for(engine, tmp_path, closed_port_url(), carrier_timeout_s=1.0)
    number = exchange_headphones(deps)["exchange"]
    first = invoke_tool("cancel_return", {"rma": number}, deps=deps, customer_id=CAROL, call_id="cancel-1")
    preview = spec_for("cancel_return").preview  # type: ignore[union-attr]

    assert first["status"] == "cancelled"  # the carrier was down: nothing was booked, the cancellation stands
    with pytest.raises(ExchangeNotCancellable):
        preview({"rma": number}, {"customer_id": CAROL, "language": "en"}, deps)  # type: ignore[misc]
    with pytest.raises(ExchangeNotFound):
        preview({"rma": number}, {"customer_id": ALICE, "language": "en"}, deps)  # type: ignore[misc]
    again = invoke_tool(
        "cancel_return", {"rma": number}, deps=deps, customer_id=CAROL, call_id="cancel-2", language="zh"
    )
    assert again["code"] == "exchange_not_cancellable" and again["error"].startswith(f"换货单 {number} 已无法取消")
    replay = invoke_tool("cancel_return", {"rma": number}, deps=deps, customer_id=CAROL, call_id="cancel-1")
    assert replay["ok"] and replay["status"] == "cancelled"  # the same confirmed call again: no refusal
