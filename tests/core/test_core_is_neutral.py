"""The neutral core is imported by every layer and imports none of them (no cycles, no upward imports)."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"
LAYERS = ("agent", "tools", "ui", "graphs", "mock_backends", "service", "qa")


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return {name.split(".")[0] for name in names}


def test_core_imports_no_other_layer_of_returndesk() -> None:
    modules = sorted(CORE.glob("*.py"))
    assert {p.stem for p in modules} >= {"languages", "messages", "money", "dates"}
    assert {p.name: imported_packages(p) & set(LAYERS) for p in modules} == {p.name: set() for p in modules}
