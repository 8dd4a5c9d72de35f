"""Guided mode's reading of words: one keyword table per language (`agent/guided_keywords/<code>.yaml`),
merged and compiled here, plus the references (order, RMA, tracking numbers, emails) every language
shares. What guided mode says is in the catalogues (`core.messages`, keys `guided.*`); the planning
lives in `agent.guided` and `agent.guided_steps`.

Keywords of every registered language are matched whatever the message's language: a Chinese
customer who types "track #W1000012" is understood too. A table says how its words match: as
whole words (English) or anywhere in the text (Chinese, written without spaces).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from core import languages
from core.messages import t

KEYWORD_DIR = Path(__file__).with_name("guided_keywords")
# Checked in this order: the first intent with a matching keyword wins.
INTENTS = (
    "handoff",
    "cancel_order",
    "cancel_return",
    "return_status",
    "change_default_address",  # change_order_address / change_order_payment / change_default_address
    "change_payment",
    "change_address",
    "change_items",
    "exchange",
    "product",
    "track",
    "return",
    "status",
    "help",
    "greeting",
)
# Tables of keywords that `mentions` looks up by name.
Table = Literal[
    "help_first",
    "policy_question",
    "gift_card",
    "damaged",
    "all_items",
    "agree",
    "reason_no_longer_needed",
    "reason_by_mistake",
]
TABLES: tuple[Table, ...] = get_args(Table)
MENU_BUTTONS = ("return", "track", "order_status", "return_status", "help_centre", "handoff")
HANDOFF_REASON_UNCLEAR = "Guided mode could not understand the request twice in a row."

ORDER_ID = re.compile(r"#?\s?\b(W\d{7})\b", re.IGNORECASE)
TRACKING_NUMBER = re.compile(r"\b([A-Z]{2}\d{8,}|\d{10,})\b", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
POSTCODE = re.compile(r"\b\d{5,6}\b")
PUNCTUATION_BREAK = "[,，、;；]"  # a list's separators, in any language
NAME_PUNCTUATION = "[:：,，。.]"


@dataclass(frozen=True)
class Keywords:
    """Every registered language's keyword table, merged and compiled."""

    intents: dict[str, re.Pattern[str]]
    tables: dict[str, re.Pattern[str]]
    help_buttons: frozenset[str]
    confirm_yes: re.Pattern[str]
    confirm_no: re.Pattern[str]
    generic_words: frozenset[str]
    generic_fragments: re.Pattern[str]
    number_words: dict[str, int]
    quantity: re.Pattern[str]
    clause_break: re.Pattern[str]
    name_filler: re.Pattern[str]


def _alternatives(words: Sequence[tuple[str, bool]]) -> list[str]:
    """(word, whole_word) pairs as regex alternatives, longest first so "退货" wins over "退"."""
    ordered = sorted(dict.fromkeys(words), key=lambda pair: -len(pair[0]))
    return [rf"\b{re.escape(w)}\b" if whole else re.escape(w) for w, whole in ordered]


def _pattern(words: Sequence[tuple[str, bool]], *extra: str) -> re.Pattern[str]:
    parts = _alternatives(words) + list(extra)
    return re.compile("|".join(parts) or r"(?!)", re.IGNORECASE)


def _answer(words: Sequence[tuple[str, bool]]) -> re.Pattern[str]:
    # A whole message that is only "yes" (or "好的。"), not one that merely contains it.
    return re.compile(rf"^\s*({'|'.join(re.escape(w) for w, _ in words) or '(?!)'})\s*[.!。！]*\s*$", re.IGNORECASE)


def _read_table(code: str, directories: tuple[Path, ...]) -> dict[str, Any]:
    for directory in reversed(directories):
        path = directory / f"{code}.yaml"
        if path.is_file():
            return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    raise FileNotFoundError(
        f"guided mode has no keyword table for language {code!r}: "
        f"add agent/guided_keywords/{code}.yaml (docs/adding-a-language.md)"
    )


@lru_cache(maxsize=8)
def _compile(registry: languages.Registry, directories: tuple[Path, ...]) -> Keywords:
    words: dict[str, list[tuple[str, bool]]] = {}
    generic_words: set[str] = set()
    fragments: list[tuple[str, bool]] = []
    numbers: dict[str, int] = {}
    help_buttons: set[str] = set()
    for code in registry.languages:
        table = _read_table(code, directories)
        whole = table.get("match", "words") == "words"

        def add(name: str, entries: Sequence[str], whole: bool = whole) -> None:
            words.setdefault(name, []).extend((str(e).lower(), whole) for e in entries)

        for intent in INTENTS:
            add(f"intent:{intent}", table.get("intents", {}).get(intent, []))
        for name in (*TABLES, "confirm_yes", "confirm_no", "clause_breaks", "name_fillers"):
            add(name, table.get(name, []))
        generic_words |= set(str(table.get("generic_words", "")).split())
        fragments += [(str(f), False) for f in table.get("generic_fragments", [])]
        numbers |= {str(k).lower(): int(v) for k, v in (table.get("number_words") or {}).items()}
        help_buttons |= {str(b).lower() for b in table.get("help_buttons", [])}
        add("numbers", list(table.get("number_words") or {}))
    number_words = _alternatives(words.get("numbers", []))
    return Keywords(
        intents={intent: _pattern(words[f"intent:{intent}"]) for intent in INTENTS},
        tables={name: _pattern(words[name]) for name in TABLES},
        help_buttons=frozenset(help_buttons),
        confirm_yes=_answer(words["confirm_yes"]),
        confirm_no=_answer(words["confirm_no"]),
        generic_words=frozenset(generic_words),
        # In the tables' own order: "我想" must go before "我".
        generic_fragments=re.compile("|".join(re.escape(f) for f, _ in dict.fromkeys(fragments)) or r"(?!)"),
        number_words=numbers,
        quantity=re.compile("|".join([r"\b\d{1,3}\b", *number_words]), re.IGNORECASE),
        clause_break=_pattern(words["clause_breaks"], PUNCTUATION_BREAK),
        name_filler=_pattern(words["name_fillers"], NAME_PUNCTUATION),
    )


_extra_dirs: list[Path] = []


def keywords() -> Keywords:
    """The compiled keyword tables of every registered language (built once per set of languages)."""
    return _compile(languages.registry(), (KEYWORD_DIR, *_extra_dirs))


@contextmanager
def extra_keyword_tables(directory: Path) -> Iterator[None]:
    """Read keyword tables from `directory` too (with `core.languages.extra_catalogues`, for a new language)."""
    _extra_dirs.append(directory)
    try:
        yield
    finally:
        _extra_dirs.remove(directory)


def mentions(text: str, table: Table) -> bool:
    """Whether `text` holds a keyword of `table` ("damaged", "gift_card", ...) in any language."""
    return bool(keywords().tables[table].search(text))


def is_bare_yes(text: str) -> bool:
    """A message that only says yes ("yes", "ok", "好的。"): it answers the last reply's offer."""
    return bool(keywords().confirm_yes.match(text))


def is_help_button(text: str) -> bool:
    return text.strip().lower() in keywords().help_buttons


# --- buttons (quick replies), in the customer's language ---------------------------------------
def button(name: str, lang: str) -> str:
    return t(f"guided.button.{name}", lang)


def menu_buttons(lang: str) -> list[str]:
    return [button(name, lang) for name in MENU_BUTTONS]


def after_decline_buttons(lang: str) -> list[str]:
    return [button(name, lang) for name in ("gift_card_instead", "something_else", "handoff")]


# --- reading the customer's words --------------------------------------------------------------
def detect_intent(text: str) -> str | None:
    found = keywords()
    for intent, pattern in found.intents.items():
        if pattern.search(text):
            if intent in ("return", "status") and found.tables["help_first"].search(text) and not ORDER_ID.search(text):
                return "help"
            if intent in ("return", "exchange") and is_policy_question(text):
                return "help"
            return intent
    return None


def is_policy_question(text: str) -> bool:
    """A question about the rules ("why can't I return final sale items?", "美妆的退货期限是多久?"),
    not a request about an order: it names no order and holds a question word of `policy_question`."""
    return bool(keywords().tables["policy_question"].search(text)) and not ORDER_ID.search(text)


def find_order_id(texts: Sequence[str]) -> str | None:
    """The most recently mentioned order number, newest message first."""
    for text in reversed(texts):
        match = ORDER_ID.findall(text)
        if match:
            return "#" + match[-1].upper()
    return None


def credentials_in(text: str) -> dict[str, str] | None:
    """verify_customer's arguments when the message holds them: email + order number, or name + postcode."""
    email, order = EMAIL.search(text), ORDER_ID.search(text)
    if email and order:
        return {"email": email.group(0), "order_id": "#" + order.group(1).upper()}
    postcode = POSTCODE.search(text)
    if postcode and not order:
        name = " ".join(keywords().name_filler.sub(" ", POSTCODE.sub(" ", text)).replace(",", " ").split())
        if name and len(name) <= 60 and languages.detect(name, None):
            return {"name": name, "postcode": postcode.group(0)}
    return None
