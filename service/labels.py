"""Return labels for the doors: the PNG a signed link names (`/labels/{token}.png`), and the PNG of a
tool result the web page shows inline. The doors never reach the carrier or the order system
themselves (layering: ui -> service)."""

from __future__ import annotations

import io
import logging
from typing import Any

from PIL import Image

from core.settings import Settings
from mock_backends.logistics.client import CarrierError
from mock_backends.orders import audit
from mock_backends.orders.errors import OrderSystemError
from tools.deps import ToolDeps
from tools.label_links import read_label_token
from tools.return_label import return_label_png
from tools.tracking import carrier_client

log = logging.getLogger(__name__)


class LabelRefused(Exception):
    """A label link that cannot be answered with a label: `code` says why (label_not_found,
    label_link_expired, label_voided, carrier_unavailable, ...); the message is safe to show."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def label_for_link(settings: Settings, deps: ToolDeps, token: str) -> bytes:
    """The printable label of the return a signed link names, for the customer the token names; a
    tampered or expired link, or a return that is not theirs, raises LabelRefused (and is audited)."""
    customer_id: str | None = None
    rma = ""
    try:
        rma, customer_id = read_label_token(settings, token)
        return return_label_png(deps, customer_id=customer_id, rma=rma)
    except OrderSystemError as error:
        audit.record_now(
            deps.engine,
            actor=customer_id,
            tool="return_label_png",
            outcome="refused",
            detail={"rma": rma[:20], "code": error.code, "error": str(error)},
        )
        raise LabelRefused(error.code, str(error)) from error


def label_png_of(settings: Settings, created: dict[str, Any]) -> bytes | None:
    """The label PNG of a new return's or a status check's result whose label was created, else None."""
    label = created.get("label") or {}
    if label.get("status") != "created" or not label.get("tracking_number"):
        return None
    try:
        png = carrier_client(settings).label_png(str(label["tracking_number"]))
        Image.open(io.BytesIO(png)).verify()
        return png
    except (CarrierError, OSError, SyntaxError):  # logged by the client (or unreadable bytes): the card explains
        log.warning("the label image of %s could not be loaded", created.get("rma"))
        return None
