"""The help centre tells customers the same policy the code enforces (one source: policy.yaml)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from core import languages
from mock_backends.knowledge.documents import DOCS_DIR, load_documents
from mock_backends.orders.policy import POLICY_FILE, ReturnPolicy, load_policy
from tests.knowledge.policy_drift import ALL_CHECKS, Check, policy_drift

TOPICS = {"returns", "refunds", "shipping", "warranty", "account-privacy"}
LANGUAGES = languages.codes()  # every language has its help-centre folder


def test_every_topic_is_documented_in_every_language() -> None:
    documents = load_documents()
    sections = {
        language: {d.doc_id: len(d.passages) for d in documents if d.language == language} for language in LANGUAGES
    }
    for language in LANGUAGES:
        assert set(sections[language]) >= TOPICS, f"{language}: a topic has no page"
        assert sections[language] == sections[languages.DEFAULT], f"{language}: not the same sections as English"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
def test_documents_state_the_policy_the_code_enforces(check: Check, language: str) -> None:
    assert check(load_policy(), load_documents(), language) == []


def _change_window(p: ReturnPolicy) -> dict:
    return {
        "window_days_by_category": {
            **p.window_days_by_category,
            "electronics": p.window_days_by_category["electronics"] + 5,
        }
    }


POLICY_CHANGES: dict[str, Callable[[ReturnPolicy], dict]] = {
    "electronics window": _change_window,
    "default window": lambda p: {"default_window_days": p.default_window_days + 1},
    "new category": lambda p: {"window_days_by_category": {**p.window_days_by_category, "toys": 30}},
    "damaged window": lambda p: {"damaged_window_days": p.damaged_window_days + 30},
    "final sale returnable": lambda p: {"final_sale_returnable": not p.final_sale_returnable},
    "refund method dropped": lambda p: {"refund_methods": p.refund_methods[:1]},
    "refund method added": lambda p: {"refund_methods": [*p.refund_methods, "store_credit"]},
}


@pytest.mark.parametrize("change", POLICY_CHANGES.values(), ids=POLICY_CHANGES.keys())
def test_a_policy_change_the_documents_do_not_follow_is_caught_in_each_language(change: Callable) -> None:
    policy = load_policy()
    changed = policy.model_copy(update=change(policy))
    for language in LANGUAGES:
        assert policy_drift(changed, load_documents(), [language]), f"{language} documents not checked"


def test_changing_a_window_in_policy_yaml_is_caught(tmp_path: Path) -> None:
    data = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    data["window_days_by_category"]["beauty"] += 7
    edited = tmp_path / "policy.yaml"
    edited.write_text(yaml.safe_dump(data), encoding="utf-8")

    problems = policy_drift(load_policy(edited), load_documents(), LANGUAGES)

    assert any("Beauty" in p for p in problems) and any("美妆" in p for p in problems)


@pytest.mark.parametrize(("language", "template"), [("en", "{} days for electronics"), ("zh", "电子产品 {} 天")])
def test_a_stale_window_in_passing_prose_is_caught(tmp_path: Path, language: str, template: str) -> None:
    """Not only the windows table: a number in any page (here the warranty page) must match too."""
    shutil.copytree(DOCS_DIR, tmp_path, dirs_exist_ok=True)
    page = tmp_path / language / "warranty.md"
    days = load_policy().window_days_by_category["electronics"]
    text = page.read_text(encoding="utf-8")
    assert template.format(days) in text, "the warranty page should mention the electronics window"
    page.write_text(text.replace(template.format(days), template.format(days + 10)), encoding="utf-8")

    problems = policy_drift(load_policy(), load_documents(tmp_path), [language])

    assert [p for p in problems if p.startswith(f"{language}/warranty.md")]
