"""Return-label links a customer can open anywhere, with no session credential in them.

A link is `{RETURNDESK_PUBLIC_URL}/labels/{token}.png`: the token is `{rma, customer_id}` signed with
the server's secret (`core.settings.server_secret`) and a timestamp (itsdangerous), so it cannot be
forged or pointed at another customer's return, and it stops working RETURNDESK_LABEL_LINK_TTL_S
after it was made. The session id stays out of URLs, browser history, proxy logs and Referer headers.
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from core.settings import Settings, server_secret
from mock_backends.orders.errors import OrderSystemError

SALT = "returndesk.return-label"  # a token signed for anything else never opens a label


class LabelLinkExpired(OrderSystemError):
    code = "label_link_expired"
    hint = "Ask about the return again: the answer carries a fresh link."


class LabelLinkInvalid(OrderSystemError):
    code = "label_not_found"
    hint = "Use the link from the assistant's latest answer about the return."


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(server_secret(settings), salt=SALT)


def label_link(settings: Settings, *, rma: str, customer_id: str) -> str:
    """The customer's link to the label of their return `rma`."""
    token = _serializer(settings).dumps({"rma": rma, "customer_id": customer_id})
    return f"{settings.public_url.rstrip('/')}/labels/{token}.png"


def read_label_token(settings: Settings, token: str) -> tuple[str, str]:
    """`(rma, customer_id)` of a token this server signed; raises LabelLinkExpired or LabelLinkInvalid."""
    try:
        payload = _serializer(settings).loads(token, max_age=settings.label_link_ttl_s)
    except SignatureExpired as error:
        raise LabelLinkExpired("This label link has expired: ask about your return again for a new link.") from error
    except BadSignature as error:
        raise LabelLinkInvalid("There is no return label at this link.") from error
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("rma"), str)
        or not isinstance(payload.get("customer_id"), str)
    ):
        raise LabelLinkInvalid("There is no return label at this link.")
    return payload["rma"], payload["customer_id"]
