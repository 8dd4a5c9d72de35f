"""Interfaces know no tool by name: cards, trace labels and panels come from the registry."""

from __future__ import annotations

from pathlib import Path

from tools.registry import REGISTRY

UI = Path(__file__).resolve().parents[2] / "ui"


def test_no_interface_file_names_a_registered_tool() -> None:
    mentions = [
        f"{path.relative_to(UI.parent)}: {spec.name}"
        for path in sorted(UI.rglob("*.py"))
        for spec in REGISTRY
        if spec.name in path.read_text(encoding="utf-8")
    ]
    assert mentions == [], "render the generic card / read ToolSpec.label and .panel instead"
