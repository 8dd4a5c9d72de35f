"""A new write tool is a tool module, a registry line and a guided handler: the seam, end to end.

A toy write tool, `add_order_note(order_id, note)`, is built here the way a real one would be and
driven through guided mode, the guard, the confirmation card and the ConversationService, with no
other file of ReturnDesk changed. A real tool of this kind touches 4 files:

1. `tools/order_notes.py`: the tool (`run_tool`: the verified customer from graph state, refusals
   audited; idempotent per confirmed call) and its preview, which returns a `tools.cards.ConfirmationCard`
   in the customer's language, or raises an `OrderSystemError` when code refuses before asking.
2. `tools/registry.py`: one `ToolSpec(add_order_note, sensitive=True, preview=..., label={...})` line.
3. `agent/guided_handlers.py`: one `"add_order_note": GuidedHandler(after=..., start=...)` entry (guided
   mode's words for it go in `agent/guided_text.py`'s table while guided texts live there).
4. `mock_backends/knowledge/{en,zh}/*.md`: the help-centre text customers read about it.

(A tool that needs a new table also adds it in `mock_backends/orders/`.) Nothing under `ui/` changes:
every door renders the generic card, the trace label comes from the registry.
Here the toy keeps its notes in `NoteBoard`, its own storage (the order database has no notes table).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any

import pytest
from langchain_core.messages import AIMessage
from langchain_core.tools import BaseTool, tool
from pydantic import Field
from rich.console import Console
from sqlmodel import Session, select

from agent.guided_handlers import GuidedHandler, with_handlers
from agent.guided_steps import GuidedSteps
from core.settings import Settings
from mock_backends.orders import repository
from mock_backends.orders.models import AuditEvent
from service.conversation import ConversationService, NothingPending
from tools.args import OrderId
from tools.base import AnyRuntime, CallContext, ok, parse_proposal, run_tool
from tools.cards import CardLine, ConfirmationCard
from tools.deps import ToolDeps
from tools.registry import REGISTRY, ToolSpec
from ui.api import turn_response
from ui.api_openai import card_text
from ui.cli_chat import card as terminal_card
from ui.gradio_cards import confirmation_card

ALICE = {"email": "alice@example.com", "order_id": "#W1000001"}
ASK = "Please add a note to order #W1000001: leave it at the back door"


@dataclass
class NoteBoard:
    """The toy tool's storage: notes by idempotency key (session + confirmed call id)."""

    notes: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (order id, note)


def note_tool(board: NoteBoard) -> BaseTool:
    """File 1: the tool, written like tools/returns.py (here bound to the test's board)."""

    @tool(parse_docstring=True)
    def add_order_note(
        order_id: OrderId, note: Annotated[str, Field(min_length=1, max_length=200)], runtime: AnyRuntime
    ) -> dict[str, Any]:
        """Add a delivery note to one of the signed-in customer's orders. The system shows the customer a
        confirmation card and runs the call only if they accept.

        Args:
            order_id: The order number, e.g. "#W1000001".
            note: The note, in the customer's words.
        """

        def body(ctx: CallContext) -> dict[str, Any]:
            with Session(ctx.deps.engine) as session:  # re-checked when it runs: the card may be old
                order = repository.get_order_detail(session, ctx.customer_id, order_id).order.id
            board.notes.setdefault(f"{ctx.session_id}:{ctx.tool_call_id}", (order, note))  # idempotent
            return ok(order_id=order, note=note)

        return run_tool(runtime, "add_order_note", body, order_id=order_id[:32], audit_success=True)

    return add_order_note


def note_card(add_order_note: BaseTool):
    """File 1 too: the preview, the generic card in the customer's language (or a refusal)."""

    def preview(args: dict[str, Any], state: dict[str, Any], deps: ToolDeps) -> ConfirmationCard:
        customer_id, parsed = parse_proposal(add_order_note, args, state, "note")
        with Session(deps.engine) as session:  # another customer's order: "not found", before asking
            order = repository.get_order_detail(session, customer_id, parsed.order_id).order.id
        zh = state.get("language") == "zh"
        return ConfirmationCard(
            tool="add_order_note",
            language="zh" if zh else "en",
            title=f"为订单 {order} 添加备注" if zh else f"Add a note to order {order}",
            lines=[CardLine(label="备注" if zh else "Note", value=parsed.note)],
            on_confirm="确认后,配送员会看到这条备注。" if zh else "The courier sees this note with the order.",
            facts={"order_id": order, "note": parsed.note},
        )

    return preview


def start_note(steps: GuidedSteps) -> AIMessage | None:
    """File 3: guided mode proposes the call when the customer asks for a note on an order..."""
    if "note" not in steps.c.text.lower() or steps.c.order_id is None:
        return None
    return steps.call("add_order_note", order_id=steps.c.order_id, note=steps.c.text.split(":", 1)[-1].strip())


def after_note(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    """...and says what happened once it ran."""
    return AIMessage(
        content=f'Noted on order {data["order_id"]}: "{data["note"]}".',
        response_metadata={"guided": {"intent": "menu", "awaiting": None}},
    )


@pytest.fixture
def board() -> NoteBoard:
    return NoteBoard()


@pytest.fixture
def notes_service(settings: Settings, engine, board: NoteBoard) -> ConversationService:
    add_order_note = note_tool(board)
    registry = REGISTRY.with_tools(  # file 2: the registry line
        ToolSpec(
            add_order_note,
            sensitive=True,
            preview=note_card(add_order_note),
            label={"en": "adding your note", "zh": "添加备注"},
        )
    )
    return ConversationService(
        settings, registry=registry, guided_handlers=with_handlers(add_order_note=GuidedHandler(after_note, start_note))
    )


def audited(engine, outcome: str) -> list[AuditEvent]:
    with Session(engine) as db:
        return list(
            db.exec(select(AuditEvent).where(AuditEvent.tool == "add_order_note", AuditEvent.outcome == outcome)).all()
        )


def test_the_toy_write_tool_shows_its_card_everywhere_runs_once_on_yes_and_never_twice(
    notes_service: ConversationService, board: NoteBoard, engine
) -> None:
    session = notes_service.sign_in(**ALICE).session_id

    shown = notes_service.send(session, ASK)

    card = shown.pending
    assert card is not None and card.tool == "add_order_note" and shown.mode == "guided"
    assert board.notes == {}, "nothing is written before the customer confirms"
    # Every door renders the generic card, though no interface knows this tool.
    web = confirmation_card(card, "en")
    assert "**Add a note to order #W1000001**" in web and "- **Note:** leave it at the back door" in web
    assert "The courier sees this note with the order." in web
    console = Console(record=True, width=100)
    console.print(terminal_card(card))
    terminal = console.export_text()
    assert "Add a note to order #W1000001" in terminal and "leave it at the back door" in terminal
    assert "- Note: leave it at the back door" in card_text(card) and "Reply **yes**" in card_text(card)
    api = turn_response(shown).model_dump(mode="json")["pending"]
    assert api["lines"] == [{"label": "Note", "value": "leave it at the back door"}] and api["amounts"] == []
    assert notes_service.registry.label("add_order_note", "zh") == "添加备注"  # the trace's words

    done = notes_service.resolve(session, approved=True, action_id=card.action_id)

    assert list(board.notes.values()) == [("#W1000001", "leave it at the back door")]
    assert done.reply == 'Noted on order #W1000001: "leave it at the back door".'
    assert [t.tool for t in done.tool_trace] == ["add_order_note"] and len(audited(engine, "ok")) == 1
    with pytest.raises(NothingPending):
        notes_service.resolve(session, approved=True, action_id=card.action_id)
    assert len(board.notes) == 1 and len(audited(engine, "ok")) == 1, "a second yes runs nothing"


def test_cancelling_the_toy_card_changes_nothing(notes_service: ConversationService, board: NoteBoard, engine) -> None:
    session = notes_service.sign_in(**ALICE).session_id
    notes_service.send(session, ASK)

    declined = notes_service.resolve(session, approved=False)

    assert "nothing was changed" in declined.reply and declined.pending is None
    assert board.notes == {} and audited(engine, "ok") == []


def test_the_toy_card_refuses_another_customers_order_before_asking(
    notes_service: ConversationService, board: NoteBoard, engine
) -> None:
    session = notes_service.sign_in(**ALICE).session_id

    refused = notes_service.send(session, "Please add a note to order #W1000011: ring twice")

    assert refused.pending is None and board.notes == {}
    assert [json.loads(a.detail)["stage"] for a in audited(engine, "refused")] == ["confirmation"]
