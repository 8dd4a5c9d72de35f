"""The return label shown beside the chat: fetched by the server from the carrier, with the carrier client.

The carrier service may sit where a customer's browser cannot reach it (another port, an internal
host in a deployment), so the web app loads the PNG itself. It goes into the page inline (a data:
URI in the side panel's HTML), never into Gradio's file cache, whose files anyone holding the path
can download with no session, long after the return is cancelled. The "open to print" link is the
reply's signed label link (`ui.api_labels`). A label that cannot be loaded is `None`: the card then
says how to get it later.
"""

from __future__ import annotations

import base64
import html
import logging
from typing import Any

from core.settings import Settings
from service.labels import label_png_of
from ui.i18n import t

log = logging.getLogger(__name__)


LABEL_PANELS = ("return", "return_status")  # the panels whose result may carry a label to print


def label_result(results: dict[str, Any]) -> dict[str, Any]:
    """This turn's successful result that may carry a return label (a new return, or a status check);
    `results` are keyed by panel, as `gradio_cards.side_panel` takes them."""
    return next((result for panel in LABEL_PANELS if (result := results.get(panel) or {}).get("ok")), {})


def label_png(settings: Settings, created: dict[str, Any]) -> bytes | None:
    """The label PNG of a new return's or a status check's result whose label was created, else None."""
    return label_png_of(settings, created)


def label_html(settings: Settings, created: dict[str, Any], language: str) -> str | None:
    """The side panel's label: the image inline, and the signed link to open and print it; None if the
    label cannot be shown (pending, voided, or the carrier does not answer)."""
    png = label_png(settings, created)
    if png is None:
        return None
    alt = html.escape(f"{t('label', language)} {created.get('rma', '')}".strip(), quote=True)
    image = f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" alt="{alt}">'
    url = (created.get("label") or {}).get("url")
    if not url:
        return image
    return (
        f'{image}<p><a href="{html.escape(str(url), quote=True)}" target="_blank" rel="noopener noreferrer">'
        f"{html.escape(t('label_open', language))}</a></p>"
    )
