"""An exchange's status and its cancellation, reached through get_return_status / cancel_return with
an EXC- number (one tool schema each instead of two more: every schema costs prompt tokens, #17).

After a cancellation the old item's return label is voided and the replacement is stopped at the
carrier; the cancellation stands if the carrier cannot be reached (the result says so)."""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

from sqlmodel import Session

from core.dates import local_date
from core.messages import maybe, t
from core.money import plain_amount
from core.references import EXCHANGE_NUMBER
from mock_backends.logistics.client import CarrierError, TrackingNotFound
from mock_backends.orders import repository
from mock_backends.orders.errors import ExchangeNotCancellable
from mock_backends.orders.exchange_lifecycle import ExchangeView, cancel_exchange, exchange_view
from mock_backends.orders.models import PaymentMethod
from mock_backends.orders.payments import planned_move
from tools.base import CallContext, ok
from tools.cards import CardAmount, CardLine, ConfirmationCard
from tools.deps import ToolDeps
from tools.exchanges import options_text
from tools.money_moves import move_label, move_summary
from tools.returns import idempotency_key
from tools.tracking import carrier_client

log = logging.getLogger(__name__)


def is_exchange_number(reference: str) -> bool:
    return EXCHANGE_NUMBER.fullmatch(reference.strip()) is not None


def exchange_summary(session: Session, customer_id: str, view: ExchangeView, language: str) -> dict[str, Any]:
    """An exchange as get_return_status and cancel_return report it."""
    detail = repository.get_order_detail(session, customer_id, view.order_id, language=language)
    names = {line.order_item_id: line.display_name for line in detail.lines}
    currency = detail.order.currency
    cancelled = view.status == "cancelled"
    return {
        "exchange": view.number,
        "order_id": view.order_id,
        "status": view.status,
        "status_text": maybe(f"exchange_status.{view.status}", language) or view.status_text,
        "created_at": local_date(view.created_at, language).isoformat(),
        "cancellable": view.cancellable,
        "price_difference": plain_amount(view.price_difference_cents, currency),
        "currency": currency,
        "payment": move_summary(session, view.payment, currency, language) if view.payment else None,
        # Cancelled: the price difference given back (a charge refunded, a refund charged again).
        "payment_back": payment_back(session, view, currency, language) if view.payment_reversed else None,
        # A cancelled exchange's label is void and its replacement stopped: neither is offered again.
        "label_ref": None if cancelled else view.label_ref,
        "replacement_tracking": None if cancelled else view.replacement_tracking,
        "items": [
            {
                "order_item_id": i.order_item_id,
                "product": names.get(i.order_item_id, i.product),
                "old_options": i.old_options,
                "new_options": i.new_options,
                "quantity": i.quantity,
            }
            for i in view.items
        ],
    }


def payment_back(session: Session, view: ExchangeView, currency: str, language: str) -> dict[str, Any] | None:
    method = session.get(PaymentMethod, view.payment.payment_method_id) if view.payment else None
    back = planned_move(method, -view.price_difference_cents) if method is not None else None
    return move_summary(session, back, currency, language) if back else None


def exchange_status(ctx: CallContext, number: str) -> dict[str, Any]:
    with Session(ctx.deps.engine) as session:
        view = exchange_view(session, ctx.customer_id, number)
        return ok(**exchange_summary(session, ctx.customer_id, view, ctx.language))


def cancel_exchange_now(ctx: CallContext, number: str, reason: str) -> dict[str, Any]:
    with Session(ctx.deps.engine) as session:
        view = cancel_exchange(
            session,
            ctx.customer_id,
            number,
            idempotency_key(ctx.session_id, ctx.tool_call_id),
            ctx.deps.clock(),
            session_id=ctx.session_id,
            reason=reason,
        )
        summary = exchange_summary(session, ctx.customer_id, view, ctx.language)
    # After the commit: the cancellation stands even if the carrier cannot be reached now.
    return ok(**summary, **stop_parcels(ctx.deps, view, ctx.language))


def stop_parcels(deps: ToolDeps, view: ExchangeView, language: str) -> dict[str, Any]:
    """Void the old item's return label and stop the replacement at the carrier; never raises."""
    try:
        client = carrier_client(deps.settings)
        for tracking_number, stop in (
            (view.label_ref, client.void_label),
            (view.replacement_tracking, client.cancel_shipment),
        ):
            if tracking_number:
                with suppress(TrackingNotFound):  # the carrier has no such parcel: nothing left to stop
                    stop(tracking_number)
    except CarrierError:  # logged by the client
        return {"parcels": "stop_pending", "label_message": t("label_message.exchange_cancel_pending", language)}
    except Exception:  # the cancellation is committed: a carrier failure must not report it as failed
        log.exception("stopping the parcels of %s failed", view.number)
        return {"parcels": "stop_pending", "label_message": t("label_message.exchange_cancel_pending", language)}
    return {"parcels": "stopped", "label_message": t("label_message.exchange_cancelled", language)}


def preview_cancel_exchange(customer_id: str, number: str, language: str, deps: ToolDeps) -> ConfirmationCard:
    """The card for cancelling an exchange, or the refusal (the old item shipped, already cancelled)."""
    with Session(deps.engine) as session:
        view = exchange_view(session, customer_id, number)  # another customer's: not found
        if not view.cancellable:
            raise ExchangeNotCancellable(
                f"Exchange {view.number} can no longer be cancelled: it is {view.status_text}."
            )
        detail = repository.get_order_detail(session, customer_id, view.order_id, language=language)
        names = {line.order_item_id: line.display_name for line in detail.lines}
        currency = detail.order.currency
        method = session.get(PaymentMethod, view.payment.payment_method_id) if view.payment else None
        back = planned_move(method, -view.price_difference_cents) if method is not None else None
        amounts = (
            [CardAmount(label=move_label(session, back, language), cents=back.amount_cents, currency=currency)]
            if back
            else []
        )
        facts_payment = move_summary(session, back, currency, language) if back else None
    return ConfirmationCard(
        tool="cancel_return",
        language=language,
        title=t("card.exchange_cancel_title", language, exchange=view.number),
        lines=[
            CardLine(label=t("card.order_label", language), value=view.order_id),
            *(
                CardLine(
                    label=t("card.item", language, product=names.get(i.order_item_id, i.product), quantity=i.quantity),
                    value=t("card.swap", language, old=options_text(i.old_options), new=options_text(i.new_options)),
                )
                for i in view.items
            ),
        ],
        amounts=amounts,
        on_confirm=t("card.exchange_cancel_on_confirm", language),
        facts={
            "exchange": view.number,
            "order_id": view.order_id,
            "payment": facts_payment,
            "items": [
                {
                    "order_item_id": i.order_item_id,
                    "product": names.get(i.order_item_id, i.product),
                    "quantity": i.quantity,
                }
                for i in view.items
            ],
        },
    )
