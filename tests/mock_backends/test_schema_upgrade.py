"""A database made by an older ReturnDesk: new nullable columns are added at start-up, anything else is
refused with the fix, never discovered mid-conversation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from mock_backends.orders.db import SchemaOutdated, create_tables, make_engine
from mock_backends.orders.localized import payment_method_description
from mock_backends.orders.models import PaymentMethod, Shipment
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
        conn.execute(text("UPDATE product SET name_zh = (SELECT name FROM productname "
                          "WHERE productname.product_id = product.id AND language = 'zh')"))
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
    done = subprocess.run([sys.executable, "-m", "ui.cli", "seed"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "RETURNDESK_DATA_DIR": str(data)})
    assert done.returncode == 1 and "returndesk seed --reset" in done.stdout and "Traceback" not in done.stderr
