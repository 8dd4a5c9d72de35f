"""The README's state diagram is the compiled graph's own drawing."""

from __future__ import annotations

from pathlib import Path

from graphs.diagram import current_block, mermaid, readme_block
from graphs.returns_graph import build_graph

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_diagram_is_the_compiled_graph() -> None:
    assert current_block(README.read_text(encoding="utf-8")) == readme_block(), (
        "README.md's graph diagram is stale: run `python -m graphs.diagram --write README.md`"
    )


def test_every_route_a_node_can_take_is_declared_in_the_graph_file() -> None:
    edges = {(edge.source, edge.target) for edge in build_graph().get_graph().edges}

    assert {
        ("screen_input", "handoff"),
        ("screen_input", "__end__"),
        ("guard", "confirm"),
        ("confirm", "tools"),
        ("check_reply", "assist"),
        ("check_reply", "identify"),
        ("tools", "handoff"),
    } <= edges
    assert "guard -.-> confirm;" in mermaid()
