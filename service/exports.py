"""What the desk learns from: reviewed conversations as fine-tuning data, and the help centre's gaps.

- `training_examples`: every answer a customer rated thumbs-up becomes one example in OpenAI's
  chat-with-tools fine-tuning format (`{"messages": [...], "tools": [...]}`): the conversation up to and
  including that answer, tool calls and results included, PII redacted. Conversations a person wrote
  in are left out (their replies are no model output to learn from). Agent-assist drafts a staff
  member approved or edited are examples too (an edited one with the staff member's text as the
  assistant's turn: what the desk would have had the model say); the "a colleague is checking the
  answer" notices are left out of every example, and rejected drafts are in none.
- `help_centre_gaps`: what customers asked that the help centre had nothing for (a
  `search_help_centre` call that found no passage), counted, most asked first.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from langchain_core.messages import BaseMessage, ToolMessage, convert_to_openai_messages
from langchain_core.utils.function_calling import convert_to_openai_tool
from sqlmodel import Session, col, select

from core.redaction import redact, redact_data
from mock_backends.orders.models import ChatSession, Feedback
from mock_backends.orders.staff_models import AssistDraft
from service.assist import is_draft_notice
from service.conversation import ConversationService, history_of
from service.streaming import parsed_content
from service.takeover import author_of
from tools.registry import TOOLS

MAX_SESSIONS_SCANNED = 5000


def _messages(conversations: ConversationService, session_id: str) -> list[BaseMessage]:
    state = conversations.graph.get_state({"configurable": {"thread_id": session_id}})
    return list(state.values.get("messages", []))


def training_examples(conversations: ConversationService) -> Iterator[dict[str, Any]]:
    tools = [convert_to_openai_tool(tool) for tool in TOOLS]
    with Session(conversations.deps.engine) as db:
        liked = db.exec(
            select(Feedback)
            .where(Feedback.rating == "up")
            .order_by(col(Feedback.session_id), col(Feedback.message_index))
        ).all()
        let_through = db.exec(
            select(AssistDraft.session_id, AssistDraft.id)
            .where(col(AssistDraft.status).in_(("approved", "edited")), AssistDraft.kind == "reply")
            .order_by(col(AssistDraft.session_id), col(AssistDraft.id))
        ).all()
    ends: dict[str, set[int]] = {}  # session -> message positions an example ends at
    cache: dict[str, list[BaseMessage]] = {}

    def messages_of(session_id: str) -> list[BaseMessage]:
        if session_id not in cache:
            cache[session_id] = _messages(conversations, session_id)
        return cache[session_id]

    for row in liked:
        messages = messages_of(row.session_id)
        shown = [i for i, message in enumerate(messages) if history_of([message])]  # history index -> message
        if row.message_index < len(shown):
            ends.setdefault(row.session_id, set()).add(shown[row.message_index])
    for session_id, draft_id in let_through:
        for i, message in enumerate(messages_of(session_id)):
            metadata = getattr(message, "response_metadata", None) or {}
            if metadata.get("returndesk_draft") == draft_id and not is_draft_notice(message):
                ends.setdefault(session_id, set()).add(i)
    for session_id in sorted(ends):
        for end in sorted(ends[session_id]):
            example = messages_of(session_id)[: end + 1]
            if any(author_of(message) for message in example):
                continue
            example = [message for message in example if not is_draft_notice(message)]
            yield redact_data({"messages": convert_to_openai_messages(example), "tools": tools})


def training_jsonl(conversations: ConversationService) -> Iterator[str]:
    for example in training_examples(conversations):
        yield json.dumps(example, ensure_ascii=False)


def help_centre_gaps(conversations: ConversationService) -> list[dict[str, Any]]:
    """[{"query", "language", "count", "why": {...}}], most often first (queries redacted, lower-cased).

    A help-centre search is a gap when it found no passage, when the customer rated the answer that
    followed thumbs-down, or when the conversation was handed to a person before the next search.
    """
    engine = conversations.deps.engine
    with Session(engine) as db:
        session_ids = db.exec(
            select(ChatSession.id).order_by(col(ChatSession.created_at).desc()).limit(MAX_SESSIONS_SCANNED)
        ).all()
        disliked = {(r.session_id, r.message_index) for r in db.exec(select(Feedback).where(Feedback.rating == "down"))}
    counts: Counter[tuple[str, str]] = Counter()
    why: dict[tuple[str, str], Counter[str]] = {}
    for session_id in session_ids:
        for key, reason in _gaps_in(session_id, _messages(conversations, session_id), disliked):
            counts[key] += 1
            why.setdefault(key, Counter())[reason] += 1
    return [
        {"query": q, "language": lang, "count": n, "why": dict(why[(q, lang)])} for (q, lang), n in counts.most_common()
    ]


def _gaps_in(
    session_id: str, messages: list[BaseMessage], disliked: set[tuple[str, int]]
) -> Iterator[tuple[tuple[str, str], str]]:
    history_index = -1
    open_search: tuple[str, str] | None = None  # the latest search, until its answer is judged
    for message in messages:
        if history_of([message]):
            history_index += 1
        if isinstance(message, ToolMessage) and message.name == "search_help_centre":
            result = parsed_content(message.content)
            if not isinstance(result, dict) or not result.get("ok"):
                continue
            query = " ".join(str(result.get("query", "")).lower().split())
            language = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in query) else "en"
            open_search = (redact(query), language)
            if not result.get("passages"):
                yield open_search, "no_passage"
                open_search = None
        elif open_search is not None and (getattr(message, "response_metadata", None) or {}).get("returndesk_handoff"):
            yield open_search, "handed_off_after"
            open_search = None
        elif (
            open_search is not None
            and history_of([message])
            and history_of([message])[0]["role"] == "assistant"
            and (session_id, history_index) in disliked
        ):
            yield open_search, "thumbs_down"
            open_search = None
