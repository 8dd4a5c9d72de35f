"""What the model reads of a tool result: a compact rendering, not the stored result.

A tool's ToolMessage keeps its whole result: guided mode words its answers from it, `check_reply`
and `agent.reply_claims` verify a reply against it, and conversations are stored and replayed with
it. Only the request to the model endpoint carries this rendering (`agent.vllm_client`), because
every token of a new tool result is prefilled again by the model server (it is new to the prefix
cache) and then re-read on every later call of the conversation:

- every result: compact JSON (no spaces after separators), without null and empty-string fields;
  empty lists stay (they say "none", e.g. no returns);
- `search_help_centre`: the best passage whole, a second one only when it scores nearly as well,
  trimmed to its sentences that hold most of the query's search terms (`relevant_sentences`);
  title, heading and source id, without the query, scores and language.

What the rendering drops is nothing a reply may state: the passages the model does read are the
stored ones' own words, so a reply quoting them is checked against the stored result as before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from mock_backends.knowledge.search import tokenize

# A second passage is shown only when it scores at least this share of the best one's score.
SECOND_PASSAGE_SHARE = 0.9
PASSAGE_FIELDS = ("title", "heading", "source", "text")
# A sentence: up to a full stop (Chinese, or Latin followed by a space or the end), with its trailing spaces.
_SENTENCE = re.compile(r".+?(?:[。！？]|[.!?](?=\s|$)|$)\s*")


def compact(value: Any) -> Any:
    """`value` without null and empty-string fields in its objects, at any depth."""
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value


def sentences(text: str) -> Iterator[str]:
    """The sentences of `text`, line by line, each with its trailing spaces (a table row is one)."""
    for line in text.splitlines():
        yield from (m.group(0) for m in _SENTENCE.finditer(line) if m.group(0).strip())


def relevant_sentences(text: str, query: str) -> str:
    """The sentences of `text` that hold half of `query`'s search terms and at least two (all of a
    shorter query's), in order, line by line; a markdown table is kept whole when any of its rows
    does (header and rows belong together)."""
    terms = set(tokenize(query))
    needed = min(len(terms), max(2, (len(terms) + 1) // 2))
    kept: list[str] = []
    table: list[str] = []

    def relevant(words: str) -> bool:
        return bool(terms) and len(terms & set(tokenize(words))) >= needed

    def end_table() -> None:
        if any(relevant(row) for row in table):
            kept.extend(table)
        table.clear()

    for line in text.splitlines():
        if line.lstrip().startswith("|"):
            table.append(line)
            continue
        end_table()
        words = "".join(s for s in sentences(line) if relevant(s)).rstrip()
        if words:
            kept.append(words if words.startswith(line[:2]) or not line.startswith("- ") else "- " + words)
    end_table()
    return "\n".join(kept)


def help_centre_view(result: dict[str, Any]) -> dict[str, Any]:
    """A help-centre result for the model: the best passage, and a nearly-as-good second one trimmed."""
    passages = [p for p in result.get("passages") or [] if isinstance(p, dict)]
    query = str(result.get("query") or "")
    view = {k: v for k, v in result.items() if k not in ("query", "passages")}
    shown = [{k: p[k] for k in PASSAGE_FIELDS if k in p} for p in passages[:1]]
    if len(passages) > 1 and _score(passages[1]) >= SECOND_PASSAGE_SHARE * _score(passages[0]):
        second = {k: passages[1][k] for k in PASSAGE_FIELDS if k in passages[1]}
        second["text"] = relevant_sentences(str(second.get("text") or ""), query)
        if second["text"]:
            shown.append(second)
    view["passages"] = shown
    return view


def _score(passage: dict[str, Any]) -> float:
    try:
        return float(passage.get("score") or 0)
    except (TypeError, ValueError):
        return 0.0


# Tool name -> its result as the model reads it (before `compact`); tools without one are only compacted.
VIEWS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"search_help_centre": help_centre_view}


def model_content(tool: str | None, content: Any) -> Any:
    """A ToolMessage's content as the model reads it; content that is no JSON object is left as it is."""
    if not isinstance(content, str):
        return content
    try:
        data = json.loads(content)
    except ValueError:
        return content
    if not isinstance(data, dict):
        return content
    view = VIEWS.get(tool or "")
    if view is not None and data.get("ok") is not False:
        data = view(data)
    return json.dumps(compact(data), ensure_ascii=False, separators=(",", ":"))
