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
