"""The help centre's pages on changing an order say what guided mode and the backend do: every example
address is in the format guided mode reads (`agent.guided_account_changes.parse_typed_address`) and one
the shop ships to, and a customer's question finds the page in either language."""

from __future__ import annotations

import re

import pytest

from agent.guided_account_changes import parse_typed_address
from mock_backends.knowledge.documents import load_documents
from mock_backends.knowledge.search import help_centre_index
from mock_backends.orders.addresses import parse_address

SECTIONS = {
    "en": ("Changing the delivery address", "Changing the payment method", "Your default address"),
    "zh": ("修改收货地址", "更换支付方式", "默认地址"),
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_example_address_on_the_page_is_read_whole_and_accepted(language: str) -> None:
    orders = next(d for d in load_documents() if d.language == language and d.doc_id == "orders")
    examples = []
    for heading in SECTIONS[language]:
        section = orders.section(heading)
        assert section is not None, f"{language}: no section {heading!r}"
        examples += re.findall(r"`([^`]+)`", section.text)

    assert len(examples) >= 2
    for example in examples:
        typed = parse_typed_address(example)
        assert typed.fields is not None, f"{example!r}: guided mode finds no {typed.missing}"
        parse_address({k: v for k, v in typed.fields.items() if v})  # raises if the shop could not ship there


@pytest.mark.parametrize(
    ("question", "language", "heading"),
    [
        ("How do I change the delivery address of my order?", "en", "Changing the delivery address"),
        ("Can I pay my order with another payment method?", "en", "Changing the payment method"),
        ("怎么修改收货地址", "zh", "修改收货地址"),
        ("如何更换支付方式", "zh", "更换支付方式"),
    ],
)
def test_a_question_about_a_change_finds_its_section(question: str, language: str, heading: str) -> None:
    hits = help_centre_index().search(question, language=language, k=3)

    assert heading in [hit.heading for hit in hits]
