"""The return label as the customer's browser loads it: `GET /v1/sessions/{id}/returns/{rma}/label.png`.

The link in the assistant's reply points here, not at the carrier, whose port or host a customer may
not reach. The web app loads the PNG from the carrier for the session's verified customer only:
another customer's RMA, an unknown one, or any RMA in a session not verified yet is "not found"
(never "forbidden"), and that refusal is audited like a refused tool call.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from mock_backends.orders import audit
from mock_backends.orders.errors import OrderSystemError
from tools.return_label import return_label_png
from ui.api_errors import ApiError
from ui.api_guards import require_api_key
from service.conversation import ConversationService
from ui.schemas import ErrorResponse

# An RMA the label exists for but cannot be shown answers like the carrier: pending, voided, carrier down.
STATUS_OF = {"return_not_found": 404, "label_not_ready": 404, "label_voided": 410, "carrier_unavailable": 503}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}}, "description": "The printable return label (PNG)."},
    **{status: {"model": ErrorResponse} for status in (401, 404, 410, 422, 503)},
}
router = APIRouter(prefix="/v1", tags=["sessions"], dependencies=[Depends(require_api_key)])


@router.get("/sessions/{session_id}/returns/{rma}/label.png", response_class=Response, responses=RESPONSES)
def get_return_label(session_id: str, rma: Annotated[str, Path(min_length=4, max_length=20)],
                     request: Request) -> Response:
    """The return label of one of this session's customer's returns, to print. 404 for a return that is
    not theirs or whose label is not ready yet, 410 once the return is cancelled (the label is void)."""
    conversations: ConversationService = request.app.state.conversations
    info = conversations.session(session_id)  # unknown session: 404 session_not_found
    try:
        png = return_label_png(conversations.deps, customer_id=info.customer_id, rma=rma)
    except OrderSystemError as error:
        audit.record_now(conversations.deps.engine, actor=info.customer_id, tool="return_label_png",
                         outcome="refused", session_id=session_id,
                         detail={"rma": rma[:20], "code": error.code, "error": str(error)})
        raise ApiError(STATUS_OF.get(error.code, 404), error.code, str(error)) from error
    # Customer data: never kept by a shared cache.
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})
