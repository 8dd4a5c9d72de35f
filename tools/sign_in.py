"""Checking a customer's credentials: the one path every door takes (REST sign-in, web form, chat tool).

`verify_credentials` asks the sign-in throttle first, then the order database, and audits every
refusal (a wrong guess and a throttled attempt alike), so whichever door an attacker picks, the
guesses are counted in one place and leave the same trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session

from mock_backends.orders import audit, repository
from mock_backends.orders.errors import VerificationFailed
from mock_backends.orders.models import Customer
from tools.deps import ToolDeps
from tools.sign_in_throttle import SignInThrottle, SignInThrottled

# The key in the graph run's `configurable` under which the service passes the caller's network address.
CLIENT_ADDRESS = "client_address"
Door = Literal["sign_in", "verify_customer"]  # the audit row's `tool`: the REST/web form, or the chat


@dataclass(frozen=True)
class Credentials:
    """Email + order number, or full name + postcode (the caller checked that one pair is complete)."""

    email: str | None = None
    order_id: str | None = None
    name: str | None = None
    postcode: str | None = None

    @property
    def method(self) -> str:
        return "email+order" if self.email and self.order_id else "name+postcode"

    @property
    def account(self) -> str:
        """Whose account is being guessed at: the email, or the name (the postcode is the guess)."""
        if self.method == "email+order":
            return "email:" + (self.email or "").strip().lower()
        return "name:" + "".join((self.name or "").split()).lower()


def sign_in_throttle(deps: ToolDeps) -> SignInThrottle:
    """The throttle shared by every door of this server (built once per deps, like the chat model)."""
    if deps.sign_in_throttle is None:
        deps.sign_in_throttle = SignInThrottle.from_settings(deps.settings)
    return deps.sign_in_throttle


def verify_credentials(
    deps: ToolDeps,
    credentials: Credentials,
    *,
    door: Door,
    client: str | None,
    session_id: str | None = None,
    actor: str | None = None,
    language: str = "en",
) -> Customer:
    """The verified customer; raises SignInThrottled, SignInUnavailable or VerificationFailed (all audited).

    `client`: the caller's network address (None where there is none, e.g. the terminal chat).
    """
    throttle = sign_in_throttle(deps)
    refusal = {
        "actor": actor,
        "tool": door,
        "outcome": "refused",
        "session_id": session_id,
        "order_id": credentials.order_id,
    }
    try:
        attempt = throttle.begin(account=credentials.account, address=client, language=language)
    except SignInThrottled as error:
        audit.record_now(
            deps.engine,
            **refusal,
            detail={
                "code": error.code,
                "method": credentials.method,
                "scope": error.scope,
                "retry_after_s": error.retry_after,
                "client": client,
            },
        )
        raise
    try:
        with Session(deps.engine) as db:
            if credentials.method == "email+order":
                customer = repository.verify_by_email_and_order(db, credentials.email or "", credentials.order_id or "")
            else:
                customer = repository.verify_by_name_and_postcode(
                    db, credentials.name or "", credentials.postcode or ""
                )
    except VerificationFailed as error:
        throttle.failed(attempt)
        # Repeated guessing must leave a trail for an investigator.
        audit.record_now(
            deps.engine, **refusal, detail={"code": error.code, "method": credentials.method, "client": client}
        )
        raise
    throttle.succeeded(attempt)
    return customer
