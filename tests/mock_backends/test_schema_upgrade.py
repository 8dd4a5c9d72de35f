"""A database made by an older ReturnDesk: new nullable columns are added at start-up, anything else is
refused with the fix, never discovered mid-conversation."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateTable
from sqlmodel import Session, SQLModel, select

from mock_backends.orders import repository
from mock_backends.orders.db import SchemaOutdated, create_tables, make_engine
from mock_backends.orders.exchanges import exchange_items
from mock_backends.orders.localized import payment_method_description
from mock_backends.orders.models import (
    DELIVERED_STATUSES,
    ORDER_STATUSES,
    Order,
    OrderItem,
    PaymentMethod,
    Shipment,
    Variant,
    utcnow,
)
from mock_backends.orders.repository import get_order_detail
from mock_backends.orders.seed import seed_demo


def test_an_older_database_gains_the_new_nullable_column_and_keeps_its_data(database_url: str) -> None:
    engine = make_engine(database_url)
    create_tables(engine)
    seed_demo(engine)
    with engine.begin() as conn:  # as the previous release made it: no shipment.voided_at
        conn.execute(text("ALTER TABLE shipment DROP COLUMN voided_at"))
        parcels_before = conn.execute(text("SELECT count(*) FROM shipment")).scalar_one()

    create_tables(engine)  # what `returndesk demo` / `serve` run at start-up

    assert "voided_at" in {c["name"] for c in inspect(engine).get_columns("shipment")}
    with Session(engine) as db:
        parcels = db.exec(select(Shipment)).all()
    assert len(parcels) == parcels_before > 0 and all(p.voided_at is None for p in parcels)
    engine.dispose()


def test_an_older_database_keeps_its_chinese_product_names_currencies_and_cards(database_url: str) -> None:
    engine = make_engine(database_url)
    create_tables(engine)
    seed_demo(engine)
    with engine.begin() as conn:  # as releases before names per language made it
        conn.execute(text("ALTER TABLE product ADD COLUMN name_zh VARCHAR(200)"))
        conn.execute(
            text(
                "UPDATE product SET name_zh = (SELECT name FROM productname "
                "WHERE productname.product_id = product.id AND language = 'zh')"
            )
        )
        conn.execute(text("DROP TABLE productname"))
        conn.execute(text("ALTER TABLE orders DROP COLUMN currency"))
        conn.execute(text("ALTER TABLE paymentmethod DROP COLUMN brand"))
        conn.execute(text("ALTER TABLE paymentmethod DROP COLUMN last_four"))

    create_tables(engine)  # what `returndesk demo` / `serve` run at start-up

    assert "name_zh" not in {c["name"] for c in inspect(engine).get_columns("product")}
    with Session(engine) as db:
        detail = get_order_detail(db, "wang_fang_1002", "#W1000011", language="zh")
        card = db.get(PaymentMethod, "card_wang_fang_1002")
    assert [line.display_name for line in detail.lines] == ["无线耳机"] and detail.order.currency == "USD"
    assert card is not None and payment_method_description(card, "zh") == "尾号 4242 的 Visa 卡"
    create_tables(engine)  # and the next start-up finds nothing left to do
    engine.dispose()


def test_a_table_missing_required_columns_is_refused_with_the_fix(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE shipment (id INTEGER PRIMARY KEY)"))

    with pytest.raises(SchemaOutdated, match=r"lacks shipment\.\w+.*returndesk seed --reset"):
        create_tables(engine)
    engine.dispose()


def test_the_command_line_says_what_to_do_with_a_database_too_old_to_use(tmp_path: Path) -> None:
    data = tmp_path / "data"
    engine = make_engine(f"sqlite:///{(data / 'returndesk.db').as_posix()}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE shipment (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", "seed"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "RETURNDESK_DATA_DIR": str(data)},
    )
    assert done.returncode == 1 and "returndesk seed --reset" in done.stdout and "Traceback" not in done.stderr


# What the release before exchanges made: no exchange tables, no stock / exchanged units / payment notes /
# exchange parcels, and the order statuses without return_requested, exchange_requested, items_modified.
NEW_TABLES = ("exchangerequest", "exchangeitem", "accountchange")
NEW_COLUMNS = {"variant": "stock", "orderitem": "quantity_exchanged", "payment": "note", "shipment": "exchange_id"}
OLD_STATUSES = ("pending", "processing", "shipped", "delivered", "cancelled")


def make_previous_release_database(engine: Engine) -> None:
    """The tables as the previous release created them, with one delivered order of one counted-less variant."""
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in NEW_TABLES:
                continue
            ddl = str(CreateTable(table).compile(dialect=engine.dialect))
            if table.name in NEW_COLUMNS:
                kept = [line for line in ddl.splitlines() if not re.search(rf"\b{NEW_COLUMNS[table.name]}\b", line)]
                ddl = re.sub(r",\s*\n\)", "\n)", "\n".join(kept))
            if table.name == "orders":
                ddl = ddl.replace(", ".join(map(repr, ORDER_STATUSES)), ", ".join(map(repr, OLD_STATUSES)))
                for now, before in (
                    (("shipped", *DELIVERED_STATUSES), ("shipped", "delivered")),
                    (DELIVERED_STATUSES, ("delivered",)),
                ):
                    ddl = ddl.replace(", ".join(map(repr, now)), ", ".join(map(repr, before)))
            conn.execute(text(ddl))
        yesterday = utcnow() - timedelta(days=1)
        conn.execute(
            text(
                "INSERT INTO customer (id, first_name, last_name, email, postcode, preferred_language) "
                "VALUES ('old_1', 'Olga', 'Old', 'olga@example.com', '10001', 'en')"
            )
        )
        conn.execute(
            text("INSERT INTO product (id, name, category, final_sale) VALUES ('P-MUG', 'Mug', 'home', false)")
        )
        conn.execute(
            text(
                "INSERT INTO variant (id, product_id, options, price_cents, available) VALUES "
                "('P-MUG-RED', 'P-MUG', '{\"colour\": \"red\"}', 900, true), "
                "('P-MUG-BLUE', 'P-MUG', '{\"colour\": \"blue\"}', 900, true)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO orders (id, customer_id, status, created_at, shipped_at, delivered_at, ship_to, "
                "total_cents) VALUES ('#W1999999', 'old_1', 'delivered', :t, :t, :t, '1 Old Rd', 900)"
            ),
            {"t": yesterday},
        )
        conn.execute(
            text(
                "INSERT INTO orderitem (order_id, variant_id, quantity, unit_price_cents, quantity_returned) "
                "VALUES ('#W1999999', 'P-MUG-RED', 1, 900, 0)"
            )
        )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_older_sqlite_database_whose_order_statuses_changed_stops_start_up_with_the_fix(database_url: str) -> None:
    engine = make_engine(database_url)
    make_previous_release_database(engine)

    with pytest.raises(SchemaOutdated, match=r"orders\.ck_order_status.*returndesk seed --reset"):
        create_tables(engine)
    engine.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_an_older_postgres_database_is_upgraded_in_place_and_its_orders_can_be_exchanged(database_url: str) -> None:
    engine = make_engine(database_url)
    make_previous_release_database(engine)

    create_tables(engine)

    inspector = inspect(engine)
    assert all(column in {c["name"] for c in inspector.get_columns(table)} for table, column in NEW_COLUMNS.items())
    assert set(NEW_TABLES) <= set(inspector.get_table_names())
    with Session(engine) as db:
        mug = db.exec(select(OrderItem.id).where(OrderItem.order_id == "#W1999999")).one()
        assert repository.get_order_detail(db, "old_1", "#W1999999").lines[0].quantity_exchanged == 0  # null: none
        done = exchange_items(db, "old_1", "#W1999999", [(mug, "P-MUG-BLUE", 1)], None, "old-1", utcnow())
        blue = db.get(Variant, "P-MUG-BLUE")
    assert done.status == "requested" and blue is not None and blue.stock is None  # not counted: stays so
    with Session(engine) as db:
        assert db.get(Order, "#W1999999").status == "exchange_requested"  # type: ignore[union-attr]
    with pytest.raises(IntegrityError), engine.begin() as conn:  # the new CHECKs hold on the old tables too
        conn.execute(text("UPDATE variant SET stock = -1 WHERE id = 'P-MUG-RED'"))
    engine.dispose()
