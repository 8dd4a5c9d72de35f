"""Every word a customer reads, looked up by key in their language's catalogue: `t(key, lang, **values)`.

One YAML file per language (`core/catalogues/<code>.yaml`, under `messages:`), loaded once.
Our own few lines rather than gettext: .po/.mo files need a compile step at build time, and a
catalogue that is plain YAML is what a translator edits and what a test compares key by key.
Money and dates are formatted by `core.money` / `core.dates` (Babel) and passed in as values.

A key missing from a language falls back to English (tests/core/test_catalogues.py fails first).
"""

from __future__ import annotations

from functools import lru_cache
from string import Formatter

from core import languages


def _flatten(tree: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat |= _flatten(value, f"{name}.")
        else:
            flat[name] = str(value)
    return flat


@lru_cache(maxsize=16)
def _catalogue(registry: languages.Registry, code: str) -> dict[str, str]:
    return _flatten(registry.messages.get(code, {}))


def catalogue(lang: str | None) -> dict[str, str]:
    """Every message of one language, by dotted key ("guided.menu")."""
    return _catalogue(languages.registry(), languages.get(lang).code)


def has(key: str, lang: str | None = languages.DEFAULT) -> bool:
    return key in catalogue(lang)


def t(key: str, lang: str | None, **values: object) -> str:
    """The message `key` in `lang` (English if that language lacks it), with `values` filled in."""
    words = catalogue(lang).get(key)
    if words is None:
        words = catalogue(languages.DEFAULT)[key]  # a KeyError here is a key no catalogue has: a bug
    return words.format(**values) if values else words


def maybe(key: str, lang: str | None, **values: object) -> str | None:
    """`t`, or None when no catalogue has `key` (a status or a category we have no words for)."""
    return t(key, lang, **values) if has(key) else None


def placeholders(text: str) -> frozenset[str]:
    """The `{names}` a message fills in (tests check every language uses the same ones)."""
    return frozenset(name for _literal, name, _spec, _conv in Formatter().parse(text) if name)
