"""The house's layering, read from the code's imports and held against docs/architecture.json.

A layer may import a layer below it that the picture's arrows reach (directly or through other
layers), never one of the picture's "never" pairs, and no two files may import each other, even
lazily inside a function. Our own checker rather than import-linter: the picture is already data
(docs/architecture.json), and the whole check is forty lines of `ast`.
"""

from __future__ import annotations

import ast
import json
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PICTURE = json.loads((ROOT / "docs" / "architecture.json").read_text(encoding="utf-8"))
PART_OF = {folder.rstrip("/"): name for name, part in PICTURE["parts"].items() for folder in part["is"]}
UNCHECKED = {"Bench"}  # benchmarks measure every layer; nothing imports them
# Known debts, each to be moved under service/ (listed so the list can only shrink): the return-label
# route and the web app's label panel still load the label from the carrier and the tool themselves,
# pending the signed label-link rework (SECURITY.md M1/M2).
KNOWN_DEBTS: set[str] = set()


def reachable() -> dict[str, set[str]]:
    direct: defaultdict[str, set[str]] = defaultdict(set)
    for source, target, *_ in PICTURE["arrows"]:
        direct[source].add(target)
    never = {(source, target) for source, target, *_ in PICTURE["never"]}
    allowed: dict[str, set[str]] = {}
    for part in PICTURE["parts"]:
        seen, todo = set(), list(direct[part])
        while todo:
            if (target := todo.pop()) not in seen:
                seen.add(target)
                todo.extend(direct[target])
        allowed[part] = {target for target in seen if (part, target) not in never} | {part}
    return allowed


def modules() -> dict[str, Path]:
    found = {}
    for folder in PART_OF:
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.relative_to(ROOT).with_suffix("")
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            found[".".join(parts)] = path
    return found


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules a file imports, anywhere in it (lazy and TYPE_CHECKING imports included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in names if name in known}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {module: imports_of(path, known) - {module} for module, path in known.items()}


def part(module: str) -> str:
    return PART_OF[module.split(".")[0]]


def test_no_import_runs_against_the_picture() -> None:
    allowed = reachable()
    wrong = sorted(
        f"{source} -> {target} ({part(source)} may not import {part(target)})"
        for source, targets in graph().items()
        for target in targets
        if part(source) not in UNCHECKED and source not in KNOWN_DEBTS and part(target) not in allowed[part(source)]
    )
    assert not wrong, "imports against docs/architecture.json:\n" + "\n".join(wrong)


def test_known_debts_still_exist() -> None:
    """A debt paid off must leave the list, so the list never hides a new violation."""
    assert set(graph()) >= KNOWN_DEBTS, "remove paid-off modules from KNOWN_DEBTS"


def test_no_two_files_import_each_other() -> None:
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                component.append(member)
            component.append(node)
            if len(component) > 1:
                circles.append(sorted(component))

    for node in edges:
        if node not in index:
            visit(node)
    assert not circles, "files that import each other: " + "; ".join(" <-> ".join(c) for c in circles)


def test_the_checker_sees_a_wrong_import() -> None:
    """The checker itself: a tool importing the agent, or the core importing anything, is caught."""
    allowed = reachable()
    assert "Agent" not in allowed["Tools"] and "Graphs" not in allowed["Tools"]
    assert allowed["Core"] == {"Core"}
    assert "Backends" not in allowed["UI"] and "QA" not in allowed["Service"]
    assert "tools.registry" in graph()["graphs.returns_graph"]
