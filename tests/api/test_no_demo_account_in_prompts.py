"""Nobody is shown the demo's accounts or orders as an example: the prompts use placeholders."""

from __future__ import annotations

import pytest

from service.conversation import ConversationService

DEMO = ("alice", "wang.fang", "#W1000001", "#W1000011", "headphones", "耳机")


@pytest.mark.parametrize(("language", "text"), [("en", "hello"), ("en", "what can you do?"), ("zh", "你好")])
def test_an_anonymous_customer_sees_no_real_account_as_an_example(
    service: ConversationService, language: str, text: str
) -> None:
    session = service.start_anonymous(language=language)
    reply = service.send(session.session_id, text).reply
    assert not [word for word in DEMO if word in reply.lower()], reply


@pytest.mark.parametrize(
    ("email", "order_id"), [("carol@example.com", "#W1000033"), ("wang.fang@example.cn", "#W1000011")]
)
def test_a_signed_in_customers_examples_name_their_own_order(
    service: ConversationService, email: str, order_id: str
) -> None:
    session = service.sign_in(email=email, order_id=order_id)
    newest = service.latest_order(session.session_id)
    assert newest is not None and newest != "#W1000001"  # theirs, never Alice's
    assert newest in service.send(session.session_id, "show my orders").reply


def test_an_anonymous_session_has_no_order_to_give_as_an_example(service: ConversationService) -> None:
    assert service.latest_order(service.start_anonymous(language="en").session_id) is None
