"""The order lookup on every tool's hot path: one query, and it tells two variants of a product apart."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from mock_backends.orders import repository
from mock_backends.orders.exchanges import exchange_items
from mock_backends.orders.models import utcnow
from mock_backends.orders.products import parse_options
from tests.mock_backends.after_sales import ALICE, item_id


def test_the_lookup_is_one_query_with_each_items_options_and_exchanged_units(demo_engine: Engine) -> None:
    tshirts = item_id(demo_engine, "#W1000003", 1)
    with Session(demo_engine) as db:
        exchange_items(db, ALICE, "#W1000003", [(tshirts, "P-TSHIRT-BLACK-M", 1)], None, "lookup-1", utcnow())
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731  (before_cursor_execute's statement)
    event.listen(demo_engine, "before_cursor_execute", listen)
    try:
        with Session(demo_engine) as db:
            detail = repository.get_order_detail(db, ALICE, "#W1000003")
    finally:
        event.remove(demo_engine, "before_cursor_execute", listen)

    assert len(statements) == 1
    assert detail.order.status == "exchange_requested"
    assert [(line.product_name, parse_options(line.options), line.quantity_exchanged) for line in detail.lines] == [
        ("Clearance Sunglasses", {"colour": "tortoiseshell"}, 0),
        ("Cotton T-Shirt", {"colour": "white", "size": "M"}, 1),
    ]
