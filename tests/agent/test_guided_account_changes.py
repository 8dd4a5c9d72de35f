"""Guided mode walks a customer through changing an order's address or payment method, or their
default address: quick replies come from the customer's own pending orders, payment methods and
addresses, and a typed address follows the documented format (a missing field is named)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from agent.guided_account_changes import parse_typed_address
from agent.guided_text import detect_intent
from mock_backends.orders.models import Order
from service.conversation import ConversationService

CAROL = {"email": "carol@example.com", "order_id": "#W1000032"}
LI_NA = {"email": "li.na@example.cn", "order_id": "#W1000041"}


@pytest.mark.parametrize(
    ("typed", "fields", "missing"),
    [
        (
            "500 Howard St, Apt 4, San Francisco, CA, 94107, US",
            {"line1": "500 Howard St", "line2": "Apt 4", "city": "San Francisco", "region": "CA", "postcode": "94107"},
            None,
        ),
        (
            "文二路 88 号，杭州，浙江省，310012，中国",
            {"line1": "文二路 88 号", "city": "杭州", "postcode": "310012"},
            None,
        ),
        ("500 Howard St, San Francisco, CA, 94107", None, "country"),
        ("500 Howard St, San Francisco, CA, United States", None, "postcode"),
        ("500 Howard St, San Francisco, 94107, US", None, "region"),
        ("500 Howard St, 94107, US", None, "city"),
        ("", None, "line1"),
    ],
)
def test_a_typed_address_is_read_in_the_documented_format(typed: str, fields: dict | None, missing: str | None) -> None:
    read = parse_typed_address(typed)

    assert read.missing == missing
    if fields is not None:
        assert read.fields is not None and {k: read.fields[k] for k in fields} == fields


def test_the_pending_orders_are_the_quick_replies_and_shipped_ones_are_not_offered(
    service: ConversationService,
) -> None:
    session = service.sign_in(**CAROL)

    turn = service.send(session.session_id, "I want to change my delivery address, please")

    assert sorted(turn.quick_replies) == ["#W1000031", "#W1000032"]  # not the processing or delivered ones
    picked = service.send(session.session_id, "#W1000032")
    assert "can still be sent to another address" in picked.reply and picked.pending is None


def test_the_customers_own_methods_are_the_quick_replies_and_one_click_gets_the_card(
    service: ConversationService,
) -> None:
    session = service.sign_in(**CAROL)

    asked = service.send(session.session_id, "Change the payment method of order #W1000032")

    assert asked.quick_replies == ["Gift card", "PayPal carol@example.com", "Talk to a person"]
    proposed = service.send(session.session_id, "PayPal carol@example.com")
    assert proposed.pending is not None and proposed.pending.facts["payment_method_id"] == "paypal_carol_davis_1004"


def test_a_saved_address_offered_as_a_quick_reply_reads_back_as_the_same_address(
    service: ConversationService,
) -> None:
    session = service.sign_in(**LI_NA)

    asked = service.send(session.session_id, "我想改收货地址，订单 #W1000041")
    saved, person = asked.quick_replies
    proposed = service.send(session.session_id, saved)

    assert (saved, person) == ("文三路 90 号, 杭州, 浙江省, 310000, CN", "人工客服")
    assert proposed.pending is not None and proposed.pending.facts["ship_to"] == "文三路 90 号, 杭州 310000, CN"


def test_an_address_given_with_the_request_gets_the_card_at_once_and_a_no_changes_nothing(
    service: ConversationService,
) -> None:
    session = service.sign_in(**CAROL)

    turn = service.send(
        session.session_id, "Please change the address of order #W1000032 to 77 Pine St, Seattle, WA, 98104, US"
    )
    declined = service.send(session.session_id, "no")

    assert turn.pending is not None and turn.pending.facts["ship_to"] == "77 Pine St, Seattle 98104"
    assert "nothing was changed" in declined.reply
    with Session(service.deps.engine) as db:
        assert db.get(Order, "#W1000032").ship_to == "1201 3rd Ave, Seattle 98101"  # type: ignore[union-attr]


def test_a_customer_stuck_on_the_address_can_take_the_person_offered(service: ConversationService) -> None:
    session = service.sign_in(**CAROL)
    service.send(session.session_id, "Change the delivery address of order #W1000032")

    missing = service.send(session.session_id, "somewhere in Seattle")
    handed = service.send(session.session_id, missing.quick_replies[-1])

    assert "missing the city" in missing.reply and missing.quick_replies == ["Talk to a person"]
    assert "ticket number" in handed.reply and handed.pending is None


@pytest.mark.parametrize(
    ("words", "intent"),
    [
        ("Can you change my delivery address?", "change_address"),
        ("修改地址", "change_address"),
        ("我要改收货地址", "change_address"),
        ("修改默认地址", "change_default_address"),
        ("Please change my default address", "change_default_address"),
        ("I'd like to change payment method", "change_payment"),
        ("更换支付方式", "change_payment"),
        ("Return the lamp and refund my original payment method", "return"),  # not a payment change
        ("退回原支付方式", "return"),
    ],
)
def test_guided_mode_recognises_the_changes_in_english_and_chinese(words: str, intent: str) -> None:
    assert detect_intent(words) == intent


def test_a_request_with_a_comma_but_no_address_is_asked_for_the_address(service: ConversationService) -> None:
    session = service.sign_in(**CAROL)

    turn = service.send(session.session_id, "I want to change the delivery address of #W1000032, please")

    assert "can still be sent to another address" in turn.reply and turn.pending is None
