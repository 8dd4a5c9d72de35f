"""Help-centre search: policy questions answered from the shop's own documents, with citations.

Public: it reads no customer data, so it works before the customer signs in.
"""

from __future__ import annotations

from typing import Any

from langchain_core.tools import tool

from core import languages
from mock_backends.knowledge.search import help_centre_index
from mock_backends.orders.errors import OrderSystemError
from tools.base import ok, run_public_tool

TOP_K = 3


class EmptyQuery(OrderSystemError):
    code = "empty_query"
    hint = "Ask the customer what they would like to know, then search with their question."


class UnsupportedLanguage(OrderSystemError):
    code = "unsupported_language"

    @property
    def hint(self) -> str:  # type: ignore[override]
        return f"Search again with language {' or '.join(repr(c) for c in languages.codes())}, or omit it."


@tool(parse_docstring=True)
def search_help_centre(query: str, language: str | None = None) -> dict[str, Any]:
    """Search the shop's help centre (returns policy, refunds, shipping and delivery, warranty,
    account and privacy FAQ) for the passages that answer a general question, e.g. how long
    returns are accepted or where refunds go. Works before the customer signs in. Answer only from
    the passages returned and cite their title and heading; for a specific order, use the order
    tools instead.

    Args:
        query: The customer's question or its key words, e.g. "return window for headphones".
        language: Which documents to search: a language code such as "en" or "zh". Omit it to
            search the documents in the language the query is written in.
    """

    def body() -> dict[str, Any]:
        if not query or not query.strip():
            raise EmptyQuery("There is no question to search the help centre for.")
        wanted = languages.resolve(language) if language else None
        if language and wanted is None:
            raise UnsupportedLanguage(f"The help centre has no documents in {language!r}.")
        hits = help_centre_index().search(query, language=wanted, k=TOP_K)
        result = ok(query=query, passages=[hit.model_dump() for hit in hits])
        if not hits:
            result["hint"] = (
                "Nothing in the help centre matches. Say so, do not guess a policy, "
                "and offer to transfer the customer to a person."
            )
        return result

    return run_public_tool("search_help_centre", body)
