"""The printable return label speaks the sender's language: its words, the sender's name as that
language writes it ("王芳", never "芳 王"), and the returned products by the names the customer knows."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from mock_backends.logistics.labels import label_lines, render_return_label
from mock_backends.logistics.records import book_return_shipment, return_label_facts
from mock_backends.orders.models import utcnow
from mock_backends.orders.returns import ReturnLine, create_return


def label_of(engine: Engine, customer_id: str, order_id: str, item_id: int) -> tuple[str, ...]:
    created = create_return(
        engine,
        customer_id=customer_id,
        order_id=order_id,
        lines=[ReturnLine(order_item_id=item_id, quantity=1)],
        refund_method="original_payment",
        reason="",
        idempotency_key=f"label-{order_id}",
    )
    shipment, _ = book_return_shipment(engine, rma=created.rma, order_id=order_id, now=utcnow())
    facts = return_label_facts(engine, shipment.tracking_number)
    assert facts is not None
    assert render_return_label(facts).startswith(b"\x89PNG")
    return label_lines(facts)


def test_a_chinese_customers_label_is_in_chinese_with_her_name_family_name_first(engine: Engine) -> None:
    lines = label_of(engine, "wang_fang_1002", "#W1000011", 11)
    assert lines[0] == "ReturnDesk Express  -  退货"
    assert any(line.startswith("寄件人：王芳，") for line in lines)
    assert lines[-1] == "商品：无线耳机 × 1"


def test_an_english_customers_label_is_in_english(engine: Engine) -> None:
    lines = label_of(engine, "alice_chen_1001", "#W1000001", 1)
    assert lines[0] == "ReturnDesk Express  -  RETURN"
    assert any(line.startswith("FROM: Alice Chen, 500 Howard St") for line in lines)
    assert lines[-1] == "ITEMS: Wireless Headphones × 1"
