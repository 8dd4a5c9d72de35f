"""Every language says everything: the catalogues hold the same keys with the same placeholders, every key
the code looks up exists, and Chinese text is punctuated as Chinese is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent.guided_text import MENU_BUTTONS, detect_intent
from core import languages, messages
from mock_backends.logistics.timeline import HUBS, LOST_SCANS, NORMAL_SCANS
from mock_backends.orders.models import ORDER_STATUSES, REFUND_METHODS, RETURN_STATUSES
from mock_backends.orders.policy import Reason, load_policy
from tools.registry import TOOLS

ROOT = Path(__file__).resolve().parents[2]
CODE = [
    p for folder in ("core", "agent", "tools", "ui", "graphs", "mock_backends") for p in (ROOT / folder).rglob("*.py")
]
LOOKUP = re.compile(r"\b(?:t|maybe|has)\(\s*\"([a-z0-9_.]+)\"")
WEB_LOOKUP = re.compile(r"\bt\(\s*[\"']([a-z0-9_]+)[\"']")
OTHERS = [code for code in languages.codes() if code != languages.DEFAULT]


def keys_in_code() -> set[str]:
    """Every literal key the code looks up; the web app's `ui.i18n.t("title")` means `web.title`."""
    found: set[str] = set()
    for path in CODE:
        source = path.read_text(encoding="utf-8")
        web = re.search(r"from ui\.i18n import [^\n]*\bt\b", source) or path.name == "i18n.py"
        found |= {key if key.count(".") or not web else f"web.{key}" for key in LOOKUP.findall(source)}
        if web:
            found |= {f"web.{key}" for key in WEB_LOOKUP.findall(source)}
    found |= {
        f"guided.{key}"
        for key in re.findall(r"self\.say\(\s*\"(\w+)\"", (ROOT / "agent/guided_steps.py").read_text(encoding="utf-8"))
    }
    return {key for key in found if "." in key}


def keys_of_families() -> set[str]:
    """Keys the code builds from data (a status, a reason, a tool): one per value the data can take."""
    policy = load_policy()
    scan_keys = {key for _hours, _status, key in NORMAL_SCANS + LOST_SCANS} | {"delivered_return", "cancelled"}
    families = {
        "order_status": ORDER_STATUSES,
        "return_status": RETURN_STATUSES,
        "refund_method": REFUND_METHODS,
        "category": (*policy.window_days_by_category, "other"),
        "policy": [r.value for r in Reason],
        "tool_name": [tool.name for tool in TOOLS],
        "carrier.hub": HUBS,
        "carrier.event": scan_keys,
        "carrier.status": (
            "label_created",
            "picked_up",
            "in_transit",
            "out_for_delivery",
            "delivered",
            "exception",
            "lost",
            "cancelled",
        ),
        "guided.button": (
            *MENU_BUTTONS,
            "gift_card_instead",
            "something_else",
            "all_items",
            "track_this_parcel",
            "cancel_this_return",
            "start_over",
        ),
        "guardrail": ("off_topic", "abusive", "jailbreak", "safe_reply"),
        "label_message": ("created", "created_no_link", "pending", "still_pending", "voided", "void_pending"),
        "web": ("badge_guided", "badge_model"),
    }
    return {f"{family}.{value}" for family, values in families.items() for value in values}


@pytest.mark.parametrize("code", OTHERS)
def test_every_language_has_every_message_of_the_default_language(code: str) -> None:
    default, other = messages.catalogue(languages.DEFAULT), messages.catalogue(code)
    assert sorted(set(default) - set(other)) == [], f"missing from {code}.yaml"
    assert sorted(set(other) - set(default)) == [], f"in {code}.yaml only: add them to en.yaml too, or remove them"


@pytest.mark.parametrize("code", OTHERS)
def test_every_message_fills_in_the_same_values_in_every_language(code: str) -> None:
    default, other = messages.catalogue(languages.DEFAULT), messages.catalogue(code)
    differ = [key for key in default if messages.placeholders(default[key]) != messages.placeholders(other[key])]
    assert differ == []


def test_every_key_the_code_looks_up_exists() -> None:
    catalogue = messages.catalogue(languages.DEFAULT)
    used = keys_in_code() | keys_of_families()
    assert len(used) > 150  # the scan found the code's lookups (a broken pattern would find none)
    assert sorted(used - set(catalogue)) == []


def test_a_key_no_catalogue_has_fails_loudly_rather_than_showing_a_blank() -> None:
    with pytest.raises(KeyError):
        messages.t("guided.no_such_message", "zh")


def test_chinese_text_uses_full_width_punctuation() -> None:
    half_width = {}
    for key, text in messages.catalogue("zh").items():
        words = re.sub(r"\{\{.*?\}\}|\{\w*\}|`[^`]*`|[\w.+-]+@[\w.-]+", "", text)  # values, code, emails
        if re.search(r"[,:;?!()]", words):
            half_width[key] = text
    assert half_width == {}


@pytest.mark.parametrize("code", languages.codes())
def test_each_menu_button_asks_for_what_it_is_labelled(code: str) -> None:
    # Sending a button's label continues the conversation, so guided mode must read it as its intent.
    intents = {
        "return": "return",
        "track": "track",
        "order_status": "status",
        "return_status": "return_status",
        "help_centre": "help",
        "handoff": "handoff",
    }
    assert {name: detect_intent(messages.t(f"guided.button.{name}", code)) for name in MENU_BUTTONS} == intents
