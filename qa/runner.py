"""Run a conversation file: its turns through the ConversationService, observing what happened."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.money import plain_amount
from mock_backends.orders.models import HandoffTicket, ReturnRequest, utcnow
from mock_backends.orders.return_lifecycle import returned_lines
from qa.spec import ConversationSpec, Turn
from qa.world import fresh_world
from service.conversation import ConversationError, ConversationService, TurnResult
from tools.cards import ConfirmationCard


@dataclass
class TurnObservation:
    tools: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    reply: str = ""
    pending: ConfirmationCard | None = None
    mode: str | None = None
    error: str | None = None  # the turn was refused (ConversationError) with this message
    tool_results: list[Any] = field(default_factory=list)  # one per entry of `tools` (for the transcript)
    at: datetime = field(default_factory=utcnow)  # when the turn ended


@dataclass
class EndObservation:
    returns: list[dict[str, Any]]
    tickets: int
    ticket_details: list[dict[str, Any]] = field(default_factory=list)  # reason, status, summary

    @property
    def db_changes(self) -> dict[str, Any]:
        """What the conversation wrote, as a recording's db_changes.yaml shows it."""
        return {"returns": self.returns, "tickets": self.ticket_details}


@dataclass
class RunResult:
    turns: list[TurnObservation]
    end: EndObservation | None  # None when the run stopped early
    aborted: str | None = None  # why the run stopped before the last turn (e.g. an unrecorded request)


def observe(result: TurnResult) -> TurnObservation:
    return TurnObservation(
        tools=[(t.tool, dict(t.args)) for t in result.tool_trace],
        tool_results=[t.result for t in result.tool_trace],
        reply=result.reply,
        pending=result.pending,
        mode=result.mode,
    )


def play_turn(service: ConversationService, session_id: str, turn: Turn) -> TurnObservation:
    try:
        if turn.user is not None:
            return observe(service.send(session_id, turn.user))
        return observe(service.resolve(session_id, approved=turn.action == "confirm"))
    except ConversationError as error:
        return TurnObservation(error=str(error))


def open_session(spec: ConversationSpec, service: ConversationService) -> str:
    c = spec.customer
    if c.anonymous:
        return service.start_anonymous(language=spec.language).session_id
    return service.sign_in(email=c.email, order_id=c.order_id, name=c.name, postcode=c.postcode).session_id


def end_state(engine: Engine, session_id: str) -> EndObservation:
    """The returns and hand-off tickets this session created, as they are now."""
    with Session(engine) as db:
        returns = db.exec(
            select(ReturnRequest).where(ReturnRequest.session_id == session_id).order_by(col(ReturnRequest.id))
        ).all()
        observed = []
        for ret in returns:
            rows = [(item.quantity, product.name) for item, _line, product in returned_lines(db, ret.id)]
            observed.append(
                {
                    "rma": ret.rma,
                    "order_id": ret.order_id,
                    "status": ret.status,
                    "refund_method": ret.refund_method,
                    "refund_amount": plain_amount(ret.refund_amount_cents),
                    "items": [{"product": name, "quantity": qty} for qty, name in rows],
                }
            )
        tickets = db.exec(
            select(HandoffTicket).where(HandoffTicket.session_id == session_id).order_by(col(HandoffTicket.id))
        ).all()
        details = [{"reason": t.reason, "status": t.status, "summary": t.summary} for t in tickets]
    return EndObservation(observed, len(details), details)


def created_rmas(engine: Engine) -> list[str]:
    with Session(engine) as db:
        return list(db.exec(select(ReturnRequest.rma).order_by(col(ReturnRequest.id))).all())


def run_spec(
    spec: ConversationSpec,
    *,
    base_dir: Path,
    record_mode: str = "none",
    now: datetime | None = None,
    llm_base_url: str | None = None,
    llm_model: str | None = None,
) -> RunResult:
    """Play `spec` on a fresh seeded world; HTTP goes through the conversation's cassette (vcrpy).
    `llm_base_url` / `llm_model` override the recording's (re-recording against another endpoint)."""
    recording = spec.recording
    now = now or (recording.recorded_at if recording else utcnow())
    cassette = base_dir / (recording.cassette if recording else f"{spec.name}.cassette.yaml")
    with (
        tempfile.TemporaryDirectory(prefix="returndesk-replay-") as tmp,
        fresh_world(
            Path(tmp),
            now=now,
            llm_base_url=llm_base_url or (recording.llm_base_url if recording else None),
            llm_model=llm_model or (recording.llm_model if recording else None),
            with_carrier=record_mode != "none",
        ) as world,
    ):
        from qa.cassettes import cassette_context  # vcrpy: imported by a replay, not by every server start

        session_id = open_session(spec, world.service)
        observations: list[TurnObservation] = []
        with cassette_context(cassette, record_mode=record_mode) as http:
            if record_mode == "none":
                http.answer_with_rmas(lambda: created_rmas(world.engine))
            for turn in spec.turns:
                observations.append(play_turn(world.service, session_id, turn))
                # The model call falls back to guided mode on a miss, so ask the cassette directly.
                if (miss := http.unmatched()) is not None:
                    return RunResult(observations, None, aborted=miss)
        return RunResult(observations, end_state(world.engine, session_id))
