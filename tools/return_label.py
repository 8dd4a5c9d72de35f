"""The label step of a return: ask the carrier for a return label, remember it, show it, void it.

Runs after the return is committed, in its own transaction: if the carrier is down the return
stands, without a label, and the result says the label will follow. Calling it again for the same
RMA (a replayed confirmation, or a later status check) fetches the same label, never a second one.
A cancelled return's label is voided at the carrier; a cancellation stands even when that fails.

The link a customer sees is the web app's own label route (`public_url`), never the carrier's URL:
the carrier may sit on a port or host the customer's browser cannot reach. It is a signed, expiring
link to this customer's return (`tools.label_links`), never one carrying the session id.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.messages import t
from core.settings import Settings
from mock_backends.logistics.client import CarrierError, CarrierUnavailable, LabelVoided, TrackingNotFound
from mock_backends.orders.errors import OrderSystemError
from mock_backends.orders.models import ReturnRequest
from mock_backends.orders.return_lifecycle import CANCELLABLE_STATUSES, ReturnView, return_parcel
from mock_backends.orders.returns import get_return
from tools.deps import ToolDeps
from tools.label_links import label_link
from tools.tracking import CarrierDown, carrier_client

log = logging.getLogger(__name__)


class LabelNotReady(OrderSystemError):
    code = "label_not_ready"
    hint = "Ask about the return again in a few minutes: the label is fetched then."


class LabelNoLongerValid(OrderSystemError):
    code = "label_voided"
    hint = "The return was cancelled; its label must not be used."


def public_label_url(settings: Settings, customer_id: str | None, rma: str) -> str | None:
    """The web app's signed link to the label of `rma`, for its customer (None without one)."""
    return label_link(settings, rma=rma, customer_id=customer_id) if customer_id else None


def ensure_return_label(
    deps: ToolDeps, *, rma: str, language: str = "en", customer_id: str | None = None, asked_again: bool = False
) -> dict[str, Any]:
    """`{"status", "label": {...}, "label_message"}` for the return `rma` (whose ownership the caller checked).

    `status` is the return's status afterwards ('label_created' once it has a label). `asked_again`:
    a later status check, whose "still pending" must not read as if the return had just been created.
    """
    with Session(deps.engine) as session:
        ret = session.exec(select(ReturnRequest).where(ReturnRequest.rma == rma)).one()
        if ret.status == "cancelled":  # a cancelled return never offers a label again
            return {
                "status": ret.status,
                "label": {"status": "voided"},
                "label_message": t("label_message.voided", language),
            }
        if ret.label_ref:
            tracking_number = label_tracking_number(session, ret) or ret.label_ref
            return {"status": ret.status, **_created(deps.settings, customer_id, ret.rma, tracking_number, language)}
    try:
        return _request_and_store(deps, ret, language, customer_id)
    except CarrierError:  # logged by the client; the return itself is already safely created
        pass
    except Exception:  # the return is committed: a label failure must not report it as failed
        log.exception("storing the label of %s failed", rma)
    pending = t(f"label_message.{'still_pending' if asked_again else 'pending'}", language)
    return {"status": ret.status, "label": {"status": "pending"}, "label_message": pending}


def label_for_status(deps: ToolDeps, view: ReturnView, *, language: str, customer_id: str | None) -> dict[str, Any]:
    """The label part of a status answer: a return not sent yet shows its label (fetching a pending one
    now, as the 'ask me again' message promised); a cancelled one says its label is void."""
    if view.status in CANCELLABLE_STATUSES:
        return ensure_return_label(deps, rma=view.rma, language=language, customer_id=customer_id, asked_again=True)
    if view.status == "cancelled":
        return void_return_label(deps, rma=view.rma, language=language)
    return {}  # the parcel is on its way or arrived: the label has been used


def void_return_label(deps: ToolDeps, *, rma: str, language: str = "en") -> dict[str, Any]:
    """Void the label of the cancelled return `rma` at the carrier; never raises.

    The cancellation is committed already and stands: if the carrier is down the result says the old
    label must not be used, and the next status check of the return tries again (voiding is idempotent).
    """
    with Session(deps.engine) as session:
        ret = session.exec(select(ReturnRequest).where(ReturnRequest.rma == rma)).one()
        parcel = return_parcel(session, ret.id)
        tracking_number = parcel.tracking_number if parcel is not None else label_tracking_number(session, ret)
    if tracking_number is None:  # no label was ever booked: nothing to void
        return {"label": {"status": "voided"}, "label_message": t("label_message.voided", language)}
    voided = {
        "label": {"status": "voided", "tracking_number": tracking_number},
        "label_message": t("label_message.voided", language),
    }
    if parcel is not None and parcel.voided_at is not None:  # voided already: no need to ask the carrier
        return voided
    try:
        carrier_client(deps.settings).void_label(tracking_number)
        return voided
    except TrackingNotFound:  # the carrier has no such label: nothing left that could be used
        return voided
    except CarrierError:  # logged by the client
        pass
    except Exception:  # the cancellation is committed: a void failure must not report it as failed
        log.exception("voiding the label of %s failed", rma)
    log.warning("the label of cancelled return %s is not voided yet", rma)
    return {
        "label": {"status": "void_pending", "tracking_number": tracking_number},
        "label_message": t("label_message.void_pending", language),
    }


def return_label_png(deps: ToolDeps, *, customer_id: str | None, rma: str) -> bytes:
    """The label PNG of the customer's return `rma`, loaded from the carrier (the web app's label route).

    Raises ReturnNotFound (another customer's or an unknown RMA), LabelNotReady, LabelNoLongerValid
    (cancelled or voided) or CarrierDown.
    """
    with Session(deps.engine) as session:
        ret = get_return(session, customer_id or "", rma)
        tracking_number = label_tracking_number(session, ret) if ret.label_ref else None
    if ret.status == "cancelled":
        raise LabelNoLongerValid(f"Return {ret.rma} is cancelled: its label was voided and must not be used.")
    if tracking_number is None:
        raise LabelNotReady(f"The label of return {ret.rma} is not ready yet: ask about the return again soon.")
    try:
        return carrier_client(deps.settings).label_png(tracking_number)
    except LabelVoided as error:
        raise LabelNoLongerValid(str(error)) from error
    except TrackingNotFound as error:
        raise LabelNotReady(str(error)) from error
    except CarrierUnavailable as error:
        raise CarrierDown(str(error)) from error


def label_tracking_number(session: Session, ret: ReturnRequest) -> str | None:
    """The tracking number of the return's label: the parcel the carrier booked (even if its answer never
    reached us), else our own `label_ref` (the tracking number; older rows hold the carrier's URL)."""
    if (parcel := return_parcel(session, ret.id)) is not None:
        return parcel.tracking_number
    if not ret.label_ref:
        return None
    return ret.label_ref.rsplit("/", 1)[-1].removesuffix(".png")


def _request_and_store(deps: ToolDeps, ret: ReturnRequest, lang: str, customer_id: str | None) -> dict[str, Any]:
    label = carrier_client(deps.settings).create_label(ret.rma, ret.order_id)
    # The tracking number, not the carrier's URL: customers get the web app's link, built from it.
    with Session(deps.engine) as session:
        session.execute(
            update(ReturnRequest).where(col(ReturnRequest.id) == ret.id).values(label_ref=label.tracking_number)
        )
        # Only a return still waiting for its label moves on; a cancelled one stays cancelled.
        session.execute(
            update(ReturnRequest)
            .where(col(ReturnRequest.id) == ret.id, col(ReturnRequest.status) == "requested")
            .values(status="label_created")
        )
        session.commit()
        status = session.exec(select(ReturnRequest.status).where(ReturnRequest.id == ret.id)).one()
    if status == "cancelled":  # cancelled while the carrier was booking: void what it just made
        return {"status": status, **void_return_label(deps, rma=ret.rma, language=lang)}
    return {"status": status, **_created(deps.settings, customer_id, ret.rma, label.tracking_number, lang)}


def _created(settings: Settings, customer_id: str | None, rma: str, tracking_number: str, lang: str) -> dict[str, Any]:
    url = public_label_url(settings, customer_id, rma)
    message = t(
        f"label_message.{'created' if url else 'created_no_link'}", lang, url=url or "", tracking_number=tracking_number
    )
    return {"label": {"status": "created", "url": url, "tracking_number": tracking_number}, "label_message": message}
