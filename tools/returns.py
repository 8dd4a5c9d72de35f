"""Creating a return (sensitive: runs only after the customer confirmed it in the graph)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from langchain_core.tools import tool
from pydantic import Field
from sqlmodel import Session

from core.messages import t
from core.money import plain_amount
from mock_backends.orders import repository
from mock_backends.orders.errors import NotEligible
from mock_backends.orders.localized import payment_method_description
from mock_backends.orders.returns import ReturnLine, check_lines, refund_destination, return_by_idempotency_key
from mock_backends.orders.returns import create_return as create_return_in_db
from tools.args import OrderId, Reason
from tools.base import AnyRuntime, CallContext, GuardRefusal, ok, parse_proposal, run_tool, tool_result
from tools.cards import CardAmount, CardLine, ConfirmationCard
from tools.deps import ToolDeps
from tools.eligibility import ItemRequest
from tools.return_label import ensure_return_label


@tool(parse_docstring=True)
def create_return(
    order_id: OrderId,
    items: Annotated[list[ItemRequest], Field(min_length=1, max_length=50)],
    runtime: AnyRuntime,
    refund_method: Literal["original_payment", "gift_card"] = "original_payment",
    reason: Reason = "",
    damaged: bool = False,
) -> dict[str, Any]:
    """Create a return (RMA) for items of a delivered order, with the refund amount and where it
    goes. Call it only for items check_return_eligibility found eligible in this conversation; the
    system then shows the customer a confirmation card and runs the call only if they accept.
    Eligibility is checked again when the return is created. Returns the RMA number, the refund
    amount and the refund method, and the return label to print or word that it will follow
    (label_message): tell the customer.

    Args:
        order_id: The order number, e.g. "#W1000001".
        items: The order_item_id and quantity of each item to return (each item once).
        refund_method: "original_payment" (back to the card or PayPal account that paid the order)
            or "gift_card" (only if the customer already has a gift card on file).
        reason: The customer's reason for returning, in their words.
        damaged: True when the customer says the item arrived damaged or defective.
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        created = create_return_in_db(
            ctx.deps.engine,
            customer_id=ctx.customer_id,
            order_id=order_id,
            lines=[ReturnLine(i.order_item_id, i.quantity) for i in items],
            refund_method=refund_method,
            reason=reason,
            damaged=damaged,
            # The same confirmed tool call never creates two returns, even if it is replayed after a crash.
            idempotency_key=idempotency_key(ctx.session_id, ctx.tool_call_id),
            session_id=ctx.session_id,
            now=ctx.deps.clock(),
            language=ctx.language,
        )
        return ok(
            rma=created.rma,
            order_id=created.order_id,
            status=created.status,
            refund_method=created.refund_method,
            refund_amount=plain_amount(created.refund_amount_cents, created.currency),
            currency=created.currency,
            items=created.items,
        ) | ensure_return_label(
            ctx.deps,
            rma=created.rma,
            language=ctx.language,  # label after the commit
            customer_id=ctx.customer_id,
        )

    return run_tool(runtime, "create_return", body, order_id=repository.normalize_order_id(order_id))


def idempotency_key(session_id: str | None, tool_call_id: str | None) -> str:
    """One confirmed call of one conversation: the return it creates is keyed by this."""
    return f"{session_id}:{tool_call_id}"


def create_return_committed(deps: ToolDeps, state: dict[str, Any], session_id: str, tool_call_id: str) -> bool:
    """Whether the confirmed call `tool_call_id` already created its return (the registry's `committed`)."""
    customer_id = state.get("customer_id")
    return bool(
        customer_id
        and return_by_idempotency_key(deps.engine, customer_id, idempotency_key(session_id, tool_call_id)) is not None
    )


def checked_quantities(messages: list[Any], order_id: str) -> dict[int, int]:
    """Quantities per order item that check_return_eligibility found eligible earlier in this conversation."""
    checked: dict[int, int] = {}
    for message in messages:
        if getattr(message, "type", None) != "tool" or getattr(message, "name", None) != "check_return_eligibility":
            continue
        data = tool_result(message.content)
        if data.get("ok") and data.get("order_id") == order_id:
            for item in data.get("items", []):
                if item.get("eligible"):
                    checked[item["order_item_id"]] = max(checked.get(item["order_item_id"], 0), item["quantity"])
    return checked


# The card's words; the refund destination's own label ("Visa ending 4242") is the customer's data.


def preview_create_return(args: dict[str, Any], state: dict[str, Any], deps: ToolDeps) -> ConfirmationCard:
    """The confirmation card for a proposed return, or a GuardRefusal when code says no.

    Code, not the prompt, decides: the items must have been found eligible in this conversation,
    and must still be eligible now.
    """
    language = state.get("language") or "en"
    customer_id, parsed = parse_proposal(create_return, args, state, "return")
    order_id = repository.normalize_order_id(parsed.order_id)
    checked = checked_quantities(state.get("messages", []), order_id)
    unchecked = [i for i in parsed.items if checked.get(i.order_item_id, 0) < i.quantity]
    if unchecked or not parsed.items:
        raise GuardRefusal("Eligibility of these items was not checked in this conversation.")
    with Session(deps.engine) as session:
        detail = repository.get_order_detail(session, customer_id, order_id, language=language)
        refund_to = refund_destination(session, customer_id, order_id, parsed.refund_method)
    decisions = check_lines(
        detail,
        [ReturnLine(i.order_item_id, i.quantity) for i in parsed.items],
        now=deps.clock(),
        damaged=parsed.damaged,
        language=language,
    )
    refused = [d for d in decisions if not d["eligible"]]
    if refused:
        raise NotEligible("; ".join(f"{d['product']}: {d['explanation']}" for d in refused))
    currency = detail.order.currency
    total = sum(d["refund_cents"] for d in decisions)
    described = payment_method_description(refund_to, language)
    method = t(f"refund_method.{parsed.refund_method}", language) + (
        t("card.refund_to", language, description=described) if described else ""
    )
    lines = [CardLine(label=t("card.refund_to_label", language), value=method)]
    if parsed.damaged:
        lines.append(CardLine(label=t("card.condition", language), value=t("card.damaged", language)))
    names = [t("card.item", language, product=d["product"], quantity=d["quantity"]) for d in decisions]
    return ConfirmationCard(
        tool="create_return",
        language=language,
        lines=lines,
        title=t("card.return_title", language, order=order_id, items=t("list_separator", language).join(names)),
        amounts=[
            *(
                CardAmount(label=name, cents=d["refund_cents"], currency=currency)
                for name, d in zip(names, decisions, strict=True)
            ),
            CardAmount(label=t("card.refund_label", language), cents=total, currency=currency),
        ],
        on_confirm=t("card.return_on_confirm", language, method=method),
        facts={
            "order_id": order_id,
            "refund_method": parsed.refund_method,
            "refund_amount": plain_amount(total, currency),
            "currency": currency,
            "damaged": parsed.damaged,
            "items": [
                {"order_item_id": d["order_item_id"], "product": d["product"], "quantity": d["quantity"]}
                for d in decisions
            ],
        },
    )
