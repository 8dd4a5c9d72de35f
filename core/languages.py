"""The languages ReturnDesk speaks, and the one detector of the language a customer writes in.

A language is its catalogue: `core/catalogues/<code>.yaml` starts with a `language:` block (its
Babel locale, time zone, script, how a person's name is ordered) followed by its `messages:`.
Dropping a catalogue there registers the language; docs/adding-a-language.md has the checklist.
Everything asks this registry (`get`, `codes`, `detect`), never compares with "zh".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal, overload
from zoneinfo import ZoneInfo

import yaml
from babel import Locale

from core.references import EXCHANGE_NUMBER, ORDER_NUMBER, RMA_NUMBER, TRACKING_NUMBER

CATALOGUE_DIR = Path(__file__).with_name("catalogues")
DEFAULT = "en"  # what a message, a key or a code falls back to: English, never another language

# Letters of each script a catalogue may name. Latin is shared by many languages, so it is the
# weakest evidence: a message with Han characters is Chinese even if it names a product in English.
SCRIPTS: dict[str, str] = {
    "Latin": r"A-Za-z\u00c0-\u024f",
    "Han": r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff",
    "Cyrillic": r"\u0400-\u04ff",
    "Greek": r"\u0370-\u03ff",
    "Hangul": r"\uac00-\ud7af",
    "Kana": r"\u3040-\u30ff",
}
SHARED_SCRIPTS = frozenset({"Latin"})
# Order, RMA, exchange and tracking numbers, emails and links carry no language: "#W1000012" alone keeps the session's.
REFERENCES = re.compile(
    "|".join(
        (
            r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
            r"https?://\S+",
            ORDER_NUMBER.pattern,
            RMA_NUMBER.pattern,
            EXCHANGE_NUMBER.pattern,
            TRACKING_NUMBER.pattern,
            r"\b\d+\b",
        )
    ),
    re.IGNORECASE,
)

CurrencyDisplay = Literal["symbol", "code", "name"]


@dataclass(frozen=True)
class Language:
    """One supported language, as its catalogue's `language:` block declares it."""

    code: str  # what state, sessions and URLs carry: "en", "zh"
    name: str  # its own name, as the language switch shows it: "English", "中文"
    locale: str  # Babel locale for money, dates and numbers: "en_US", "zh_Hans_CN"
    time_zone: str  # where its customers read times: "UTC", "Asia/Shanghai"
    script: str  # a key of SCRIPTS: how to recognise it in a message
    family_name_first: bool = False  # "王芳", not "芳 王"
    name_separator: str = " "  # between given and family name ("" for Chinese)
    currency_display: CurrencyDisplay = "symbol"  # "$89.99" / "USD 89.99" / "89.99 US dollars"
    aliases: tuple[str, ...] = ()  # other ways to name it ("Chinese", "zh-CN", "中文")
    path: Path | None = field(default=None, compare=False)  # the catalogue it came from

    @cached_property
    def babel_locale(self) -> Locale:
        return Locale.parse(self.locale)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def letters(self) -> re.Pattern[str]:
        return re.compile(f"[{SCRIPTS[self.script]}]")

    def full_name(self, given: str, family: str) -> str:
        """A person's name as this language writes it."""
        parts = (family, given) if self.family_name_first else (given, family)
        return self.name_separator.join(p for p in parts if p)


@dataclass(frozen=True, eq=False)  # hashed by identity: caches key on the registry in use
class Registry:
    languages: dict[str, Language]
    messages: dict[str, dict[str, object]]  # code -> the catalogue's `messages:` tree


def _read(path: Path) -> tuple[Language, dict[str, object]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    header = dict(data.get("language") or {})
    header["aliases"] = tuple(header.get("aliases") or ())
    language = Language(code=path.stem, path=path, **header)
    if language.script not in SCRIPTS:
        raise ValueError(f"{path}: script {language.script!r} is not one of {sorted(SCRIPTS)}")
    return language, dict(data.get("messages") or {})


def load_registry(*directories: Path) -> Registry:
    """Every catalogue in `directories` (later ones add languages or replace earlier ones).
    The default language comes first, then the others by code: the switch shows them in that order."""
    found: dict[str, tuple[Language, dict[str, object]]] = {}
    for directory in directories:
        for path in sorted(directory.glob("*.yaml")):
            found[path.stem] = _read(path)
    if DEFAULT not in found:
        raise ValueError(f"no {DEFAULT}.yaml catalogue in {[str(d) for d in directories]}")
    ordered = sorted(found, key=lambda code: (code != DEFAULT, code))
    return Registry({c: found[c][0] for c in ordered}, {c: found[c][1] for c in ordered})


_registry: list[Registry] = []  # one slot: loaded on first use (not on import), swapped by `extra_catalogues`


def registry() -> Registry:
    if not _registry:
        _registry.append(load_registry(CATALOGUE_DIR))
    return _registry[0]


@contextmanager
def extra_catalogues(directory: Path) -> Iterator[Registry]:
    """Speak the languages of the catalogues in `directory` too, for the duration (tests, previews)."""
    previous = registry()
    _registry[0] = load_registry(CATALOGUE_DIR, directory)
    try:
        yield _registry[0]
    finally:
        _registry[0] = previous


def codes() -> tuple[str, ...]:
    """The supported language codes, the default first."""
    return tuple(registry().languages)


def all_languages() -> tuple[Language, ...]:
    return tuple(registry().languages.values())


def get(code: str | None) -> Language:
    """The language `code` names (a code, a tag like "zh-CN", an alias); the default for anything else."""
    known = registry().languages
    if code in known:  # the common case, on every message and every date: no parsing
        return known[code]
    return known[resolve(code) or DEFAULT]


def resolve(value: str | None) -> str | None:
    """The supported language `value` names ("zh", "zh-CN", "zh_Hans", "Chinese", "中文"), or None."""
    cleaned = (value or "").split(",")[0].split(";")[0].strip()
    if not cleaned:
        return None
    languages = registry().languages
    lowered = cleaned.lower()
    if lowered in languages:
        return lowered
    for language in languages.values():
        if lowered in (a.lower() for a in language.aliases) or lowered == language.name.lower():
            return language.code
    primary = re.split(r"[-_]", lowered)[0]
    return primary if primary in languages else None


@overload
def detect(text: str, fallback: str) -> str: ...
@overload
def detect(text: str, fallback: None) -> str | None: ...
def detect(text: str, fallback: str | None) -> str | None:
    """The language `text` is written in; `fallback` (usually the session's) when it has no words.

    Order, RMA and tracking numbers, emails and plain numbers are not words. A script only one
    language uses decides (Han: Chinese); a shared one (Latin) keeps `fallback` if that language
    uses it, else the first registered language that does.
    """
    words = REFERENCES.sub(" ", text)
    present = [lang for lang in all_languages() if lang.letters.search(words)]
    if not present:
        return fallback
    distinctive = [lang for lang in present if lang.script not in SHARED_SCRIPTS]
    candidates = distinctive or present
    for lang in candidates:
        if lang.code == fallback:
            return lang.code
    return candidates[0].code
