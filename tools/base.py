"""The one place where a tool call is checked, audited and turned into a structured result.

Our own helper rather than a library: LangChain's `handle_tool_error` turns exceptions into text,
but we also need the verified customer from graph state and an audit row for every refusal.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from langchain_core.tools import BaseTool
from langgraph.prebuilt import ToolRuntime
from pydantic import ValidationError

from mock_backends.orders import audit
from mock_backends.orders.errors import CustomerNotVerified, OrderSystemError
from tools.cards import ConfirmationCard
from tools.deps import ToolDeps, deps_of
from tools.refusals import refusal_text

log = logging.getLogger(__name__)

SIGN_IN_FIRST = "Please sign in first: I need your email and an order number."

# What tools declare as their `runtime` parameter; LangGraph injects it and hides it from the model.
# Parametrised with Any: the bare generic makes pydantic warn when it serialises the context.
AnyRuntime = ToolRuntime[Any, Any]


@dataclass(frozen=True)
class CallContext:
    """Who is asking, in which conversation, with which dependencies."""

    customer_id: str
    session_id: str | None
    language: str
    tool_call_id: str | None
    deps: ToolDeps


def session_id_of(config: Any) -> str | None:
    """The conversation's id in a run's config (the LangGraph thread id is the session id)."""
    return ((config or {}).get("configurable") or {}).get("thread_id")


def call_context(runtime: ToolRuntime) -> CallContext:
    state = runtime.state or {}
    customer_id = state.get("customer_id")
    if not customer_id:
        raise CustomerNotVerified(SIGN_IN_FIRST)
    return CallContext(
        customer_id=customer_id,
        session_id=session_id_of(runtime.config),
        language=state.get("language") or "en",
        tool_call_id=runtime.tool_call_id,
        deps=deps_of(runtime),
    )


def ok(**data: Any) -> dict[str, Any]:
    return {"ok": True, **data}


def tool_result(content: Any) -> dict[str, Any]:
    """A ToolMessage's content as the structured result tools return; {} when it is not one."""
    try:
        data = json.loads(content) if isinstance(content, str) else content
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def internal_error() -> dict[str, Any]:
    """What the agent sees when a tool hits a bug of ours: nothing changed, offer a person."""
    return {
        "ok": False,
        "code": "internal_error",
        "error": "Something went wrong on our side; nothing was changed.",
        "hint": "Apologise and offer to transfer the customer to a person.",
    }


def failure(
    error: OrderSystemError, language: str | None = None, *, order_id: str | None = None, reference: str | None = None
) -> dict[str, Any]:
    """The structured refusal; `error` in the customer's language (tools/refusals.py)."""
    text = refusal_text(error, language, order_id=order_id, reference=reference)
    return {"ok": False, "code": error.code, "error": text, "hint": error.hint}


def invalid_arguments(error: ValidationError) -> str:
    """The tool result for arguments that do not fit the tool's schema (set on every registered tool)."""
    problems = [
        f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}"
        for e in error.errors()
        if not e["loc"] or e["loc"][0] != "runtime"
    ]  # the injected runtime is not the model's doing
    return json.dumps(
        {
            "ok": False,
            "code": "invalid_arguments",
            "error": "The tool was called with invalid arguments: " + "; ".join(problems),
            "hint": "Fix the arguments as described and call the tool again; nothing was changed.",
        },
        ensure_ascii=False,
    )


def run_tool(
    runtime: ToolRuntime,
    tool: str,
    body: Callable[[CallContext], dict[str, Any]],
    *,
    order_id: str | None = None,
    audit_detail: dict[str, Any] | None = None,
    audit_success: bool = False,
) -> dict[str, Any]:
    """Run `body` for the verified customer; domain errors become `{"ok": false, ...}` and are audited.

    `order_id` and `audit_detail` (e.g. `{"rma": ...}`) say what the call touched, for the audit trail.
    """
    session_id = session_id_of(runtime.config)
    actor = (runtime.state or {}).get("customer_id")
    deps = deps_of(runtime)
    try:
        ctx = call_context(runtime)
        result = body(ctx)
    except OrderSystemError as error:
        audit.record_now(
            deps.engine,
            actor=actor,
            tool=tool,
            outcome="refused",
            session_id=session_id,
            order_id=order_id,
            detail={**(audit_detail or {}), "code": error.code, "error": str(error)},
        )
        reference = (audit_detail or {}).get("rma") or (audit_detail or {}).get("exchange")
        return failure(error, (runtime.state or {}).get("language"), order_id=order_id, reference=reference)
    except Exception:  # an unexpected bug must not end the conversation; it is logged and audited
        log.exception("tool %s failed", tool)
        audit.record_now(
            deps.engine,
            actor=actor,
            tool=tool,
            outcome="error",
            session_id=session_id,
            order_id=order_id,
            detail=audit_detail,
        )
        return internal_error()
    if audit_success:
        audit.record_now(
            deps.engine,
            actor=actor,
            tool=tool,
            outcome="ok",
            session_id=session_id,
            order_id=order_id,
            detail=audit_detail,
        )
    return result


# A sensitive tool's preview: the confirmation card for proposed arguments, or an OrderSystemError (refused).
Preview = Callable[[dict[str, Any], dict[str, Any], ToolDeps], ConfirmationCard]


def audited_preview(tool: str, preview: Preview) -> Preview:
    """`preview`, with every refusal (not found, not eligible, guard) written to the audit trail."""

    @wraps(preview)
    def audited(args: dict[str, Any], state: dict[str, Any], deps: ToolDeps) -> ConfirmationCard:
        try:
            return preview(args, state, deps)
        except OrderSystemError as error:
            order_id = args.get("order_id")
            audit.record_now(
                deps.engine,
                actor=state.get("customer_id"),
                tool=tool,
                outcome="refused",
                order_id=str(order_id)[:32] if order_id else None,
                detail={
                    "stage": "confirmation",
                    "code": error.code,
                    "error": str(error),
                    **{k: str(args[k])[:64] for k in ("rma", "tracking_number") if k in args},
                },
            )
            raise

    return audited


def run_public_tool(tool: str, body: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run a tool that anyone may use before signing in, because it reads no customer data
    (e.g. search_help_centre). No verified customer is required and nothing is audited; failures
    come back structured exactly as from `run_tool`, never as an exception."""
    try:
        return body()
    except OrderSystemError as error:
        return failure(error)
    except Exception:  # an unexpected bug must not end the conversation; it is logged
        log.exception("tool %s failed", tool)
        return internal_error()


class GuardRefusal(OrderSystemError):
    """A sensitive call that code refuses before the customer is even asked."""

    code = "refused_by_guard"
    hint = "Check eligibility for exactly these items first, then propose the return again."


def parse_proposal(tool: BaseTool, args: dict[str, Any], state: dict[str, Any], what: str) -> tuple[str, Any]:
    """For a sensitive tool's preview: the verified customer and the proposed arguments, parsed by the
    tool's own schema. Raises CustomerNotVerified, or GuardRefusal ("The proposed <what> is malformed")."""
    customer_id = state.get("customer_id")
    if not customer_id:
        raise CustomerNotVerified(SIGN_IN_FIRST)
    try:
        return customer_id, tool.tool_call_schema.model_validate(args)  # type: ignore[union-attr]
    except ValidationError as error:
        raise GuardRefusal(f"The proposed {what} is malformed: {error.errors()[0]['msg']}") from error
