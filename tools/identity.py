"""Identifying the customer in the chat (sessions may start anonymous)."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.tools import tool
from langgraph.types import Command

from mock_backends.orders import audit
from mock_backends.orders.errors import OrderSystemError, VerificationFailed
from tools.base import AnyRuntime, failure, ok, session_id_of
from tools.deps import deps_of
from tools.sign_in import CLIENT_ADDRESS, Credentials, verify_credentials


class AlreadyVerified(OrderSystemError):
    code = "already_verified"
    hint = "Help this customer only; another person must start their own conversation."


@tool(parse_docstring=True)
def verify_customer(
    runtime: AnyRuntime,
    email: str | None = None,
    order_id: str | None = None,
    name: str | None = None,
    postcode: str | None = None,
) -> Command | dict[str, Any]:
    """Verify who the customer is before anything about their orders: either their email and
    one of their order numbers, or their full name and postcode. Ask the customer for them;
    never guess.

    Args:
        email: The customer's email address.
        order_id: One of the customer's order numbers, e.g. "#W1000001".
        name: The customer's full name.
        postcode: The postcode of the customer's address.
    """
    deps = deps_of(runtime)
    state = runtime.state or {}
    configurable = (runtime.config or {}).get("configurable", {})
    session_id = session_id_of(runtime.config)
    method = "email+order" if email and order_id else "name+postcode" if name and postcode else "incomplete"
    actor = state.get("customer_id")
    if method == "incomplete":
        error: OrderSystemError = VerificationFailed(
            "I need your email and an order number, or your full name and postcode."
        )
        audit.record_now(
            deps.engine,
            actor=actor,
            tool="verify_customer",
            outcome="refused",
            session_id=session_id,
            detail={"code": error.code, "method": method},
        )
        return failure(error, state.get("language"))
    try:  # throttled and audited like the sign-in form: the chat is no side door for guessing
        customer = verify_credentials(
            deps,
            Credentials(email, order_id, name, postcode),
            door="verify_customer",
            client=configurable.get(CLIENT_ADDRESS),
            session_id=session_id,
            actor=actor,
            language=state.get("language") or "en",
        )
    except OrderSystemError as refused:  # a wrong guess or a throttled one (audited there), or an outage
        return failure(refused, state.get("language"))
    if actor and actor != customer.id:
        error = AlreadyVerified("This conversation already belongs to another verified customer.")
        audit.record_now(
            deps.engine,
            actor=actor,
            tool="verify_customer",
            outcome="refused",
            session_id=session_id,
            detail={"code": error.code, "method": method},
        )
        return failure(error, state.get("language"))
    audit.record_now(
        deps.engine,
        actor=customer.id,
        tool="verify_customer",
        outcome="ok",
        session_id=session_id,
        detail={"method": method},
    )
    result = ok(customer_name=customer.display_name)
    message = ToolMessage(
        content=json.dumps(result, ensure_ascii=False), name="verify_customer", tool_call_id=runtime.tool_call_id or ""
    )
    # The verified id goes to graph state (read by every later tool), never back through the model.
    return Command(update={"customer_id": customer.id, "customer_name": customer.display_name, "messages": [message]})
