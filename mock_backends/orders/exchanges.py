"""Exchanging delivered items for other variants of the same products (退换货: the exchange half).

`preview_exchange` is what a confirmation card shows: the same checks and price difference as the
write, and nothing written. `exchange_items` re-checks everything under the order's row lock inside
its own transaction, takes stock and gift-card balance with guarded UPDATEs, and is idempotent by
its key: the same confirmed call twice makes one exchange.

The rules: the return window and final-sale rule of the item's category (policy.yaml `exchange`),
another variant of the same product that is in stock, and the price difference charged to or
refunded on a payment method of the customer's (a gift card must cover a charge).
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from mock_backends.orders import audit
from mock_backends.orders.account_changes import the_winner
from mock_backends.orders.after_sales_models import ExchangeItem, ExchangeRequest
from mock_backends.orders.after_sales_policy import exchange_return_policy
from mock_backends.orders.errors import InvalidSwap, NotEligible, OrderSystemError, OutOfStock
from mock_backends.orders.exchange_lifecycle import ExchangeView, exchange_by_key, exchange_view
from mock_backends.orders.models import OrderItem, PaymentMethod
from mock_backends.orders.order_status import settle_after_sales_status
from mock_backends.orders.payments import MoneyMove, check_covers, owned_payment_method, planned_move, settle
from mock_backends.orders.policy import Reason, evaluate_item
from mock_backends.orders.products import parse_options, take_stock, variant_facts, variants_by_id
from mock_backends.orders.repository import OrderDetail, OrderLine, get_order_detail
from mock_backends.orders.swaps import SWAP_TEXT, SwapReason, SwapRequest, check_swaps, line_difference

# Why a delivered item cannot be exchanged, in the customer's words (the return rules decide).
NOT_EXCHANGEABLE: dict[Reason, str] = {
    Reason.NOT_DELIVERED: "it can be exchanged once the order has been delivered (status: {status})",
    Reason.FINAL_SALE: "it was sold as final sale, so it cannot be exchanged",
    Reason.WINDOW_EXPIRED: "its {window}-day window for {category} ended on {window_ends}",
    Reason.ALREADY_RETURNED: "every unit of it has already been returned or exchanged",
}


@dataclass(frozen=True)
class ExchangeLine:
    """One requested swap: the order line, the variant wanted instead, and how many units."""

    order_item_id: int
    new_variant_id: str
    quantity: int = 1


ExchangeItems = Sequence[ExchangeLine | tuple[int, str, int]]


@dataclass(frozen=True)
class QuotedSwap:
    order_item_id: int
    product: str
    old_variant_id: str
    old_options: dict[str, str]
    new_variant_id: str
    new_options: dict[str, str]
    quantity: int
    old_unit_price_cents: int
    new_unit_price_cents: int
    difference_cents: int  # > 0 the customer pays, < 0 they get back


@dataclass(frozen=True)
class ExchangeQuote:
    """What confirming the exchange will do (the card), computed exactly as the write computes it."""

    order_id: str
    lines: list[QuotedSwap]
    price_difference_cents: int
    payment: MoneyMove | None  # the charge or refund of the difference; None when there is none
    payment_method: PaymentMethod | None


def as_lines(items: ExchangeItems) -> list[ExchangeLine]:
    return [item if isinstance(item, ExchangeLine) else ExchangeLine(*item) for item in items]


def new_exchange_number() -> str:
    return "EXC-" + secrets.token_hex(4).upper()


def preview_exchange(
    session: Session,
    customer_id: str,
    order_id: str,
    items: ExchangeItems,
    payment_method_id: str | None,
    now: datetime,
) -> ExchangeQuote:
    """The exchange the customer would confirm, or the typed refusal the write would raise; writes nothing."""
    detail = get_order_detail(session, customer_id, order_id)
    return quote_exchange(session, customer_id, detail, as_lines(items), payment_method_id, now)


def quote_exchange(
    session: Session,
    customer_id: str,
    detail: OrderDetail,
    lines: list[ExchangeLine],
    payment_method_id: str | None,
    now: datetime,
) -> ExchangeQuote:
    """Check every rule in the order a customer would want them explained; raise the first refusal."""
    chosen = _order_lines(detail, lines)
    policy = exchange_return_policy()
    refused = []
    for line, request in chosen:
        decision = evaluate_item(policy, detail.facts(line), requested_quantity=max(request.quantity, 1), now=now)
        if decision.reason in NOT_EXCHANGEABLE:
            why = NOT_EXCHANGEABLE[decision.reason].format(
                status=detail.order.status,
                window=decision.window_days,
                category=line.category,
                window_ends=decision.window_ends.date().isoformat() if decision.window_ends else "-",
            )
            refused.append({"order_item_id": line.order_item_id, "product": line.product_name, "reason": why})
    if refused:
        raise NotEligible("Not exchangeable: " + "; ".join(f"{r['product']}: {r['reason']}" for r in refused), refused)
    variants = variants_by_id(session, {r.new_variant_id for _l, r in chosen} | {ln.variant_id for ln, _r in chosen})
    swaps = [_swap_request(line, request, variants) for line, request in chosen]
    _raise_for_refused_swaps(chosen, check_swaps(swaps))
    quoted = [_quoted(line, request, swap, variants) for (line, request), swap in zip(chosen, swaps, strict=True)]
    difference = sum(q.difference_cents for q in quoted)
    method = None
    if payment_method_id:
        method = owned_payment_method(session, customer_id, payment_method_id)
    elif difference:
        raise InvalidSwap(
            f"Choose one of your payment methods to {'pay' if difference > 0 else 'receive'} the "
            f"price difference of {abs(difference) / 100:.2f}."
        )
    if method is not None:
        check_covers(method, difference)
    return ExchangeQuote(
        order_id=detail.order.id,
        lines=quoted,
        price_difference_cents=difference,
        payment=planned_move(method, difference) if method is not None else None,
        payment_method=method,
    )


def _order_lines(detail: OrderDetail, lines: list[ExchangeLine]) -> list[tuple[OrderLine, ExchangeLine]]:
    if not lines:
        raise InvalidSwap("Choose at least one item to exchange.")
    by_id = {line.order_item_id: line for line in detail.lines}
    seen: set[int] = set()
    chosen = []
    for request in lines:
        if request.order_item_id not in by_id:
            raise InvalidSwap(f"Item {request.order_item_id} is not on order {detail.order.id}.")
        if request.order_item_id in seen:
            raise InvalidSwap(f"Item {request.order_item_id} is listed twice.")
        seen.add(request.order_item_id)
        chosen.append((by_id[request.order_item_id], request))
    return chosen


def _swap_request(line: OrderLine, request: ExchangeLine, variants: dict) -> SwapRequest:
    current, new = variants.get(line.variant_id), variants.get(request.new_variant_id)
    return SwapRequest(
        order_item_id=line.order_item_id,
        product_id=current.product_id if current else "",
        variant_id=line.variant_id,
        unit_price_cents=line.unit_price_cents,
        remaining=line.quantity - line.quantity_returned - line.quantity_exchanged,
        quantity=request.quantity,
        new=variant_facts(new) if new is not None else None,
    )


def _raise_for_refused_swaps(chosen: list[tuple[OrderLine, ExchangeLine]], reasons: list[SwapReason]) -> None:
    refused = [(line, reason) for (line, _r), reason in zip(chosen, reasons, strict=True) if reason != SwapReason.OK]
    if not refused:
        return
    remaining = {
        line.order_item_id: line.quantity - line.quantity_returned - line.quantity_exchanged for line, _r in chosen
    }
    items = [
        {
            "order_item_id": line.order_item_id,
            "product": line.product_name,
            "reason": reason.value,
            "explanation": SWAP_TEXT[reason].format(remaining=remaining[line.order_item_id]),
        }
        for line, reason in refused
    ]
    message = "; ".join(f"{i['product']}: {i['explanation']}" for i in items)
    if all(reason in (SwapReason.OUT_OF_STOCK, SwapReason.NOT_AVAILABLE) for _l, reason in refused):
        raise OutOfStock(message)
    raise InvalidSwap(message, items)


def _quoted(line: OrderLine, request: ExchangeLine, swap: SwapRequest, variants: dict) -> QuotedSwap:
    new = variants[request.new_variant_id]
    return QuotedSwap(
        order_item_id=line.order_item_id,
        product=line.product_name,
        old_variant_id=line.variant_id,
        old_options=parse_options(line.options),
        new_variant_id=new.id,
        new_options=parse_options(new.options),
        quantity=request.quantity,
        old_unit_price_cents=line.unit_price_cents,
        new_unit_price_cents=new.price_cents,
        difference_cents=line_difference(swap),
    )


def exchange_items(
    session: Session,
    customer_id: str,
    order_id: str,
    items: ExchangeItems,
    payment_method_id: str | None,
    idempotency_key: str,
    now: datetime,
    session_id: str | None = None,
) -> ExchangeView:
    """Create the exchange in its own transaction on `session`, or return the one an earlier call with
    `idempotency_key` made (`created` says which). Raises what `preview_exchange` raises, and
    OutOfStock / InsufficientBalance / NotEligible when another request took the stock, the balance
    or the units a moment ago."""
    lines = as_lines(items)
    earlier = exchange_by_key(session, customer_id, idempotency_key)
    if earlier is not None:
        return earlier
    try:
        detail = get_order_detail(session, customer_id, order_id, for_update=True)
        earlier = exchange_by_key(session, customer_id, idempotency_key)  # committed while we waited for the lock
        if earlier is not None:
            session.rollback()
            return earlier
        quote = quote_exchange(session, customer_id, detail, lines, payment_method_id, now)
        number = _write(session, customer_id, quote, idempotency_key, now, session_id)
        session.commit()
    except (IntegrityError, OrderSystemError):
        return the_winner(session, lambda: exchange_by_key(session, customer_id, idempotency_key))
    except Exception:
        session.rollback()
        raise
    return exchange_view(session, customer_id, number, created=True)


def _write(
    session: Session,
    customer_id: str,
    quote: ExchangeQuote,
    idempotency_key: str,
    now: datetime,
    session_id: str | None,
) -> str:
    exchange = ExchangeRequest(
        number=new_exchange_number(),
        order_id=quote.order_id,
        customer_id=customer_id,
        price_difference_cents=quote.price_difference_cents,
        payment_method_id=quote.payment_method.id if quote.payment_method else None,
        idempotency_key=idempotency_key,
        session_id=session_id,
        created_at=now,
    )
    session.add(exchange)
    session.flush()
    assert exchange.id is not None  # flushed above
    for line in quote.lines:
        session.add(
            ExchangeItem(
                exchange_id=exchange.id,
                order_item_id=line.order_item_id,
                new_variant_id=line.new_variant_id,
                quantity=line.quantity,
                old_unit_price_cents=line.old_unit_price_cents,
                new_unit_price_cents=line.new_unit_price_cents,
            )
        )
        _reserve_units(session, line.order_item_id, line.quantity)
    wanted: Counter[str] = Counter()
    for line in quote.lines:
        wanted[line.new_variant_id] += line.quantity
    for variant_id in sorted(wanted):  # one lock order for every writer: no deadlock between two exchanges
        take_stock(session, variant_id, wanted[variant_id])
    if quote.payment_method is not None:
        settle(
            session,
            order_id=quote.order_id,
            method=quote.payment_method,
            amount_cents=quote.price_difference_cents,
            note=f"exchange {exchange.number}",
            now=now,
        )
    settle_after_sales_status(session, quote.order_id)
    audit.record(
        session,
        actor=customer_id,
        tool="exchange_items",
        outcome="ok",
        session_id=session_id,
        order_id=quote.order_id,
        detail={
            "exchange": exchange.number,
            "price_difference_cents": quote.price_difference_cents,
            "lines": [(q.order_item_id, q.new_variant_id, q.quantity) for q in quote.lines],
        },
    )
    return exchange.number


def _reserve_units(session: Session, order_item_id: int, quantity: int) -> None:
    """Count units as exchanged with a guarded UPDATE: a racing return or exchange of them loses."""
    items = OrderItem.__table__  # type: ignore[attr-defined]
    exchanged = func.coalesce(items.c.quantity_exchanged, 0)
    done = session.execute(
        update(items)
        .where(items.c.id == order_item_id, items.c.quantity_returned + exchanged + quantity <= items.c.quantity)
        .values(quantity_exchanged=exchanged + quantity)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
        raise NotEligible("That item has just been returned or exchanged in another request.")
