"""The help-centre documents: Markdown files per language, split into passages at their headings.

Layout: `<language>/<doc_id>.md`, e.g. `en/returns.md` and `zh/returns.md`: one folder per language
of `core.languages` (a folder for a language that is not registered is ignored). The first `# ` line is the
document's title; every `##` or `###` heading starts a passage, and the heading is what a citation
points to. The policy numbers they state must match `mock_backends/orders/policy.yaml`
(tests/knowledge/test_documents_match_policy.py fails when they drift).
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from core import languages

DOCS_DIR = Path(__file__).parent

_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
# A line that starts a block of its own: a list item, a table row, a quote, a heading or a fence.
_BLOCK_START = re.compile(r"^\s*([-*+]\s|\d+[.)]\s|\||>|#|```|~~~)")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


class Passage(BaseModel, frozen=True):
    """One headed section of a help-centre document: the unit that search returns and answers cite."""

    doc_id: str  # the file name without .md, e.g. "returns"
    language: str  # a code of core.languages: "en", "zh"
    title: str  # the document's title, e.g. "Returns policy"
    heading: str  # the section heading, e.g. "Return windows"
    text: str  # the section's Markdown, without its heading line

    @property
    def anchor(self) -> str:
        return slugify(self.heading)

    @property
    def source(self) -> str:
        """Where a citation points: `en/returns.md#return-windows`."""
        return f"{self.language}/{self.doc_id}.md#{self.anchor}"


class HelpDocument(BaseModel, frozen=True):
    doc_id: str
    language: str
    title: str
    passages: tuple[Passage, ...]

    def section(self, heading: str) -> Passage | None:
        return next((p for p in self.passages if p.heading.casefold() == heading.casefold()), None)


def slugify(heading: str) -> str:
    """GitHub-style anchor: lower case, punctuation dropped, spaces to hyphens (Chinese kept)."""
    words = re.sub(r"[^\w\s-]", "", heading.casefold()).split()
    return "-".join(words)


def reflow(text: str) -> str:
    """The source's hard-wrapped lines joined, so a sentence reads as one line wherever it is shown
    ("This page explains", not "This page⏎explains"). A continuation line (indented under a list
    item, or plain under a paragraph) joins the line before it; blank lines, list items, table rows,
    headings and code blocks stay as they are. Chinese lines join without a space."""
    lines: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            lines.append(line)
            continue
        previous = lines[-1] if lines else ""
        joins = (
            not in_fence
            and line.strip()
            and previous.strip()
            and not _BLOCK_START.match(line)
            and not previous.lstrip().startswith(("|", "```", "~~~", "#"))
        )
        if joins:
            left, right = previous.rstrip(), line.strip()
            space = "" if _CJK.match(left[-1]) or _CJK.match(right[0]) else " "
            lines[-1] = f"{left}{space}{right}"
        else:
            lines.append(line)
    return "\n".join(lines)


def parse_document(markdown: str, *, doc_id: str, language: str) -> HelpDocument:
    """Split one Markdown document at its headings.

    Our own ~20 lines rather than a Markdown parser: the documents are plain headed Markdown, and
    the only syntax that matters (headings, code fences) is line-based.
    """
    title = doc_id
    sections: list[tuple[str, list[str]]] = []
    in_fence = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading and len(heading.group(1)) == 1:
            title = heading.group(2)
            sections.append((title, []))  # the introduction, cited by the document's title
        elif heading:
            sections.append((heading.group(2), []))
        elif sections:
            sections[-1][1].append(line)
        elif line.strip():
            sections.append((title, [line]))
    passages = tuple(
        Passage(doc_id=doc_id, language=language, title=title, heading=heading, text=reflow("\n".join(lines).strip()))
        for heading, lines in sections
        if "\n".join(lines).strip()
    )
    return HelpDocument(doc_id=doc_id, language=language, title=title, passages=passages)


def load_documents(root: Path = DOCS_DIR) -> list[HelpDocument]:
    """Every document of every registered language under `root`, in a stable order."""
    return [
        parse_document(path.read_text(encoding="utf-8"), doc_id=path.stem, language=language)
        for language in languages.codes()
        for path in sorted((root / language).glob("*.md"))
    ]
