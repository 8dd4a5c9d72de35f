"""The model's view of tool results (tools/model_view.py): fewer tokens, nothing a reply needs lost."""

from __future__ import annotations

import json

from tools.help_centre import search_help_centre
from tools.model_view import compact, help_centre_view, model_content, relevant_sentences


def test_compact_drops_null_and_empty_strings_but_keeps_false_zero_and_empty_lists() -> None:
    value = {"a": None, "b": "", "c": False, "d": 0, "e": [], "f": [{"g": None, "h": "x"}], "i": {"j": None}}
    assert compact(value) == {"c": False, "d": 0, "e": [], "f": [{"h": "x"}], "i": {}}


def test_every_result_is_compact_json_and_other_content_is_left_alone() -> None:
    full = json.dumps({"ok": True, "order_id": "#W1000001", "location": None, "items": [{"eligible": False}]})
    assert model_content("lookup_order", full) == '{"ok":true,"order_id":"#W1000001","items":[{"eligible":false}]}'
    assert model_content("lookup_order", "plain text") == "plain text"
    assert model_content("lookup_order", "[1, 2]") == "[1, 2]"


def test_a_help_centre_result_shows_the_best_passage_whole_with_its_citation() -> None:
    full = search_help_centre.invoke({"query": "when the refund arrives"})
    view = json.loads(model_content("search_help_centre", json.dumps(full, ensure_ascii=False)))
    best = full["passages"][0]
    assert view["ok"] is True and "query" not in view
    assert view["passages"][0] == {k: best[k] for k in ("title", "heading", "source", "text")}
    # the second passage scores under 90% of the best: not shown
    assert full["passages"][1]["score"] < 0.9 * best["score"] and len(view["passages"]) == 1


def test_a_nearly_as_good_second_passage_is_trimmed_to_its_relevant_sentences() -> None:
    full = search_help_centre.invoke({"query": "退货期限"})
    view = help_centre_view(full)
    first, second = view["passages"]
    assert first["text"] == full["passages"][0]["text"], "the answer's table is whole"
    assert second["title"] == full["passages"][1]["title"] and second["text"]
    assert second["text"] in full["passages"][1]["text"] and len(second["text"]) < len(full["passages"][1]["text"])
    assert len(json.dumps(view, ensure_ascii=False)) < 0.6 * len(json.dumps(full, ensure_ascii=False))


def test_a_failed_or_empty_search_keeps_its_hint() -> None:
    failed = {"ok": False, "code": "empty_query", "error": "No question.", "hint": "Ask the customer."}
    assert json.loads(model_content("search_help_centre", json.dumps(failed))) == failed
    nothing = {"ok": True, "query": "x", "passages": [], "hint": "Say so."}
    empty = json.loads(model_content("search_help_centre", json.dumps(nothing)))
    assert empty == {"ok": True, "passages": [], "hint": "Say so."}


def test_relevant_sentences_keep_list_items_and_whole_tables() -> None:
    text = (
        "Returns are free. Refunds take a week.\n"
        "- Other words here. A refund arrives by card.\n"
        "| method | refund arrives |\n|---|---|\n| card | 5 days |\n"
        "Nothing to see."
    )
    assert relevant_sentences(text, "when the refund arrives") == (
        "- A refund arrives by card.\n| method | refund arrives |\n|---|---|\n| card | 5 days |"
    )
