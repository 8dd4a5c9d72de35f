"""The append-only audit trail: every tool that touches customer data records what happened."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.redaction import redact, redact_data
from mock_backends.orders.models import AuditEvent


def record(
    session: Session,
    *,
    actor: str | None,
    tool: str,
    outcome: str,
    session_id: str | None = None,
    order_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to `session` (committed with the caller's transaction). PII is redacted."""
    session.add(
        AuditEvent(
            actor=actor or "anonymous",
            session_id=session_id,
            tool=tool,
            # Both come from the conversation (a model's arguments, an error quoting them).
            order_id=redact(order_id)[:32] if order_id else None,
            outcome=outcome,
            detail=json.dumps(redact_data(detail or {}), ensure_ascii=False, sort_keys=True, default=str),
        )
    )


def record_now(engine: Engine, **kwargs: Any) -> None:
    """Audit in a transaction of its own: for refusals, whose caller's transaction is rolled back."""
    with Session(engine) as session:
        record(session, **kwargs)
        session.commit()
