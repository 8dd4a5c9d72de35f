"""BM25 search over the help-centre passages (bm25s), one index per language.

Tokens: jieba segments Chinese (and splits the English words in mixed text); English words are
lower-cased and stemmed with PyStemmer; stopwords are bm25s' lists (English "plus" and Chinese).
The index is built on the first search and kept for the life of the process (`help_centre_index`),
never on import.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_CHINESE, STOPWORDS_EN_PLUS
from pydantic import BaseModel

from core import languages
from mock_backends.knowledge.documents import HelpDocument, Passage, load_documents

_WORD = re.compile(r"\w", re.UNICODE)
_ASCII_WORD = re.compile(r"^[a-z0-9]+$")
_STOPWORDS = frozenset(STOPWORDS_EN_PLUS) | frozenset(STOPWORDS_CHINESE)
_STEMMER = Stemmer.Stemmer("english")
MAX_QUERY_CHARS = 500  # a question, not a document: longer input is cut before tokenising


class SearchHit(BaseModel, frozen=True):
    """A passage that matched, with what an answer needs to cite it."""

    doc_id: str
    title: str
    heading: str
    language: str
    source: str  # e.g. "en/returns.md#return-windows"
    text: str
    score: float


def tokenize(text: str) -> list[str]:
    """Search tokens of a passage or a query (the same function for both, so they match).

    Our own few lines around the libraries: bm25s' tokenizer splits on a regex, which cannot
    segment Chinese; jieba does, and stopwords and stemming are still bm25s' and PyStemmer's.
    """
    import jieba  # on first use: its import is a second of every server start, and the index is built lazily

    tokens = []
    for word in jieba.cut_for_search(text.lower()):
        word = word.strip()
        if not word or not _WORD.search(word) or word in _STOPWORDS:
            continue
        tokens.append(_STEMMER.stemWord(word) if _ASCII_WORD.match(word) else word)
    return tokens


class _LanguageIndex:
    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = list(passages)
        # The heading is the best summary of a passage: indexed twice (a poor man's BM25F field
        # weight), with the document title once, ahead of the body.
        corpus = [tokenize(f"{p.title}\n{p.heading}\n{p.heading}\n{p.text}") for p in self.passages]
        # b=0.5 (default 0.75): a passage holding a table of every window is long by nature and
        # should not lose to a short one that merely mentions the words in passing.
        self.retriever = bm25s.BM25(k1=1.5, b=0.5)
        self.retriever.index(corpus, show_progress=False)


class HelpCentreIndex:
    """The help centre's passages, searchable per language."""

    def __init__(self, documents: Sequence[HelpDocument]) -> None:
        by_language: dict[str, list[Passage]] = {}
        for document in documents:
            by_language.setdefault(document.language, []).extend(document.passages)
        self._indexes = {language: _LanguageIndex(passages) for language, passages in by_language.items()}

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._indexes)

    def search(self, query: str, language: str | None = None, k: int = 3) -> list[SearchHit]:
        """The top `k` passages for `query`, best first; only passages sharing a term with it.

        `language` picks the documents (a code of core.languages); by default, the language the query is in.
        An empty, stopword-only or unknown-word query finds nothing (an empty list).
        """
        language = language or languages.detect(query, languages.DEFAULT)
        if language not in self._indexes:
            raise ValueError(f"no help-centre documents in language {language!r}")
        index = self._indexes[language]
        tokens = tokenize(query[:MAX_QUERY_CHARS])
        if not tokens:
            return []
        scores = index.retriever.get_scores(tokens)
        best = [int(i) for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]
        return [_hit(index.passages[i], float(scores[i])) for i in best]


def _hit(passage: Passage, score: float) -> SearchHit:
    return SearchHit(
        doc_id=passage.doc_id,
        title=passage.title,
        heading=passage.heading,
        language=passage.language,
        source=passage.source,
        text=passage.text,
        score=round(score, 3),
    )


@lru_cache(maxsize=1)
def help_centre_index() -> HelpCentreIndex:
    """The index of the shipped documents, built on first use and then shared by the process."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its dictionary load otherwise prints to stderr
    return HelpCentreIndex(load_documents())
