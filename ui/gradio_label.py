"""The return label shown beside the chat: fetched by the server from the carrier, with the carrier client.

The carrier service may sit where a customer's browser cannot reach it (another port, an internal
host in a deployment), so the web app loads the PNG itself and hands it to Gradio, which serves it
from its own cache (the link in the reply is the web app's own label route, `ui.api_labels`). A
label that cannot be loaded is `None`: the card then says how to get it later.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from PIL import Image

from agent.settings import Settings
from mock_backends.logistics.client import CarrierError
from tools.tracking import carrier_client

log = logging.getLogger(__name__)


LABEL_PANELS = ("return", "return_status")  # the panels whose result may carry a label to print


def label_result(results: dict[str, Any]) -> dict[str, Any]:
    """This turn's successful result that may carry a return label (a new return, or a status check);
    `results` are keyed by panel, as `gradio_cards.side_panel` takes them."""
    return next((result for panel in LABEL_PANELS if (result := results.get(panel) or {}).get("ok")), {})


def label_image(settings: Settings, created: dict[str, Any]) -> Image.Image | None:
    """The label PNG of a new return's or a status check's result whose label was created, else None."""
    label = created.get("label") or {}
    if label.get("status") != "created" or not label.get("tracking_number"):
        return None
    try:
        png = carrier_client(settings).label_png(str(label["tracking_number"]))
        return Image.open(io.BytesIO(png))
    except (CarrierError, OSError):  # logged by the client (or unreadable bytes): the card explains
        log.warning("the label image of %s could not be loaded", created.get("rma"))
        return None
