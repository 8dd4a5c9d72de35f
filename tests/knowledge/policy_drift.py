"""Reads the policy facts the help-centre documents state and compares them with policy.yaml.

Each check returns a list of problems (empty when the documents agree), so a test can also show
that a changed policy or a changed sentence is caught. The checks read the documents' structure
(a table of windows, the bullet list of refund methods, a section's sentences), not their exact
wording, so rewording a paragraph does not break them but changing a number or a rule does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import yaml

from mock_backends.knowledge.documents import DOCS_DIR, HelpDocument, Passage
from mock_backends.orders.policy import ReturnPolicy

DEFAULT = "*"  # the row / phrase for categories that have no window of their own


class _Terms:
    """How each language's pages name the policy's terms: `<language>/terms.yaml` in the help centre
    (so adding a language stays one folder). Read lazily, per language, as a dict per table."""

    def __init__(self, name: str, convert: Callable[[Any], Any] = lambda v: v) -> None:
        self.name, self.convert = name, convert

    def __getitem__(self, language: str) -> Any:
        return self.convert(_terms(language)[self.name])


@lru_cache(maxsize=16)
def _terms(language: str) -> dict[str, Any]:
    return yaml.safe_load((DOCS_DIR / language / "terms.yaml").read_text(encoding="utf-8"))


CATEGORY_NAMES = _Terms("categories")
REFUND_METHOD_NAMES = _Terms("refund_methods")
SECTIONS = _Terms("sections", lambda sections: {rule: tuple(where) for rule, where in sections.items()})
DAMAGE_WORDS = _Terms("damage_words", tuple)
NOT_RETURNABLE = _Terms("not_returnable", tuple)
DAYS = _Terms("days", lambda pattern: re.compile(pattern, re.IGNORECASE))
CLAUSE_BREAK = re.compile(r"[,,;;]")  # one character wide: _nearest_days relies on it
SENTENCE_END = re.compile(r"(?<=[.!?。!?;;])\s+|(?<=[。!?;])")
LIST_ITEM = re.compile(r"^\s*([-*]|\d+\.)\s")
BOLD_BULLET = re.compile(r"^\s*[-*]\s+\*\*(.+?)\*\*")

Check = Callable[[ReturnPolicy, list[HelpDocument], str], list[str]]


def expected_windows(policy: ReturnPolicy) -> dict[str, int]:
    return {**policy.window_days_by_category, DEFAULT: policy.default_window_days}


def find_section(documents: list[HelpDocument], language: str, rule: str) -> Passage | None:
    doc_id, heading = SECTIONS[language][rule]
    document = next((d for d in documents if d.language == language and d.doc_id == doc_id), None)
    return document.section(heading) if document else None


def days_in(text: str, language: str) -> list[int]:
    return [int(n) for n in DAYS[language].findall(text)]


def check_window_table(policy: ReturnPolicy, documents: list[HelpDocument], language: str) -> list[str]:
    """The table of return windows lists every category of policy.yaml with its window, and no other."""
    section = find_section(documents, language, "windows")
    if section is None:
        return [f"{language}: no section {SECTIONS[language]['windows']} states the return windows"]
    by_name = {name.casefold(): key for key, name in CATEGORY_NAMES[language].items()}
    stated: dict[str, int] = {}
    problems = []
    for row in _table_rows(section.text):
        key = by_name.get(row[0].strip("* ").casefold())
        days = days_in(" ".join(row[1:]), language)
        if key is None or len(days) != 1:
            problems.append(f"{language}: window table row {row} names no policy category or no single window")
        else:
            stated[key] = days[0]
    for key, days in expected_windows(policy).items():
        if key not in CATEGORY_NAMES[language]:
            problems.append(f"{language}: policy.yaml has category {key!r} that the documents have no name for")
        elif stated.get(key) != days:
            problems.append(
                f"{language}: {CATEGORY_NAMES[language][key]} window is {stated.get(key)} days "
                f"in the documents, {days} in policy.yaml"
            )
    return problems


def check_damaged_window(policy: ReturnPolicy, documents: list[HelpDocument], language: str) -> list[str]:
    """The damaged-item section states the damaged window and no other number of days."""
    section = find_section(documents, language, "damaged")
    if section is None:
        return [f"{language}: no section {SECTIONS[language]['damaged']} states the damaged-item window"]
    stated = set(days_in(section.text, language))
    if stated != {policy.damaged_window_days}:
        return [
            f"{language}: damaged-item section states {sorted(stated)} days, "
            f"policy.yaml says {policy.damaged_window_days}"
        ]
    return []


def check_final_sale(policy: ReturnPolicy, documents: list[HelpDocument], language: str) -> list[str]:
    """The final-sale section says final-sale items cannot be returned exactly when the policy says so."""
    section = find_section(documents, language, "final_sale")
    if section is None:
        return [f"{language}: no section {SECTIONS[language]['final_sale']} states the final-sale rule"]
    says_not_returnable = any(phrase in section.text for phrase in NOT_RETURNABLE[language])
    if says_not_returnable == policy.final_sale_returnable:
        return [
            f"{language}: the final-sale section {'says' if says_not_returnable else 'does not say'} that "
            f"final-sale items cannot be returned; policy.yaml final_sale_returnable: "
            f"{str(policy.final_sale_returnable).lower()}"
        ]
    return []


def check_refund_methods(policy: ReturnPolicy, documents: list[HelpDocument], language: str) -> list[str]:
    """The refund-methods section lists (as bold bullets) exactly the refund methods of policy.yaml."""
    section = find_section(documents, language, "refund_methods")
    if section is None:
        return [f"{language}: no section {SECTIONS[language]['refund_methods']} lists the refund methods"]
    by_name = {name.casefold(): key for key, name in REFUND_METHOD_NAMES[language].items()}
    named = [m.group(1) for line in section.text.splitlines() if (m := BOLD_BULLET.match(line))]
    stated = {by_name.get(name.casefold(), f"unknown: {name}") for name in named}
    if stated != set(policy.refund_methods):
        return [
            f"{language}: refund methods in the documents {sorted(stated)}, "
            f"in policy.yaml {sorted(policy.refund_methods)}"
        ]
    return []


def check_every_window_mention(policy: ReturnPolicy, documents: list[HelpDocument], language: str) -> list[str]:
    """Anywhere in any document, a category or 'damaged' next to a number of days states its window.

    Catches a stale number in passing prose ("15 days for electronics" in the warranty page), not
    only in the sections above: each mention is paired with the nearest number of days in its clause
    ("15 days for electronics, 30 days for home items"), else in its sentence.
    """
    windows = expected_windows(policy)
    terms = [(name, windows[key]) for key, name in CATEGORY_NAMES[language].items() if key in windows]
    terms += [(word, policy.damaged_window_days) for word in DAMAGE_WORDS[language]]
    problems = []
    for passage, sentence in _sentences(documents, language):
        if not DAYS[language].search(sentence):
            continue
        for name, expected in terms:
            for mention in re.finditer(_word_pattern(name, language), sentence, re.IGNORECASE):
                stated = _nearest_days(sentence, mention.start(), language)
                if stated != expected:
                    problems.append(
                        f"{passage.source}: {name!r} stated as {stated} days, policy.yaml "
                        f"says {expected}: {sentence.strip()!r}"
                    )
    return problems


ALL_CHECKS: tuple[Check, ...] = (
    check_window_table,
    check_damaged_window,
    check_final_sale,
    check_refund_methods,
    check_every_window_mention,
)


def policy_drift(policy: ReturnPolicy, documents: list[HelpDocument], languages: Iterable[str]) -> list[str]:
    return [problem for language in languages for check in ALL_CHECKS for problem in check(policy, documents, language)]


def _table_rows(markdown: str) -> list[list[str]]:
    """Body rows of the Markdown tables in `markdown`: each block of `|` lines less its header and separator."""
    rows: list[list[str]] = []
    block: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.strip().startswith("|"):
            block.append(line.strip())
            continue
        rows += [[cell.strip() for cell in row.strip("|").split("|")] for row in block[2:]]
        block = []
    return rows


def _sentences(documents: list[HelpDocument], language: str) -> Iterable[tuple[Passage, str]]:
    for document in documents:
        if document.language != language:
            continue
        for passage in document.passages:
            for block in _blocks(passage.text):
                for sentence in SENTENCE_END.split(block):
                    if sentence.strip():
                        yield passage, sentence


def _blocks(markdown: str) -> list[str]:
    """Paragraphs and list items with their hard-wrapped lines joined; each table row on its own."""
    blocks: list[str] = []
    current: list[str] = []
    for line in markdown.splitlines():
        starts_block = not line.strip() or line.lstrip().startswith("|") or LIST_ITEM.match(line)
        if starts_block and current:
            blocks.append(" ".join(current))
            current = []
        if line.lstrip().startswith("|"):
            blocks.append(line.strip())
        elif line.strip():
            current.append(line.strip())
    return [*blocks, " ".join(current)] if current else blocks


def _nearest_days(sentence: str, position: int, language: str) -> int:
    """The number of days nearest to `position`, looking in its clause first (table rows are one clause)."""
    clauses = [sentence] if sentence.lstrip().startswith("|") else CLAUSE_BREAK.split(sentence)
    start = 0
    for clause in clauses:
        if start <= position < start + len(clause) + 1:
            break
        start += len(clause) + 1
    in_clause = [(start + m.start(), int(m.group(1))) for m in DAYS[language].finditer(clause)]
    candidates = in_clause or [(m.start(), int(m.group(1))) for m in DAYS[language].finditer(sentence)]
    return min(candidates, key=lambda n: abs(n[0] - position))[1]


def _word_pattern(name: str, language: str) -> str:
    # Whole words where the language has them ("home", not "homepage"); Chinese has no word boundaries.
    return rf"\b{re.escape(name)}\b" if _terms(language).get("whole_words", True) else re.escape(name)
