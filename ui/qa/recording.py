"""Turning what happened into a conversation file: exact expectations, ready to replay."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ui.qa.masking import mask, mask_value
from ui.qa.runner import EndObservation, TurnObservation
from ui.qa.spec import (
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


def expectation_from(seen: TurnObservation) -> TurnExpect:
    if seen.error is not None:
        return TurnExpect(error=seen.error)
    card = seen.pending
    pending: bool | PendingExpect = False
    if card is not None:
        pending = PendingExpect(tool=card.tool, order_id=card.order_id, refund_method=card.refund_method,
                                refund_amount=card.refund_amount,
                                items=[ItemExpect(product=i.product, quantity=i.quantity) for i in card.items])
    return TurnExpect(
        tools=[name for name, _ in seen.tools],
        tool_args={name: mask_value(args) for name, args in seen.tools},  # type: ignore[misc]
        reply=mask(seen.reply),
        pending=pending,
        mode=seen.mode,  # type: ignore[arg-type]
    )


def end_state_from(end: EndObservation) -> EndState:
    return EndState(
        returns=[ReturnExpect(order_id=r["order_id"], refund_method=r["refund_method"],
                              refund_amount=r["refund_amount"], status=r["status"],
                              items=[ItemExpect(**i) for i in r["items"]]) for r in end.returns],
        tickets=end.tickets,
    )


def recorded_spec(*, name: str, language: str, customer: CustomerSpec, turns: list[Turn],
                  observations: list[TurnObservation], end: EndObservation, recorded_at: datetime,
                  llm_base_url: str | None, llm_model: str | None,
                  description: str = "") -> ConversationSpec:
    """The same user turns, with what was observed as the expectation of each."""
    return ConversationSpec(
        name=name,
        description=description,
        language=language,  # type: ignore[arg-type]
        customer=customer,
        turns=[Turn(user=t.user, action=t.action, expect=expectation_from(seen))
               for t, seen in zip(turns, observations, strict=True)],
        end_state=end_state_from(end),
        recording=RecordingMeta(recorded_at=recorded_at, llm_base_url=llm_base_url, llm_model=llm_model),
    )


def recording_dir(root: Path, name: str) -> Path:
    """One recorded conversation = one self-describing directory (conversation.yaml + cassette.yaml)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name).strip("-") or "conversation"
    return root / safe
