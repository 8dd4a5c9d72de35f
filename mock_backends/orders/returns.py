"""Creating a return: eligibility re-checked, refund computed and rows written in one transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.redaction import redact
from mock_backends.orders import audit
from mock_backends.orders.errors import InvalidReturnRequest, NotEligible, ReturnNotFound
from mock_backends.orders.models import (
    Order,
    OrderItem,
    Payment,
    PaymentMethod,
    ReturnItem,
    ReturnRequest,
    utcnow,
)
from mock_backends.orders.order_status import settle_after_sales_status
from mock_backends.orders.policy import evaluate_item, explain, load_policy
from mock_backends.orders.repository import OrderDetail, get_order_detail, normalize_order_id


@dataclass(frozen=True)
class ReturnLine:
    order_item_id: int
    quantity: int


@dataclass(frozen=True)
class CreatedReturn:
    rma: str
    order_id: str
    status: str
    refund_method: str
    refund_amount_cents: int
    currency: str
    items: list[dict]
    created: bool  # False when an earlier call with the same idempotency key is being returned


def new_rma() -> str:
    return "RMA-" + secrets.token_hex(4).upper()


def check_lines(
    detail: OrderDetail, lines: list[ReturnLine], *, now: datetime, damaged: bool, language: str | None = None
) -> list[dict]:
    """Per-line policy decisions for the requested lines, explained in `language` (with the product's
    name in it, and its English name too when that differs); raises on lines that are not on the order."""
    by_id = {line.order_item_id: line for line in detail.lines}
    seen: set[int] = set()
    decisions = []
    policy = load_policy()
    for req in lines:
        if req.order_item_id not in by_id:
            raise InvalidReturnRequest(f"Item {req.order_item_id} is not on order {detail.order.id}.")
        if req.order_item_id in seen:
            raise InvalidReturnRequest(f"Item {req.order_item_id} is listed twice.")
        seen.add(req.order_item_id)
        line = by_id[req.order_item_id]
        facts = detail.facts(line)
        decision = evaluate_item(policy, facts, requested_quantity=req.quantity, now=now, damaged=damaged)
        decisions.append(
            {
                "order_item_id": line.order_item_id,
                "product": line.display_name,
                **({"product_en": line.product_name} if line.display_name != line.product_name else {}),
                "quantity": req.quantity,
                "eligible": decision.eligible,
                "reason": decision.reason.value,
                "explanation": explain(decision, facts, language),
                "refund_cents": line.unit_price_cents * req.quantity if decision.eligible else 0,
            }
        )
    return decisions


def create_return(
    engine: Engine,
    *,
    customer_id: str,
    order_id: str,
    lines: list[ReturnLine],
    refund_method: str,
    reason: str,
    idempotency_key: str,
    session_id: str | None = None,
    damaged: bool = False,
    now: datetime | None = None,
    language: str | None = None,
) -> CreatedReturn:
    """Create the return, or return the one an earlier call with this idempotency key created.
    `language`: the customer's, for the words of a refusal.

    Safe under concurrency: the order row is locked (PostgreSQL) and quantities are reserved with
    a guarded UPDATE (both databases), so racing calls create at most one return per unit bought.
    """
    now = now or utcnow()
    if not lines:
        raise InvalidReturnRequest("Choose at least one item to return.")
    check_refund_method(refund_method)
    existing = _by_idempotency_key(engine, customer_id, idempotency_key)
    if existing is not None:
        return existing
    try:
        with Session(engine, expire_on_commit=False) as session:
            detail = get_order_detail(session, customer_id, order_id, for_update=True, language=language)
            # A replay of this call may have committed while we waited for the order lock.
            earlier = _by_idempotency_key_in(session, customer_id, idempotency_key)
            if earlier is not None:
                return earlier
            decisions = check_lines(detail, lines, now=now, damaged=damaged, language=language)
            refused = [d for d in decisions if not d["eligible"]]
            if refused:
                raise NotEligible("; ".join(f"{d['product']}: {d['explanation']}" for d in refused), decisions)
            refund_to = refund_destination(session, customer_id, detail.order.id, refund_method)
            ret = ReturnRequest(
                # The reason is the customer's own words: a phone or card number typed in the chat stays out.
                rma=new_rma(),
                order_id=detail.order.id,
                customer_id=customer_id,
                reason=redact(reason)[:500],
                refund_method=refund_method,
                refund_payment_method_id=refund_to.id if refund_to else None,
                refund_amount_cents=sum(d["refund_cents"] for d in decisions),
                idempotency_key=idempotency_key,
                session_id=session_id,
                created_at=now,
            )
            session.add(ret)
            session.flush()
            for req in lines:
                assert ret.id is not None  # flushed above
                session.add(ReturnItem(return_id=ret.id, order_item_id=req.order_item_id, quantity=req.quantity))
                _reserve_quantity(session, req)
            settle_after_sales_status(session, detail.order.id)
            audit.record(
                session,
                actor=customer_id,
                tool="create_return",
                outcome="ok",
                session_id=session_id,
                order_id=detail.order.id,
                detail={"rma": ret.rma, "lines": [vars(x) for x in lines]},
            )
            session.commit()
            return _created(ret, decisions, currency=detail.order.currency, created=True)
    except IntegrityError:
        # A concurrent call with the same key won the race; the unique constraint kept one row.
        existing = _by_idempotency_key(engine, customer_id, idempotency_key)
        if existing is None:
            raise
        return existing


def _reserve_quantity(session: Session, req: ReturnLine) -> None:
    """Count the quantity as returned with a guarded UPDATE, so two racing returns cannot both win."""
    items = OrderItem.__table__  # type: ignore[attr-defined]
    exchanged = func.coalesce(items.c.quantity_exchanged, 0)  # exchanged units went back too
    result = session.execute(
        items.update()
        .where(items.c.id == req.order_item_id)
        .where(items.c.quantity_returned + exchanged + req.quantity <= items.c.quantity)
        .values(quantity_returned=items.c.quantity_returned + req.quantity)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
        raise NotEligible("That item has just been returned in another request.")


def check_refund_method(refund_method: str) -> None:
    methods = load_policy().refund_methods
    if refund_method not in methods:
        raise InvalidReturnRequest(f"Refunds can go to: {', '.join(methods)}.")


def refund_destination(session: Session, customer_id: str, order_id: str, refund_method: str) -> PaymentMethod | None:
    """Where the refund goes: the payment method that paid the order, or the customer's existing gift card.

    None only for an order without a recorded charge (refunded to the original payment by hand).
    """
    check_refund_method(refund_method)
    if refund_method == "original_payment":
        charge = session.exec(
            select(Payment).where(Payment.order_id == order_id, Payment.direction == "charge").order_by(col(Payment.id))
        ).first()
        return session.get(PaymentMethod, charge.payment_method_id) if charge else None
    gift_card = session.exec(
        select(PaymentMethod)
        .where(PaymentMethod.customer_id == customer_id, PaymentMethod.kind == "gift_card")
        .order_by(col(PaymentMethod.id))
    ).first()
    if gift_card is None:
        raise InvalidReturnRequest("You have no gift card on file; the refund can go to the original payment.")
    return gift_card


def return_by_idempotency_key(engine: Engine, customer_id: str, key: str) -> CreatedReturn | None:
    """The return the call with idempotency key `key` created for this customer, if it committed."""
    return _by_idempotency_key(engine, customer_id, key)


def _by_idempotency_key(engine: Engine, customer_id: str, key: str) -> CreatedReturn | None:
    with Session(engine) as session:
        return _by_idempotency_key_in(session, customer_id, key)


def _by_idempotency_key_in(session: Session, customer_id: str, key: str) -> CreatedReturn | None:
    """The return an earlier call with `key` created for this customer (another customer's is never returned)."""
    ret = session.exec(
        select(ReturnRequest).where(ReturnRequest.idempotency_key == key, ReturnRequest.customer_id == customer_id)
    ).first()
    if ret is None:
        return None
    items = session.exec(select(ReturnItem).where(ReturnItem.return_id == ret.id).order_by(col(ReturnItem.id))).all()
    currency = session.exec(select(Order.currency).where(Order.id == ret.order_id)).one()
    return _created(
        ret,
        [{"order_item_id": i.order_item_id, "quantity": i.quantity} for i in items],
        currency=currency,
        created=False,
    )


def _created(ret: ReturnRequest, decisions: list[dict], *, currency: str, created: bool) -> CreatedReturn:
    return CreatedReturn(
        rma=ret.rma,
        order_id=ret.order_id,
        status=ret.status,
        refund_method=ret.refund_method,
        refund_amount_cents=ret.refund_amount_cents,
        currency=currency,
        items=[{"order_item_id": d["order_item_id"], "quantity": d["quantity"]} for d in decisions],
        created=created,
    )


def get_return(session: Session, customer_id: str, rma: str) -> ReturnRequest:
    ret = session.exec(select(ReturnRequest).where(ReturnRequest.rma == rma.strip().upper())).first()
    if ret is None or ret.customer_id != customer_id:
        raise ReturnNotFound(f"I can't find return {rma} on your account.")
    return ret


__all__ = [
    "CreatedReturn",
    "ReturnLine",
    "check_lines",
    "check_refund_method",
    "create_return",
    "get_return",
    "normalize_order_id",
    "refund_destination",
    "return_by_idempotency_key",
]
