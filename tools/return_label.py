"""The label step of a return: ask the carrier for a return label and remember it on the return.

Runs after the return is committed, in its own transaction: if the carrier is down the return
stands, without a label, and the result says the label will follow. Calling it again for the same
RMA (a replayed confirmation, or a later status check) fetches the same label, never a second one.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from mock_backends.logistics.client import CarrierError
from mock_backends.orders.models import ReturnRequest, Shipment
from tools.deps import ToolDeps
from tools.tracking import carrier_client

log = logging.getLogger(__name__)

MESSAGES = {
    "created": {"en": "Print your return label: {url} (tracking number {tracking_number}).",
                "zh": "请打印退货面单:{url}(快递单号 {tracking_number})。"},
    "pending": {"en": "Your return is created, but the carrier's label system isn't answering right now, so the "
                      "shipping label will follow: ask me about this return again in a few minutes to get it.",
                "zh": "退货已创建,但承运商的面单系统暂时无响应,退货面单稍后提供:请过几分钟再询问此退货以获取面单。"},
}


def ensure_return_label(deps: ToolDeps, *, rma: str, language: str = "en") -> dict[str, Any]:
    """`{"status", "label": {...}, "label_message"}` for the return `rma` (whose ownership the caller checked).

    `status` is the return's status afterwards ('label_created' once it has a label).
    """
    lang = "zh" if language == "zh" else "en"
    with Session(deps.engine) as session:
        ret = session.exec(select(ReturnRequest).where(ReturnRequest.rma == rma)).one()
        if ret.label_ref:
            tracking_number = session.exec(select(Shipment.tracking_number).where(
                Shipment.return_id == ret.id, Shipment.direction == "return")).first()
            url = ret.label_ref if ret.label_ref.startswith("http") else None
            return {"status": ret.status, **_created(url, tracking_number or ret.label_ref, lang)}
    try:
        return _request_and_store(deps, ret, lang)
    except CarrierError:  # logged by the client; the return itself is already safely created
        pass
    except Exception:  # the return is committed: a label failure must not report it as failed
        log.exception("storing the label of %s failed", rma)
    return {"status": ret.status, "label": {"status": "pending"}, "label_message": MESSAGES["pending"][lang]}


def _request_and_store(deps: ToolDeps, ret: ReturnRequest, lang: str) -> dict[str, Any]:
    label = carrier_client(deps.settings).create_label(ret.rma, ret.order_id)
    # The URL is what a customer needs; the column holds 100 characters, the tracking number always fits.
    label_ref = label.label_url if len(label.label_url) <= 100 else label.tracking_number
    with Session(deps.engine) as session:
        session.execute(update(ReturnRequest).where(col(ReturnRequest.id) == ret.id).values(label_ref=label_ref))
        # Only a return still waiting for its label moves on; a cancelled one stays cancelled.
        session.execute(update(ReturnRequest)
                        .where(col(ReturnRequest.id) == ret.id, col(ReturnRequest.status) == "requested")
                        .values(status="label_created"))
        session.commit()
        status = session.exec(select(ReturnRequest.status).where(ReturnRequest.id == ret.id)).one()
    return {"status": status, **_created(label.label_url, label.tracking_number, lang)}


def _created(url: str | None, tracking_number: str, lang: str) -> dict[str, Any]:
    return {"label": {"status": "created", "url": url, "tracking_number": tracking_number},
            "label_message": MESSAGES["created"][lang].format(url=url or "", tracking_number=tracking_number)}
