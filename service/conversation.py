"""One customer conversation as the interfaces see it: sign in, send a message, confirm or cancel.

The FastAPI routes, the Gradio app and the terminal chat all go through this service, so they
behave the same. It owns no state of its own: sessions live in the order database and the
conversation in the graph's checkpoints, so any server process can serve any turn.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, RemoveMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command
from sqlmodel import Session, col, select

from agent.guided_handlers import GUIDED_HANDLERS, GuidedHandler
from agent.guided_text import keywords
from agent.held_reply import HeldReply
from agent.llm import mode_of
from agent.observability import TurnObserver, tracer_from_env
from core import languages
from core.messages import t
from core.settings import Settings
from graphs.persistence import open_checkpointer
from graphs.returns_graph import DURABILITY, build_graph
from mock_backends.orders.errors import OrderSystemError
from mock_backends.orders.models import ChatSession, Customer, Order
from service.assist import Assist
from service.card_recovery import card_already_ran, done_already, finished_call_result
from service.metrics import TurnMetrics
from service.recording import RecorderFactory
from service.results import SessionInfo, ToolTraceEntry, TurnResult
from service.sessions import AnonymousSessionCap, SessionGone, end_session, live_session, open_session
from service.streaming import ReplyChecked, Token, ToolFinished, TurnDone, TurnEvent, events_of, parsed_content
from service.takeover import Takeover, TakeoverBusy, author_of
from service.turn_limits import TurnRateLimiter
from service.turn_lock import TurnLockTimeout, turn_lock_for
from tools.cards import ConfirmationCard
from tools.deps import ToolDeps, deps_from_settings
from tools.registry import REGISTRY, ToolRegistry
from tools.sign_in import CLIENT_ADDRESS, Credentials, verify_credentials
from tools.sign_in_throttle import SignInThrottled, SignInUnavailable, wait_text

MAX_MESSAGE_CHARS = 4000
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ConversationError(Exception):
    """A request the conversation cannot take; `str(self)` is safe to show, `status` suits HTTP."""

    status = 400
    code = "bad_request"
    headers: dict[str, str] | None = None  # e.g. Retry-After, sent with the HTTP answer


class SessionNotFound(ConversationError):
    status = 404
    code = "session_not_found"


class SessionExpired(ConversationError):
    """Idle too long, or older than the longest a session may live: the customer signs in again."""

    status = 401
    code = "session_expired"


class SessionEnded(ConversationError):
    """The customer signed out of this session."""

    status = 401
    code = "session_ended"


class TooMany(ConversationError):
    """A limit on sign-in guesses or new sessions: `retry_after` seconds to wait (HTTP: 429, Retry-After)."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after, self.headers = retry_after, {"Retry-After": str(retry_after)}


class SignInThrottledError(TooMany):
    code = "sign_in_throttled"


class TooManySessions(TooMany):
    code = "too_many_sessions"


class SignInUnavailableError(ConversationError):
    status = 503
    code = "sign_in_unavailable"


class StaffOnly(ConversationError):
    """Recording a session for QA needs staff credentials (the staff token, or the API key)."""

    status = 403
    code = "staff_only"


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


class AlreadyDone(ConversationError):
    """Cancel pressed on a card whose action had already been carried out (a server stopped mid-turn)."""

    status = 409
    code = "already_done"


class SessionBusy(ConversationError):
    """Another turn of this session (in this or another server process) outlasted the wait deadline."""

    status = 409
    code = "session_busy"


class TooManyTurns(ConversationError):
    """The session sent more turns than RETURNDESK_RATE_LIMIT_PER_MINUTE allows; `retry_after` seconds to wait."""

    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many messages in this conversation; please wait {retry_after} seconds.")
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class DraftWaiting(ConversationError):
    """Agent-assist mode: the previous answer waits for a staff member (service/assist.py)."""

    status = 409
    code = "draft_pending"


class CardWaiting(ConversationError):
    """A new message while a confirmation card waits for yes / no."""

    status = 409
    code = "confirmation_pending"


def clean_message(text: str) -> str:
    text = CONTROL_CHARS.sub("", text).strip()
    if not text:
        raise ConversationError("The message is empty.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ConversationError(f"The message is too long ({len(text)} characters; the limit is {MAX_MESSAGE_CHARS}).")
    return text


class ConversationService:
    def __init__(
        self,
        settings: Settings,
        deps: ToolDeps | None = None,
        checkpointer: Any = None,
        metrics: TurnMetrics | None = None,
        recorder: RecorderFactory | None = None,
        tracer: Any = None,
        registry: ToolRegistry = REGISTRY,
        guided_handlers: Mapping[str, GuidedHandler] = GUIDED_HANDLERS,
    ) -> None:
        """`recorder`: how to record sessions for QA (e.g. `qa.session_recording.SessionRecorder`), handed
        in by the caller so the service never imports QA; used only when RETURNDESK_RECORD_DIR is set.
        `registry` / `guided_handlers`: the tools the conversation may use and guided mode's step after
        each (the defaults; a test adds its own tool to both)."""
        self.settings = settings
        self.deps = deps or deps_from_settings(settings)
        self.registry = registry  # interfaces read tool labels and panels from it, never tool names
        self.graph = build_graph(
            checkpointer if checkpointer is not None else open_checkpointer(settings),
            registry=registry,
            guided_handlers=guided_handlers,
        )
        self.metrics = metrics or TurnMetrics()
        self.tracer = tracer or tracer_from_env()  # OpenTelemetry; a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set
        # One turn of a session at a time across every process on this database (confirm vs cancel).
        self.turn_lock = turn_lock_for(self.deps.engine, settings.turn_lock_timeout_s)
        self.recorder = recorder(settings, self.deps.engine) if recorder and settings.record_dir else None
        self.turn_limiter = TurnRateLimiter(settings.rate_limit_per_minute)
        self.anonymous_cap = AnonymousSessionCap.from_settings(settings)
        self.takeover = Takeover(self.graph, self.deps.engine, self.turn_lock, self.mode)  # a person has it
        self.assist = Assist(self.graph, self.deps.engine, settings.assist_mode, self.deps.clock)  # drafts

    @property
    def can_record(self) -> bool:
        """Whether sessions may be recorded here (RETURNDESK_RECORD_DIR is set)."""
        return self.recorder is not None

    @property
    def mode(self) -> str:
        return "model" if self.settings.llm_base_url else "guided"

    # --- sessions ---------------------------------------------------------------------------
    def sign_in(
        self,
        *,
        email: str | None = None,
        order_id: str | None = None,
        name: str | None = None,
        postcode: str | None = None,
        record: bool = False,
        staff: bool = False,
        client: str | None = None,
        language: str = languages.DEFAULT,
    ) -> SessionInfo:
        """Verify the customer (email + order number, or name + postcode) and open a session.

        `client`: the caller's network address: guesses are throttled per address and per account.
        `record`: record it for QA (staff only, and only where recording is enabled). `language`: of
        the error messages (the session takes the customer's own).
        """
        self._check_recording(record, staff)
        if not ((email and order_id) or (name and postcode)):
            raise SignInFailed("Sign in with your email and an order number, or your name and postcode.")
        try:
            customer = verify_credentials(
                self.deps,
                Credentials(email, order_id, name, postcode),
                door="sign_in",
                client=client,
                language=language,
            )
        except SignInThrottled as error:
            raise SignInThrottledError(str(error), error.retry_after) from error
        except SignInUnavailable as error:
            raise SignInUnavailableError(str(error)) from error
        except OrderSystemError as error:
            raise SignInFailed(str(error)) from error
        chat = open_session(
            self.deps.engine, customer_id=customer.id, language=customer.preferred_language, now=self.deps.clock()
        )
        info = SessionInfo(chat.id, customer.id, customer.display_name, chat.language)
        signed_in_with = (
            {"email": email, "order_id": order_id} if email and order_id else {"name": name, "postcode": postcode}
        )
        return self._start_recording(info, record, signed_in_with)

    def start_anonymous(
        self, language: str = languages.DEFAULT, record: bool = False, staff: bool = False, client: str | None = None
    ) -> SessionInfo:
        """A session whose customer identifies in the chat (the graph's identify step); at most
        RETURNDESK_ANONYMOUS_SESSIONS_PER_HOUR per client address."""
        self._check_recording(record, staff)
        if wait := self.anonymous_cap.wait_for(client):
            raise TooManySessions(t("error.too_many_sessions_wait", language, wait=wait_text(wait, language)), wait)
        chat = open_session(self.deps.engine, customer_id=None, language=language, now=self.deps.clock())
        info = SessionInfo(chat.id, None, None, chat.language)
        return self._start_recording(info, record, {"anonymous": True})

    def sign_out(self, session_id: str) -> None:
        """End the session: its id stops working on every server process (signing out twice is fine)."""
        try:
            end_session(self.deps.engine, session_id, now=self.deps.clock())
        except SessionGone:
            raise SessionNotFound("Unknown session: sign in again to start a new one.") from None

    def _check_recording(self, record: bool, staff: bool) -> None:
        if not record:
            return
        if self.recorder is None:
            raise RecordingNotEnabled("Recording is not enabled on this server (set RETURNDESK_RECORD_DIR).")
        if not staff:
            raise StaffOnly(
                "Recording a session is for staff: send the staff token (X-Staff-Token), "
                "or the API key where one is set."
            )

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
        """The live session with this id; raises SessionNotFound, SessionExpired or SessionEnded."""
        with Session(self.deps.engine, expire_on_commit=False) as db:
            try:
                chat = live_session(db, self.settings, session_id, now=self.deps.clock())
            except SessionGone as gone:
                raise _gone(gone) from None
            customer = db.get(Customer, chat.customer_id) if chat.customer_id else None
            return SessionInfo(chat.id, chat.customer_id, customer.display_name if customer else None, chat.language)

    def latest_order(self, session_id: str) -> str | None:
        """The signed-in customer's newest order number, for examples in their own terms (never
        another customer's); None before they are verified."""
        info = self.session(session_id)
        if not info.customer_id:
            return None
        with Session(self.deps.engine) as db:
            newest = db.exec(
                select(Order.id).where(Order.customer_id == info.customer_id).order_by(col(Order.created_at).desc())
            ).first()
        return str(newest) if newest else None

    def _record_refusal(self, info: SessionInfo, error: ConversationError, **turn: str) -> None:
        if self.recorder is not None:
            self.recorder.record_refusal(info.session_id, str(error), **turn)

    def _remember(self, info: SessionInfo, customer_id: str | None, language: str) -> None:
        """What a turn settled stays with the session, on every door: a customer verified in the chat
        (verify tool) stays verified; the reply's language answers the next message without words (an
        order number). The session's row is written only when one of them changed."""
        verified = bool(customer_id) and customer_id != info.customer_id
        relabelled = language != info.language and languages.resolve(language) == language
        if not (verified or relabelled):
            return
        with Session(self.deps.engine) as db:
            chat = db.get(ChatSession, info.session_id)
            if chat is None:
                return
            if verified and chat.customer_id is None:
                chat.customer_id = customer_id
            if relabelled:
                chat.language = language
            db.add(chat)
            db.commit()

    # --- turns ------------------------------------------------------------------------------
    def send(self, session_id: str, text: str, *, client: str | None = None) -> TurnResult:
        """One customer turn, answered at once (the API's JSON route)."""
        return _last(self.stream(session_id, text, tokens=False, client=client))

    def resolve(
        self, session_id: str, *, approved: bool, action_id: str | None = None, client: str | None = None
    ) -> TurnResult:
        """Answer the pending confirmation card (Confirm / Cancel)."""
        return _last(
            self.stream_resolve(session_id, approved=approved, action_id=action_id, tokens=False, client=client)
        )

    def stream(
        self, session_id: str, text: str, *, tokens: bool = True, client: str | None = None
    ) -> Iterator[TurnEvent]:
        """One customer turn as it happens: tokens, tool events, then `TurnDone` with the `TurnResult`.

        Bad input (unknown session, empty text, a card still waiting) raises here, before any event.
        `tokens=False` leaves out the reply's tokens: LangGraph then runs each step in the calling
        thread instead of handing it to a worker thread so the tokens can be read while it runs.
        `client`: the caller's network address (the chat's verify_customer throttles guesses by it).
        """
        info = self.session(session_id)
        if wait := self.turn_limiter.wait_s(info.session_id):  # every door's turns count (SECURITY.md)
            raise TooManyTurns(wait)
        try:
            cleaned = clean_message(text)
            if (with_person := self._to_person(info, cleaned)) is not None:
                return iter([TurnDone(with_person)])  # the assistant stays silent (service/takeover.py)
            self._check_no_draft(info, languages.detect(cleaned, info.language))
            answers = keywords()  # "yes" / "是的" / "no" typed instead of pressing the card's buttons
            if (retired := self._retire_if_ran(info)) is not None and (
                answers.confirm_yes.match(cleaned) or answers.confirm_no.match(cleaned)
            ):
                return self._answer_retired(*retired, approved=bool(answers.confirm_yes.match(cleaned)), action_id=None)
            self._turn_input(info, cleaned)  # raises now rather than inside the stream
        except ConversationError as error:
            self._record_refusal(info, error, user=text)
            raise
        return self._locked(info, lambda: self._turn_input(info, cleaned), user=cleaned, tokens=tokens, client=client)

    def stream_resolve(
        self,
        session_id: str,
        *,
        approved: bool,
        action_id: str | None = None,
        tokens: bool = True,
        client: str | None = None,
    ) -> Iterator[TurnEvent]:
        """Confirm or cancel the pending card, streaming the turn that follows."""
        info = self.session(session_id)
        action = "confirm" if approved else "cancel"
        try:
            self._check_no_draft(info, info.language)
            if (retired := self._retire_if_ran(info)) is not None:
                return self._answer_retired(*retired, approved=approved, action_id=action_id)
            self._resume_input(info, approved, action_id)
        except ConversationError as error:
            self._record_refusal(info, error, action=action)
            raise
        return self._locked(
            info, lambda: self._resume_input(info, approved, action_id), action=action, tokens=tokens, client=client
        )

    def _turn_input(self, info: SessionInfo, text: str) -> Any:
        pending = self._card(info.session_id)
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

    def _to_person(self, info: SessionInfo, text: str) -> TurnResult | None:
        try:
            return self.takeover.customer_message(info, text, languages.detect(text, info.language))
        except TakeoverBusy:
            raise SessionBusy(
                "Another message of this conversation is still being written; please try again in a moment."
            ) from None

    def _check_no_draft(self, info: SessionInfo, language: str) -> None:
        if self.assist.waiting(info.session_id) is not None:
            raise DraftWaiting(t("assist.busy", language))

    def _resume_input(self, info: SessionInfo, approved: bool, action_id: str | None) -> Command:
        snapshot = self.graph.get_state(self._config(info.session_id))
        pending = _pending_in(snapshot)
        if pending is None:
            finished = finished_call_result(snapshot.values.get("messages", []), action_id)
            raise NothingPending(
                "There is nothing waiting for confirmation" + (f": {done_already(*finished)}." if finished else ".")
            )
        if action_id is not None and action_id != pending.action_id:
            raise NothingPending("That confirmation is out of date: the pending action has changed.")
        return _resume_command(pending, approved=approved)

    def pending(self, session_id: str) -> ConfirmationCard | None:
        """The card waiting for the customer's yes or no. A card whose call already ran (the server
        stopped after the write committed, before the turn was saved) is retired first: see `_retire_if_ran`."""
        if self._card(session_id) is not None:
            self._retire_if_ran(self.session(session_id))
        return self._card(session_id)

    def history(self, session_id: str) -> list[dict[str, Any]]:
        self.session(session_id)
        self.pending(session_id)  # a card whose call already ran shows as the answer it got
        return history_of(self.graph.get_state(self._config(session_id)).values.get("messages", []))

    def _card(self, session_id: str) -> ConfirmationCard | None:
        card = _pending_in(self.graph.get_state(self._config(session_id)))
        if card is not None and self.assist.hides(session_id, card.action_id):
            return None  # agent-assist: a draft until a staff member approves it
        return card

    def drop_card(self, session_id: str) -> list[BaseMessage]:
        """Agent-assist: a staff member rejected the proposed card. The graph is resumed as if the
        customer had cancelled it, and whatever the assistant replied to that is taken out again: the
        customer sees nothing of it. Returns the messages removed. The caller holds the turn lock."""
        info = self.session(session_id)
        card = _pending_in(self.graph.get_state(self._config(session_id)))
        if card is None:
            return []
        before = len(self.graph.get_state(self._config(session_id)).values.get("messages", []))
        _last(self._run(info, _resume_command(card, approved=False), tokens=False, drafts=False))
        new = self.graph.get_state(self._config(session_id)).values.get("messages", [])[before:]
        said: list[BaseMessage] = [
            m for m in new if isinstance(m, AIMessage) and not m.tool_calls and m.content and m.id
        ]
        if said:
            self.graph.update_state(
                self._config(session_id), {"messages": [RemoveMessage(id=m.id or "") for m in said]}, as_node="handoff"
            )
        return said

    def _retire_if_ran(self, info: SessionInfo, *, locked: bool = False) -> tuple[ConfirmationCard, TurnResult] | None:
        """If the pending card's call already committed, replay it (approved) so the conversation shows
        its result: the idempotent tool returns what it did (the same RMA) without writing again.
        Returns the card and that turn's result, or None when there was nothing to retire."""
        snapshot = self.graph.get_state(self._config(info.session_id))
        card = _pending_in(snapshot)
        if card is None or not card_already_ran(snapshot, card, self.deps, info.session_id):
            return None
        if not locked:
            with self._turn_of(info.session_id):
                return self._retire_if_ran(info, locked=True)  # read again: another process may have done it
        return card, _last(self._run(info, _resume_command(card, approved=True), tokens=False, drafts=False))

    def _answer_retired(
        self, card: ConfirmationCard, result: TurnResult, *, approved: bool, action_id: str | None
    ) -> Iterator[TurnEvent]:
        """The answer to a confirm or cancel of a card that turned out to be done already."""
        if action_id is not None and action_id != card.action_id:
            raise NothingPending("That confirmation is out of date: the pending action has changed.")
        if not approved:
            done = next(
                (done_already(t.tool, t.result) for t in result.tool_trace if isinstance(t.result, dict)),
                done_already(card.tool, {}),
            )
            raise AlreadyDone(f"Nothing was cancelled: {done} before our answer reached you.")
        return iter([TurnDone(result)])

    # --- internals --------------------------------------------------------------------------
    def _config(self, session_id: str, client: str | None = None) -> RunnableConfig:
        return {"configurable": {"thread_id": session_id, CLIENT_ADDRESS: client}}

    def _locked(
        self,
        info: SessionInfo,
        graph_input: Any,
        *,
        user: str | None = None,
        action: str | None = None,
        tokens: bool = True,
        client: str | None = None,
    ) -> Iterator[TurnEvent]:
        """Runs the turn under the session's lock; `graph_input` is re-read under it (a card may have changed).
        `user` / `action` say what the turn was, for a recording."""
        with self._turn_of(info.session_id):
            self._retire_if_ran(info, locked=True)  # a crash of another process may have left one just now
            turn_input = graph_input()  # bad input now (the card is gone) is the customer's, not an error
            started = time.perf_counter()
            try:
                events = self._run(info, turn_input, tokens=tokens, client=client)
                if self.recorder is not None:
                    events = self.recorder.record_turn(info.session_id, events, user=user, action=action)
                yield from events
            except Exception:
                self.metrics.errors.labels(where="turn").inc()
                raise
            finally:
                self.metrics.latency.observe(time.perf_counter() - started)

    @contextmanager
    def _turn_of(self, session_id: str) -> Iterator[None]:
        try:
            with self.turn_lock.hold(session_id):
                yield
        except TurnLockTimeout:
            raise SessionBusy(
                "Another message of this conversation is still being answered; please try again in a moment."
            ) from None

    def _run(
        self,
        info: SessionInfo,
        graph_input: Any,
        *,
        tokens: bool = True,
        client: str | None = None,
        drafts: bool = True,
    ) -> Iterator[TurnEvent]:
        """`drafts`: in agent-assist mode, hold the reply (or card) for a staff member (service/assist.py)."""
        config = self._config(info.session_id, client)
        history = self.graph.get_state(config).values.get("messages", [])
        before = len(history)
        # Reply text reaches the customer only as far as the output check would let it (agent/held_reply.py).
        held = HeldReply([*history, *(graph_input.get("messages", []) if isinstance(graph_input, dict) else [])])
        observer = TurnObserver(self.metrics, self.tracer, info.session_id)  # tokens, latency, GenAI spans
        parts = self.graph.stream(
            graph_input,
            config={**config, "callbacks": [observer]},
            context=self.deps,
            durability=DURABILITY,
            version="v2",
            stream_mode=["messages", "updates"] if tokens else ["updates"],
        )
        try:
            drafting = drafts and self.assist.mode_for(info.session_id) == "assist"
            yield from self._events(parts, held, info, before, observer, drafting)
        finally:
            observer.finish()

    def _events(
        self, parts: Any, held: HeldReply, info: SessionInfo, before: int, observer: TurnObserver, drafting: bool
    ) -> Iterator[TurnEvent]:
        """`drafting`: agent-assist; nothing of the turn reaches the customer but "a colleague is checking"."""
        for event in events_of(parts):
            if isinstance(event, ReplyChecked):
                shown = held.approved() if event.passed else held.rejected()
                if shown and not drafting:
                    yield Token(shown)
                continue
            if isinstance(event, Token):
                if (shown := held.feed(event.text)) and not drafting:
                    yield Token(shown)
                continue
            if isinstance(event, ToolFinished):
                self.metrics.tool_calls.labels(tool=event.tool, outcome=event.outcome).inc()
                held.saw(ToolMessage(content=_as_text(event.result), name=event.tool, tool_call_id=event.call_id))
            if not drafting:
                yield event
        result = self._result(info, before)
        if drafting and result.with_person is None and (result.reply or result.pending is not None):
            result = self.assist.hold(info, result, before)
        observer.mode = result.mode
        self.metrics.turns.labels(mode=result.mode).inc()
        if self.settings.llm_base_url and result.mode == "guided":
            self.metrics.fallbacks.inc()
        yield TurnDone(result)

    def _result(self, info: SessionInfo, before: int) -> TurnResult:
        config = self._config(info.session_id)
        snapshot = self.graph.get_state(config)
        language = snapshot.values.get("language") or info.language
        self._remember(info, snapshot.values.get("customer_id"), language)
        new = snapshot.values.get("messages", [])[before:]
        replies = [m for m in new if isinstance(m, AIMessage) and not m.tool_calls and m.content]
        reply = replies[-1] if replies else None
        pending = _pending_in(snapshot)  # the snapshot just read: one checkpoint read fewer per turn
        reply_text = str(reply.content) if reply else ""
        if reply is None and pending is not None:
            reply_text = pending.summary
        ai = [m for m in new if isinstance(m, AIMessage)]
        quick = (reply.response_metadata or {}).get("quick_replies") if reply is not None else None
        shown = history_of(snapshot.values.get("messages", []))
        return TurnResult(
            session_id=info.session_id,
            reply=reply_text,
            mode=mode_of(ai[-1]) if ai else self.mode,
            pending=pending,
            tool_trace=tool_trace(new, snapshot.values.get("messages", [])),
            quick_replies=[str(q) for q in quick] if isinstance(quick, list) else [],
            language=language,
            with_person="waiting" if any((m.response_metadata or {}).get("handoff_ticket") for m in ai) else None,
            history_length=len(shown),
            ends_with_reply=bool(shown) and shown[-1]["role"] == "assistant",
        )


def _as_text(result: Any) -> str:
    return result if isinstance(result, str) else json.dumps(result, ensure_ascii=False, default=str)


def _gone(gone: SessionGone) -> ConversationError:
    if gone.reason == "expired":
        return SessionExpired("Your session has expired: please sign in again.")
    if gone.reason == "ended":
        return SessionEnded("You signed out of this session: please sign in again.")
    return SessionNotFound("Unknown session: sign in again to start a new one.")


def _pending_in(snapshot: Any) -> ConfirmationCard | None:
    for item in snapshot.interrupts:
        return ConfirmationCard.model_validate(item.value)
    return None


def _resume_command(pending: ConfirmationCard, *, approved: bool) -> Command:
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
        ToolTraceEntry(
            m.name or calls[m.tool_call_id]["name"], calls[m.tool_call_id]["args"], parsed_content(m.content)
        )
        for m in new
        if isinstance(m, ToolMessage) and m.tool_call_id in calls
    ]


def history_of(messages: list[BaseMessage]) -> list[dict[str, Any]]:
    """A checkpoint's messages as `GET .../messages` shows them (feedback's `message_index` counts these)."""
    return [entry for m in messages if (entry := _history_entry(m))]


def _history_entry(message: BaseMessage) -> dict[str, Any] | None:
    if isinstance(message, HumanMessage):
        return {"role": "user", "content": str(message.content)}
    if isinstance(message, AIMessage) and message.content and not message.tool_calls:
        if author := author_of(message):  # a staff member's reply (live takeover)
            return {"role": "assistant", "content": str(message.content), "mode": "staff", "author": author}
        return {"role": "assistant", "content": str(message.content), "mode": mode_of(message)}
    return None
