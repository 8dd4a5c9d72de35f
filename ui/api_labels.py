"""The return label as the customer's browser loads it: `GET /labels/{token}.png`.

The link in the assistant's reply points here, not at the carrier, whose port or host a customer may
not reach. The token is the link's only credential: `{rma, customer_id}` signed by this server with
an expiry (`tools.label_links`, read by `service.labels`), so the link carries no session id and works
in any browser (the
web app shows the label from it too) until it expires. Outside /v1, so no API key: an image link
cannot send one. The web app loads the PNG from the carrier for the customer the token names; a
tampered or expired link, or a return that is not theirs, is refused and audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from service.conversation import ConversationService
from service.labels import LabelRefused, label_for_link
from ui.api_errors import ApiError
from ui.schemas import ErrorResponse

# An RMA the label exists for but cannot be shown answers like the carrier: pending, voided, carrier down.
STATUS_OF = {
    "label_not_found": 404,
    "return_not_found": 404,
    "label_not_ready": 404,
    "label_voided": 410,
    "label_link_expired": 410,
    "carrier_unavailable": 503,
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}}, "description": "The printable return label (PNG)."},
    **{status: {"model": ErrorResponse} for status in (404, 410, 422, 503)},
}
router = APIRouter(tags=["sessions"])
NO_STORE = {"Cache-Control": "private, no-store"}  # customer data: never kept by a cache


@router.get("/labels/{token}.png", response_class=Response, responses=RESPONSES)
def get_return_label(token: Annotated[str, Path(min_length=10, max_length=400)], request: Request) -> Response:
    """The printable label of the return a signed link names. 404 for a link this server did not sign or
    a label not ready yet; 410 once the link has expired or the return is cancelled (the label is void)."""
    conversations: ConversationService = request.app.state.conversations
    try:
        png = label_for_link(conversations.settings, conversations.deps, token)
    except LabelRefused as error:
        raise ApiError(STATUS_OF.get(error.code, 404), error.code, str(error), headers=NO_STORE) from error
    return Response(png, media_type="image/png", headers=NO_STORE)
