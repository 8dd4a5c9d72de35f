"""get_product_details: a product's variants with options, price and stock, and what an ordered
item could be swapped for; the lookup tells two variants of one product apart."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.settings import Settings
from mock_backends.orders.models import OrderItem
from tests.tools.toolcall import audit_rows, invoke_tool
from tools.deps import ToolDeps

ALICE = "alice_chen_1001"
CAROL = "carol_davis_1004"


@pytest.fixture
def deps(settings: Settings, engine: Engine) -> ToolDeps:
    return ToolDeps(engine=engine, settings=settings)


def test_a_product_by_name_lists_each_variants_options_price_and_stock(deps: ToolDeps) -> None:
    result = invoke_tool("get_product_details", {"product": "cotton t-shirt"}, deps=deps, customer_id=ALICE)

    assert result["ok"], result
    variants = {v["variant_id"]: v for v in result["product"]["variants"]}
    assert variants["P-TSHIRT-WHITE-L"]["options"] == {"colour": "white", "size": "L"}
    assert (variants["P-TSHIRT-WHITE-L"]["in_stock"], variants["P-TSHIRT-WHITE-L"]["units_left"]) == (True, 1)
    assert (variants["P-TSHIRT-RED-M"]["in_stock"], variants["P-TSHIRT-RED-M"]["price"]) == (False, "15.00")


def test_an_ordered_item_shows_the_in_stock_variants_it_can_be_swapped_for(deps: ToolDeps) -> None:
    result = invoke_tool("get_product_details", {"order_id": "W1000033"}, deps=deps, customer_id=CAROL)

    assert result["ok"], result
    [item] = result["items"]
    assert (item["ordered_variant_id"], item["ordered_options"]) == ("P-TSHIRT-STD", {"colour": "white", "size": "M"})
    assert set(item["can_swap_for"]) == {"P-TSHIRT-WHITE-L", "P-TSHIRT-BLACK-M"}  # red is sold out


def test_an_unknown_product_is_a_clear_refusal_and_audited(deps: ToolDeps) -> None:
    result = invoke_tool("get_product_details", {"product": "flux capacitor"}, deps=deps, customer_id=ALICE)

    assert (result["ok"], result["code"]) == (False, "product_not_found")
    assert "flux capacitor" in result["error"]
    assert [a.outcome for a in audit_rows(deps.engine, "get_product_details")] == ["refused"]


def test_a_name_matching_several_products_asks_which_one(deps: ToolDeps) -> None:
    result = invoke_tool("get_product_details", {"product": "s"}, deps=deps, customer_id=ALICE)

    assert result["code"] == "product_not_found" and "Several products match" in result["error"]


def test_lookup_order_shows_each_items_options(deps: ToolDeps) -> None:
    order = invoke_tool("lookup_order", {"order_id": "#W1000001"}, deps=deps, customer_id=ALICE)["order"]

    assert [(i["product"], i["options"]) for i in order["items"]] == [
        ("Wireless Headphones", {"colour": "black"}),
        ("USB-C Cable", {"length": "1 m"}),
    ]


def test_an_item_of_another_customers_order_is_not_found(deps: ToolDeps, engine: Engine) -> None:
    with Session(engine) as db:
        carols = db.exec(select(OrderItem.id).where(OrderItem.order_id == "#W1000033")).one()
    result = invoke_tool(
        "get_product_details", {"order_id": "#W1000033", "order_item_id": carols}, deps=deps, customer_id=ALICE
    )
    assert (result["ok"], result["code"]) == (False, "order_not_found")
