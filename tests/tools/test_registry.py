"""The registry: what every tool declares, and a registry a test can extend without touching the default."""

from __future__ import annotations

import pytest

from tools.registry import REGISTRY, ToolRegistry, ToolSpec
from tools.tracking import track_shipment


def test_every_tool_says_what_it_does_in_english_and_chinese() -> None:
    missing = [
        (spec.name, lang) for spec in REGISTRY for lang in ("en", "zh") if spec.label_in(lang) == spec.name
    ]  # words in the catalogues (tool_name.*) or the spec
    assert missing == []


def test_an_unknown_tool_is_labelled_by_its_name_and_has_no_panel() -> None:
    assert REGISTRY.label("set_gift_message", "zh") == "set_gift_message"
    assert REGISTRY.panel("set_gift_message") is None
    assert REGISTRY.label("track_shipment", "zh") == "包裹物流" and REGISTRY.panel("track_shipment") == "tracking"


def test_two_tools_of_one_name_are_refused() -> None:
    with pytest.raises(ValueError, match="share a name"):
        REGISTRY.with_tools(ToolSpec(track_shipment))


def test_a_registry_with_more_tools_leaves_the_default_alone() -> None:
    smaller = ToolRegistry(spec for spec in REGISTRY if not spec.sensitive)
    extended = smaller.with_tools(*(spec for spec in REGISTRY if spec.sensitive))
    assert smaller.sensitive == frozenset() and extended.sensitive == REGISTRY.sensitive
    assert len(smaller.tools) == len(REGISTRY.tools) - len(REGISTRY.sensitive)
    assert all(extended.spec_for(spec.name) is spec for spec in REGISTRY)


def test_a_sensitive_tool_without_a_confirmation_card_cannot_be_registered() -> None:
    with pytest.raises(ValueError, match="needs a preview"):
        ToolSpec(track_shipment, sensitive=True)
