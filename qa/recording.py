"""Turning what happened into a conversation file: exact expectations, ready to replay."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from qa.masking import mask, mask_value
from qa.runner import EndObservation, TurnObservation
from qa.scrubbing import scrub, scrub_data
from qa.spec import (
    ConversationSpec,
    CustomerSpec,
    EndState,
    ItemExpect,
    PendingExpect,
    RecordingMeta,
    ReturnExpect,
    Turn,
    TurnExpect,
)

CONVERSATION = "conversation.yaml"  # the files of a recording directory
CASSETTE = "cassette.yaml"
TRANSCRIPT = "transcript.jsonl"  # JSON, not YAML: the conversation collectors take every *.yaml as a test
DB_CHANGES = "db_changes.json"


def expectation_from(seen: TurnObservation) -> TurnExpect:
    if seen.error is not None:
        return TurnExpect(error=seen.error)
    card = seen.pending
    pending: bool | PendingExpect = False
    if card is not None:  # what QA checks on a card: its tool and the facts PendingExpect names
        facts = card.facts
        items = facts.get("items")
        pending = PendingExpect(
            tool=card.tool,
            order_id=facts.get("order_id"),
            refund_method=facts.get("refund_method"),
            refund_amount=facts.get("refund_amount"),
            items=[ItemExpect(product=i["product"], quantity=i["quantity"]) for i in items]
            if isinstance(items, list)
            else None,
        )
    return TurnExpect(
        tools=[name for name, _ in seen.tools],
        tool_args={name: mask_value(args) for name, args in seen.tools},
        reply=mask(seen.reply),
        pending=pending,
        mode=seen.mode,
    )


def end_state_from(end: EndObservation) -> EndState:
    return EndState(
        returns=[
            ReturnExpect(
                order_id=r["order_id"],
                refund_method=r["refund_method"],
                refund_amount=r["refund_amount"],
                status=r["status"],
                items=[ItemExpect(**i) for i in r["items"]],
            )
            for r in end.returns
        ],
        tickets=end.tickets,
    )


def recorded_turn(turn: Turn, seen: TurnObservation) -> Turn:
    """The turn as a recording keeps it: what was observed as its exact expectation, PII scrubbed."""
    expect = expectation_from(seen).model_dump(mode="json", exclude_none=True)
    return Turn(
        user=scrub(turn.user) if turn.user is not None else None,
        action=turn.action,
        expect=TurnExpect.model_validate(scrub_data(expect)),
    )


def recorded_customer(customer: CustomerSpec) -> CustomerSpec:
    return CustomerSpec.model_validate(scrub_data(customer.model_dump(exclude_none=True, exclude_defaults=True)))


def recorded_spec(
    *,
    name: str,
    language: str,
    customer: CustomerSpec,
    turns: list[Turn],
    observations: list[TurnObservation],
    end: EndObservation,
    recorded_at: datetime,
    llm_base_url: str | None,
    llm_model: str | None,
    description: str = "",
) -> ConversationSpec:
    """The same user turns, with what was observed as the expectation of each."""
    return ConversationSpec(
        name=name,
        description=description,
        language=language,
        customer=recorded_customer(customer),
        turns=[recorded_turn(t, seen) for t, seen in zip(turns, observations, strict=True)],
        end_state=end_state_from(end),
        recording=RecordingMeta(recorded_at=recorded_at, llm_base_url=llm_base_url, llm_model=llm_model),
    )


def transcript_entry(turn: Turn, seen: TurnObservation) -> dict[str, Any]:
    """One line of transcript.jsonl: the turn in full (tool results, timestamp), PII scrubbed."""
    entry = {
        "at": seen.at.isoformat(timespec="seconds"),
        **({"user": turn.user} if turn.user is not None else {"action": turn.action}),
        "reply": seen.reply,
        "mode": seen.mode,
        "tools": [
            {"tool": name, "args": args, "result": result}
            for (name, args), result in zip(seen.tools, seen.tool_results, strict=False)
        ],
        "pending": seen.pending.model_dump(mode="json") if seen.pending else None,
        "error": seen.error,
    }
    return scrub_data(entry)


def append_transcript(directory: Path, turn: Turn, seen: TurnObservation) -> None:
    with (directory / TRANSCRIPT).open("a", encoding="utf-8") as out:
        out.write(json.dumps(transcript_entry(turn, seen), ensure_ascii=False, default=str) + "\n")


def write_db_changes(directory: Path, end: EndObservation) -> None:
    """db_changes.json: the returns (items, refund, RMA) and hand-off tickets the session created."""
    text = json.dumps(scrub_data(end.db_changes), ensure_ascii=False, indent=2, default=str)
    (directory / DB_CHANGES).write_text(text + "\n", encoding="utf-8")
