"""Calling a registered tool the way the graph's ToolNode does: arguments from the model, the
verified customer and dependencies injected through `ToolRuntime`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage
from langgraph.prebuilt import ToolRuntime
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mock_backends.orders.models import AuditEvent
from tools.deps import ToolDeps
from tools.registry import spec_for


def invoke_tool(
    name: str,
    args: dict[str, Any],
    *,
    deps: ToolDeps,
    customer_id: str | None,
    session_id: str = "session-test",
    call_id: str = "call-1",
    language: str = "en",
    messages: Sequence[BaseMessage] = (),
) -> dict[str, Any]:
    """The tool's structured result, exactly as the model would read it."""
    spec = spec_for(name)
    assert spec is not None, f"{name} is not in tools/registry.py"
    runtime = ToolRuntime(
        state={"messages": list(messages), "customer_id": customer_id, "language": language},
        context=deps,
        config={"configurable": {"thread_id": session_id}},
        stream_writer=lambda _chunk: None,
        tool_call_id=call_id,
        store=None,
    )
    message = spec.tool.invoke({"type": "tool_call", "id": call_id, "name": name, "args": {**args, "runtime": runtime}})
    return json.loads(message.content)


def audit_rows(engine: Engine, tool: str, actor: str | None = None) -> list[AuditEvent]:
    """The audit trail of `tool`, oldest first (only `actor`'s rows when given)."""
    stmt = select(AuditEvent).where(AuditEvent.tool == tool)
    if actor is not None:
        stmt = stmt.where(AuditEvent.actor == actor)
    with Session(engine) as db:
        return list(db.exec(stmt.order_by(col(AuditEvent.id))).all())
