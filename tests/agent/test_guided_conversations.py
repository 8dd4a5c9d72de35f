"""Guided mode completes the core conversations end to end, in English and Chinese."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from mock_backends.orders.models import HandoffTicket, ReturnRequest
from service.conversation import ConversationService

ALICE = {"email": "alice@example.com", "order_id": "#W1000001"}
WANG = {"email": "wang.fang@example.cn", "order_id": "#W1000011"}


def returns_in(service: ConversationService) -> list[ReturnRequest]:
    with Session(service.deps.engine) as db:
        return list(db.exec(select(ReturnRequest)).all())


@pytest.mark.parametrize(
    ("who", "ask", "yes", "done"),
    [
        (ALICE, "I want to return the headphones from order #W1000001", "yes", "Your return is created"),
        (WANG, "我想退订单 #W1000011 里的耳机", "确认", "退货已创建"),
    ],
)
def test_a_return_end_to_end_with_confirmation(
    service: ConversationService, who: dict, ask: str, yes: str, done: str
) -> None:
    session = service.sign_in(**who)
    turn = service.send(session.session_id, ask)
    assert turn.mode == "guided" and turn.pending is not None and turn.pending.amounts[-1].cents == 8999

    finished = service.send(session.session_id, yes)

    [created] = returns_in(service)
    assert done in finished.reply and created.rma in finished.reply and finished.pending is None


@pytest.mark.parametrize(
    ("who", "ask", "no", "unchanged"),
    [
        (ALICE, "return the headphones from #W1000001", "no", "nothing was changed"),
        (WANG, "退货 #W1000011 耳机", "不要", "没有做任何更改"),
    ],
)
def test_declining_changes_nothing_and_offers_a_gift_card_instead(
    service: ConversationService, who: dict, ask: str, no: str, unchanged: str
) -> None:
    session = service.sign_in(**who)
    service.send(session.session_id, ask)

    declined = service.send(session.session_id, no)

    assert unchanged in declined.reply and returns_in(service) == []
    gift_card = service.send(session.session_id, "Refund to a gift card instead" if who is ALICE else "改为退到礼品卡")
    assert gift_card.pending is not None and gift_card.pending.facts["refund_method"] == "gift_card"


@pytest.mark.parametrize(
    ("ask", "reason"),
    [
        ("return the sunglasses from #W1000003", "final sale"),
        ("我想退 #W1000002 的跑鞋", "退货期"),
    ],
)
def test_items_that_are_not_eligible_are_explained_not_offered(
    service: ConversationService, ask: str, reason: str
) -> None:
    session = service.sign_in(**ALICE)
    turn = service.send(session.session_id, ask)
    assert turn.pending is None and reason in turn.reply


@pytest.mark.parametrize(
    ("who", "ask", "expected"),
    [
        (ALICE, "what's the status of order #W1000004?", "Order #W1000004 is **shipped**"),
        (WANG, "订单 #W1000012 的状态", "订单 #W1000012 的状态是：**已发货**"),  # the status in Chinese too
    ],
)
def test_order_status(service: ConversationService, who: dict, ask: str, expected: str) -> None:
    session = service.sign_in(**who)
    turn = service.send(session.session_id, ask)
    assert expected in turn.reply and "RD1000" in turn.reply


@pytest.mark.parametrize(
    ("who", "ask", "expected"),
    [
        (ALICE, "Talk to a person", "ticket number is"),
        (WANG, "转人工客服", "工单号"),
    ],
)
def test_hand_off_opens_a_ticket(service: ConversationService, who: dict, ask: str, expected: str) -> None:
    session = service.sign_in(**who)
    turn = service.send(session.session_id, ask)
    with Session(service.deps.engine) as db:
        [ticket] = db.exec(select(HandoffTicket)).all()
    assert expected in turn.reply and f"HD-{ticket.id:06d}" in turn.reply
    assert ticket.session_id == session.session_id


def test_an_anonymous_customer_verifies_in_the_chat_and_the_return_carries_on(service: ConversationService) -> None:
    session = service.start_anonymous()
    asked = service.send(session.session_id, "I want to return the headphones from order #W1000001")
    assert asked.pending is None and "verify" in asked.reply

    verified = service.send(session.session_id, "alice@example.com #W1000001")

    assert [t.tool for t in verified.tool_trace] == ["verify_customer", "lookup_order", "check_return_eligibility"]
    assert verified.pending is not None and verified.pending.amounts[0].label == "Wireless Headphones × 1"
    assert service.session(session.session_id).customer_id == "alice_chen_1001"


def test_the_greeting_menu_offers_quick_replies_in_the_customers_language(service: ConversationService) -> None:
    session = service.sign_in(**WANG)
    service.send(session.session_id, "你好")
    messages = service.graph.get_state({"configurable": {"thread_id": session.session_id}}).values["messages"]
    assert messages[-1].response_metadata["quick_replies"][:3] == ["退货", "查物流", "订单状态"]
