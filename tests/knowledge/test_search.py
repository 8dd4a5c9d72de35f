"""Help-centre search: a customer's question finds the passage that answers it, in their language."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mock_backends.knowledge.documents import load_documents, parse_document
from mock_backends.knowledge.search import HelpCentreIndex, SearchHit, help_centre_index
from mock_backends.orders.policy import load_policy
from tests.knowledge.policy_drift import SECTIONS


def top(query: str, language: str | None = None) -> SearchHit:
    hits = help_centre_index().search(query, language=language)
    assert hits, f"nothing found for {query!r}"
    return hits[0]


def test_how_long_to_return_headphones_finds_the_return_windows() -> None:
    hit = top("how long do I have to return headphones")

    assert (hit.doc_id, hit.heading) == SECTIONS["en"]["windows"]
    assert f"{load_policy().window_days_by_category['electronics']} days" in hit.text


def test_chinese_question_about_the_return_period_finds_the_chinese_passage() -> None:
    hit = top("退货期限是多久")

    assert hit.language == "zh"
    assert (hit.doc_id, hit.heading) == SECTIONS["zh"]["windows"]


@pytest.mark.parametrize(("query", "language"), [("refund to gift card", "en"), ("退款能退到礼品卡吗", "zh")])
def test_refund_to_gift_card_finds_the_refund_methods(query: str, language: str) -> None:
    hit = top(query)

    assert (hit.doc_id, hit.heading) == SECTIONS[language]["refund_methods"]


def test_damaged_item_question_finds_the_damaged_item_rule() -> None:
    hit = top("my kettle arrived broken, can I still send it back?")

    assert (hit.doc_id, hit.heading) == SECTIONS["en"]["damaged"]


def test_every_hit_says_where_it_comes_from() -> None:
    documents = {(d.language, d.doc_id): d for d in load_documents()}
    for hit in help_centre_index().search("return refund parcel warranty sign in", k=10):
        document = documents[(hit.language, hit.doc_id)]
        assert hit.title == document.title
        assert document.section(hit.heading) is not None
        assert hit.source == f"{hit.language}/{hit.doc_id}.md#{document.section(hit.heading).anchor}"
        assert hit.text and hit.score > 0


def test_hits_are_best_first_and_at_most_k() -> None:
    hits = help_centre_index().search("return window refund", k=2)

    assert len(hits) == 2
    assert hits[0].score >= hits[1].score


@pytest.mark.parametrize("query", ["", "   ", "qwzx blorf", "the of and to", "?!…", "的了吗"])
def test_empty_or_meaningless_queries_find_nothing(query: str) -> None:
    assert help_centre_index().search(query) == []


def test_the_language_argument_chooses_the_documents() -> None:
    # "PayPal" is written the same in both languages' refund pages.
    for language in ("en", "zh"):
        hits = help_centre_index().search("PayPal", language=language)
        assert hits and {h.language for h in hits} == {language}


def test_a_language_without_documents_is_an_error() -> None:
    with pytest.raises(ValueError, match="fr"):
        help_centre_index().search("refund", language="fr")


def test_documents_are_split_into_passages_at_their_headings() -> None:
    document = parse_document(
        "# Title\n\nIntro text.\n\n## First\n\nOne.\n```\n# not a heading\n```\n\n### Second\n\nTwo.\n\n## Empty\n",
        doc_id="demo",
        language="en",
    )

    assert [(p.heading, p.anchor) for p in document.passages] == [
        ("Title", "title"),
        ("First", "first"),
        ("Second", "second"),
    ]
    assert "# not a heading" in document.passages[1].text
    assert {p.title for p in document.passages} == {"Title"}


def test_an_index_of_other_documents_searches_only_those() -> None:
    index = HelpCentreIndex(
        [parse_document("# Pets\n\n## Dogs\n\nDogs bark.\n\n## Cats\n\nCats purr.\n", doc_id="pets", language="en")]
    )

    assert [h.heading for h in index.search("why does my cat purr")] == ["Cats"]
    assert index.search("refund") == []


def test_importing_the_app_does_not_build_the_index() -> None:
    """Start-up stays fast: the index (and jieba's dictionary) are built on the first search."""
    code = (
        "import graphs.returns_graph, jieba; "
        "from mock_backends.knowledge.search import help_centre_index as i; "
        "print(i.cache_info().currsize, jieba.dt.initialized)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.split() == ["0", "False"]
