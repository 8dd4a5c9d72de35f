"""One registry of languages and one detector: a customer's message is answered in the language it is
written in, and a message of references only (an order number) keeps the session's."""

from __future__ import annotations

import pytest

from core import languages


@pytest.mark.parametrize(
    ("text", "fallback", "expected"),
    [
        ("我想退货", "en", "zh"),
        ("I want to return the headphones", "zh", "en"),
        ("我想退 the headphones", "en", "zh"),  # Han is only Chinese: it decides over English words
        ("#W1000012", "zh", "zh"),
        ("RMA-1A2B3C4D", "zh", "zh"),
        ("RD100000007", "zh", "zh"),
        ("RR0123456789", "en", "en"),
        ("12", "zh", "zh"),
        ("alice@example.com #W1000001", "zh", "zh"),
        ("https://example.com/labels/RR1.png", "zh", "zh"),
    ],
)
def test_a_message_is_in_the_language_of_its_words_and_references_have_none(
    text: str, fallback: str, expected: str
) -> None:
    assert languages.detect(text, fallback) == expected


def test_without_words_and_without_a_fallback_there_is_no_language() -> None:
    assert languages.detect("#W1000001 alice@example.com", None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh_Hans", "zh"),
        ("Chinese", "zh"),
        ("中文", "zh"),
        ("cn", "zh"),
        ("en-US", "en"),
        ("English", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("fr", None),
        ("", None),
        (None, None),
    ],
)
def test_a_language_is_found_by_its_code_tag_or_name(value: str | None, expected: str | None) -> None:
    assert languages.resolve(value) == expected


def test_an_unknown_language_is_the_default_never_another_one() -> None:
    assert languages.get("fr").code == languages.get(None).code == languages.DEFAULT == "en"


def test_the_registry_knows_each_languages_locale_zone_and_name_order() -> None:
    english, chinese = languages.get("en"), languages.get("zh")
    assert languages.codes()[0] == "en" and "zh" in languages.codes()
    assert (english.locale, english.time_zone, chinese.locale, chinese.time_zone) == (
        "en_US",
        "UTC",
        "zh_Hans_CN",
        "Asia/Shanghai",
    )
    assert english.full_name("Alice", "Chen") == "Alice Chen"
    assert chinese.full_name("芳", "王") == "王芳"  # family name first, no space
