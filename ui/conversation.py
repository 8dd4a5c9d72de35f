"""One customer conversation as the interfaces see it: sign in, send a message, confirm or cancel.

The FastAPI routes, the Gradio app and the terminal chat all go through this service, so they
behave the same. It owns no state of its own: sessions live in the order database and the
conversation in the graph's checkpoints, so any server process can serve any turn.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langgraph.types import Command
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from agent.guided_text import keywords
from agent.llm import mode_of
from agent.settings import Settings
from core import languages
from graphs.persistence import open_checkpointer
from graphs.returns_graph import DURABILITY, build_graph
from mock_backends.orders import audit, repository
from mock_backends.orders.errors import OrderSystemError
from mock_backends.orders.models import ChatSession, Customer
from tools.base import PendingAction
from tools.deps import ToolDeps, deps_from_settings
from ui.metrics import TurnMetrics
from ui.streaming import ToolFinished, TurnDone, TurnEvent, events_of, parsed_content

MAX_MESSAGE_CHARS = 4000
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ConversationError(Exception):
    """A request the conversation cannot take; `str(self)` is safe to show, `status` suits HTTP."""

    status = 400
    code = "bad_request"


class SessionNotFound(ConversationError):
    status = 404
    code = "session_not_found"


class SignInFailed(ConversationError):
    status = 401
    code = "sign_in_failed"


class NothingPending(ConversationError):
    status = 409
    code = "nothing_to_confirm"


class RecordingNotEnabled(ConversationError):
    """Asked to record a session on a server where recording is off (RETURNDESK_RECORD_DIR unset)."""

    status = 403
    code = "recording_not_enabled"


class CardWaiting(ConversationError):
    """A new message while a confirmation card waits for yes / no."""

    status = 409
    code = "confirmation_pending"


@dataclass
class SessionInfo:
    session_id: str
    customer_id: str | None  # None until the customer is verified
    customer_name: str | None
    language: str
    recording: bool = False  # this session is being recorded for QA (RETURNDESK_RECORD_DIR)


@dataclass
class ToolTraceEntry:
    tool: str
    args: dict[str, Any]
    result: Any


@dataclass
class TurnResult:
    session_id: str
    reply: str
    mode: str  # "model" or "guided": which one wrote the reply
    pending: PendingAction | None = None
    tool_trace: list[ToolTraceEntry] = field(default_factory=list)
    # Suggested next messages, from the reply's response_metadata["quick_replies"] when it has them.
    quick_replies: list[str] = field(default_factory=list)
    language: str = languages.DEFAULT  # the language the reply is written in (a code of core.languages)


def clean_message(text: str) -> str:
    text = CONTROL_CHARS.sub("", text).strip()
    if not text:
        raise ConversationError("The message is empty.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ConversationError(f"The message is too long ({len(text)} characters; the limit is {MAX_MESSAGE_CHARS}).")
    return text


class ConversationService:
    def __init__(self, settings: Settings, deps: ToolDeps | None = None, checkpointer: Any = None,
                 metrics: TurnMetrics | None = None) -> None:
        self.settings = settings
        self.deps = deps or deps_from_settings(settings)
        self.graph = build_graph(checkpointer if checkpointer is not None else open_checkpointer(settings))
        self.metrics = metrics or TurnMetrics()
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self.recorder = _recorder(settings, self.deps)

    @property
    def can_record(self) -> bool:
        """Whether sessions may be recorded here (RETURNDESK_RECORD_DIR is set)."""
        return self.recorder is not None

    @property
    def mode(self) -> str:
        return "model" if self.settings.llm_base_url else "guided"

    # --- sessions ---------------------------------------------------------------------------
    def sign_in(self, *, email: str | None = None, order_id: str | None = None,
                name: str | None = None, postcode: str | None = None, record: bool = False) -> SessionInfo:
        """Verify the customer (email + order number, or name + postcode) and open a session.
        `record`: record it for QA (refused unless recording is enabled)."""
        self._check_recording(record)
        with Session(self.deps.engine) as db:
            try:
                if email and order_id:
                    customer = repository.verify_by_email_and_order(db, email, order_id)
                elif name and postcode:
                    customer = repository.verify_by_name_and_postcode(db, name, postcode)
                else:
                    raise SignInFailed("Sign in with your email and an order number, or your name and postcode.")
            except OrderSystemError as error:
                # Audited like a failed verification in the chat: repeated guessing must leave a trail.
                audit.record_now(self.deps.engine, actor=None, tool="sign_in", outcome="refused", order_id=order_id,
                                 detail={"code": error.code, "method": "email+order" if email else "name+postcode"})
                raise SignInFailed(str(error)) from error
            chat = ChatSession(id=uuid.uuid4().hex, customer_id=customer.id, language=customer.preferred_language)
            db.add(chat)
            db.commit()
            info = SessionInfo(chat.id, customer.id, customer.display_name, chat.language)
        signed_in_with = {"email": email, "order_id": order_id} if email and order_id else {"name": name,
                                                                                          "postcode": postcode}
        return self._start_recording(info, record, signed_in_with)

    def start_anonymous(self, language: str = "en", session_id: str | None = None,
                        record: bool = False) -> SessionInfo:
        """A session whose customer identifies in the chat (the graph's identify step)."""
        self._check_recording(record)
        with Session(self.deps.engine) as db:
            chat = ChatSession(id=session_id or uuid.uuid4().hex, customer_id=None, language=language)
            db.add(chat)
            db.commit()
            info = SessionInfo(chat.id, None, None, chat.language)
        return self._start_recording(info, record, {"anonymous": True})

    def _check_recording(self, record: bool) -> None:
        if record and self.recorder is None:
            raise RecordingNotEnabled("Recording is not enabled on this server (set RETURNDESK_RECORD_DIR).")

    def _start_recording(self, info: SessionInfo, record: bool, customer: dict[str, Any]) -> SessionInfo:
        if self.recorder is not None and (record or self.settings.record_all):
            self.recorder.start(info.session_id, customer=customer, language=info.language)
            info.recording = True
        return info

    def set_language(self, session_id: str, language: str) -> None:
        """The customer chose the language on screen: messages without words (an order number) follow it."""
        with Session(self.deps.engine) as db:
            chat = db.get(ChatSession, session_id) if session_id and len(session_id) <= 64 else None
            if chat is not None and languages.resolve(language) == language and chat.language != language:
                chat.language = language
                db.add(chat)
                db.commit()

    def session(self, session_id: str) -> SessionInfo:
        with Session(self.deps.engine) as db:
            chat = db.get(ChatSession, session_id) if session_id and len(session_id) <= 64 else None
            if chat is None:
                raise SessionNotFound("Unknown session: sign in again to start a new one.")
            customer = db.get(Customer, chat.customer_id) if chat.customer_id else None
            return SessionInfo(chat.id, chat.customer_id, customer.display_name if customer else None, chat.language)

    def session_named(self, session_id: str) -> SessionInfo:
        """The session with this id, opened anonymously if it does not exist yet (OpenAI `user` field)."""
        try:
            return self.session(session_id)
        except SessionNotFound:
            try:
                return self.start_anonymous(session_id=session_id)
            except IntegrityError:  # another request opened it a moment ago
                return self.session(session_id)

    def _record_refusal(self, info: SessionInfo, error: ConversationError, **turn: str) -> None:
        if self.recorder is not None:
            self.recorder.record_refusal(info.session_id, str(error), **turn)

    def _remember_verified_customer(self, info: SessionInfo, customer_id: str | None) -> None:
        """A customer verified in the chat (verify tool) stays verified for the session."""
        if not customer_id or customer_id == info.customer_id:
            return
        with Session(self.deps.engine) as db:
            chat = db.get(ChatSession, info.session_id)
            if chat is not None and chat.customer_id is None:
                chat.customer_id = customer_id
                db.add(chat)
                db.commit()

    # --- turns ------------------------------------------------------------------------------
    def send(self, session_id: str, text: str) -> TurnResult:
        """One customer turn, answered at once (the API's JSON route)."""
        return _last(self.stream(session_id, text, tokens=False))

    def resolve(self, session_id: str, *, approved: bool, action_id: str | None = None) -> TurnResult:
        """Answer the pending confirmation card (Confirm / Cancel)."""
        return _last(self.stream_resolve(session_id, approved=approved, action_id=action_id, tokens=False))

    def stream(self, session_id: str, text: str, *, tokens: bool = True) -> Iterator[TurnEvent]:
        """One customer turn as it happens: tokens, tool events, then `TurnDone` with the `TurnResult`.

        Bad input (unknown session, empty text, a card still waiting) raises here, before any event.
        `tokens=False` leaves out the reply's tokens: LangGraph then runs each step in the calling
        thread instead of handing it to a worker thread so the tokens can be read while it runs.
        """
        info = self.session(session_id)
        try:
            cleaned = clean_message(text)
            self._turn_input(info, cleaned)  # raises now rather than inside the stream
        except ConversationError as error:
            self._record_refusal(info, error, user=text)
            raise
        return self._locked(info, lambda: self._turn_input(info, cleaned), user=cleaned, tokens=tokens)

    def stream_resolve(self, session_id: str, *, approved: bool, action_id: str | None = None,
                       tokens: bool = True) -> Iterator[TurnEvent]:
        """Confirm or cancel the pending card, streaming the turn that follows."""
        info = self.session(session_id)
        action = "confirm" if approved else "cancel"
        try:
            self._resume_input(info, approved, action_id)
        except ConversationError as error:
            self._record_refusal(info, error, action=action)
            raise
        return self._locked(info, lambda: self._resume_input(info, approved, action_id), action=action,
                            tokens=tokens)

    def _turn_input(self, info: SessionInfo, text: str) -> Any:
        pending = self.pending(info.session_id)
        if pending is not None:
            answers = keywords()  # "yes" / "是的" / "no" typed instead of pressing the card's buttons
            if answers.confirm_yes.match(text) or answers.confirm_no.match(text):
                return _resume_command(pending, approved=bool(answers.confirm_yes.match(text)))
            raise CardWaiting("Please confirm or cancel the pending action first.")
        language = languages.detect(text, info.language)
        graph_input: dict[str, Any] = {"messages": [HumanMessage(content=text)], "language": language}
        if info.customer_id:  # from the verified session, never from the model
            graph_input |= {"customer_id": info.customer_id, "customer_name": info.customer_name}
        return graph_input

    def _resume_input(self, info: SessionInfo, approved: bool, action_id: str | None) -> Command:
        pending = self.pending(info.session_id)
        if pending is None:
            raise NothingPending("There is nothing waiting for confirmation.")
        if action_id is not None and action_id != pending.action_id:
            raise NothingPending("That confirmation is out of date: the pending action has changed.")
        return _resume_command(pending, approved=approved)

    def pending(self, session_id: str) -> PendingAction | None:
        return _pending_in(self.graph.get_state(self._config(session_id)))

    def history(self, session_id: str) -> list[dict[str, Any]]:
        self.session(session_id)
        messages = self.graph.get_state(self._config(session_id)).values.get("messages", [])
        return [entry for m in messages if (entry := _history_entry(m))]

    # --- internals --------------------------------------------------------------------------
    def _config(self, session_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": session_id}}

    def _locked(self, info: SessionInfo, graph_input: Any, *, user: str | None = None,
                action: str | None = None, tokens: bool = True) -> Iterator[TurnEvent]:
        """Runs the turn under the session's lock; `graph_input` is re-read under it (a card may have changed).
        `user` / `action` say what the turn was, for a recording."""
        with self._locks[info.session_id]:
            started = time.perf_counter()
            try:
                events = self._run(info, graph_input(), tokens=tokens)
                if self.recorder is not None:
                    events = self.recorder.record_turn(info.session_id, events, user=user, action=action)
                yield from events
            except Exception:
                self.metrics.errors.labels(where="turn").inc()
                raise
            finally:
                self.metrics.latency.observe(time.perf_counter() - started)

    def _run(self, info: SessionInfo, graph_input: Any, *, tokens: bool = True) -> Iterator[TurnEvent]:
        config = self._config(info.session_id)
        before = len(self.graph.get_state(config).values.get("messages", []))
        parts = self.graph.stream(graph_input, config=config, context=self.deps, durability=DURABILITY,
                                  stream_mode=["messages", "updates"] if tokens else ["updates"], version="v2")
        for event in events_of(parts):
            if isinstance(event, ToolFinished):
                self.metrics.tool_calls.labels(tool=event.tool, outcome=event.outcome).inc()
            yield event
        result = self._result(info, before)
        self.metrics.turns.labels(mode=result.mode).inc()
        if self.settings.llm_base_url and result.mode == "guided":
            self.metrics.fallbacks.inc()
        yield TurnDone(result)

    def _result(self, info: SessionInfo, before: int) -> TurnResult:
        config = self._config(info.session_id)
        snapshot = self.graph.get_state(config)
        self._remember_verified_customer(info, snapshot.values.get("customer_id"))
        new = snapshot.values.get("messages", [])[before:]
        replies = [m for m in new if isinstance(m, AIMessage) and not m.tool_calls and m.content]
        reply = replies[-1] if replies else None
        pending = _pending_in(snapshot)  # the snapshot just read: one checkpoint read fewer per turn
        if reply is None and pending is not None:
            reply_text = pending.summary
        else:
            reply_text = str(reply.content) if reply else ""
        ai = [m for m in new if isinstance(m, AIMessage)]
        quick = (reply.response_metadata or {}).get("quick_replies") if reply is not None else None
        return TurnResult(
            session_id=info.session_id,
            reply=reply_text,
            mode=mode_of(ai[-1]) if ai else self.mode,
            pending=pending,
            tool_trace=tool_trace(new, snapshot.values.get("messages", [])),
            quick_replies=[str(q) for q in quick] if isinstance(quick, list) else [],
            language=snapshot.values.get("language") or info.language,
        )


def _recorder(settings: Settings, deps: ToolDeps) -> Any:
    """The QA session recorder when RETURNDESK_RECORD_DIR is set, else None."""
    if settings.record_dir is None:
        return None
    from ui.qa.session_recording import SessionRecorder  # late: ui.qa imports this module

    return SessionRecorder(settings, deps.engine)


def _pending_in(snapshot: Any) -> PendingAction | None:
    for item in snapshot.interrupts:
        return PendingAction.model_validate(item.value)
    return None


def _resume_command(pending: PendingAction, *, approved: bool) -> Command:
    return Command(resume={"approved": approved, "action_id": pending.action_id})


def _last(events: Iterator[TurnEvent]) -> TurnResult:
    result = None
    for event in events:
        if isinstance(event, TurnDone):
            result = event.result
    assert result is not None, "a turn always ends with TurnDone"
    return result


def tool_trace(new: list[BaseMessage], everything: list[BaseMessage]) -> list[ToolTraceEntry]:
    """The tool calls this turn ran (a confirmed call was proposed in an earlier turn: `everything`)."""
    calls = {c["id"]: c for m in everything if isinstance(m, AIMessage) for c in m.tool_calls}
    return [
        ToolTraceEntry(m.name or calls[m.tool_call_id]["name"], calls[m.tool_call_id]["args"], parsed_content(m.content))
        for m in new
        if isinstance(m, ToolMessage) and m.tool_call_id in calls
    ]



def _history_entry(message: BaseMessage) -> dict[str, Any] | None:
    if isinstance(message, HumanMessage):
        return {"role": "user", "content": str(message.content)}
    if isinstance(message, AIMessage) and message.content and not message.tool_calls:
        return {"role": "assistant", "content": str(message.content), "mode": mode_of(message)}
    return None
