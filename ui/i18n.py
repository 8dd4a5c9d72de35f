"""The web app's words: lookups into the catalogues (`core.messages`, keys `web.*`), no text of its own.

The language switch offers every registered language (`core.languages`), in its own name.
"""

from __future__ import annotations

from core import languages, messages


def language_names() -> dict[str, str]:
    """The switch's choices: each language's own name -> its code ({"English": "en", "中文": "zh"})."""
    return {language.name: language.code for language in languages.all_languages()}


def t(key: str, language: str, **values: object) -> str:
    return messages.t(f"web.{key}", language, **values)


def quick_replies(language: str) -> list[str]:
    """The common next steps offered under the chat."""
    return [messages.t(f"web.quick.{name}", language) for name in ("orders", "track", "return")]


def order_status(status: str | None, language: str) -> str:
    return messages.maybe(f"order_status.{status}", language) or (status or "")


def return_status(status: str | None, language: str) -> str | None:
    return messages.maybe(f"return_status.{status}", language)


def refund_method(method: str | None, language: str) -> str:
    return messages.maybe(f"refund_method.{method}", language) or (method or "")


def error_text(code: str, message: str, language: str) -> str:
    """A refused request in the customer's language. English shows the error's own text, which says
    more; another language its catalogue's words for the code, else that same text."""
    if languages.get(language).code == languages.DEFAULT:
        return message
    return messages.maybe(f"error.{code}", language) or message
