"""Typed failures of the order system. Tools turn them into structured results the agent can act on."""

from __future__ import annotations


class OrderSystemError(Exception):
    """Base class: `code` is stable for programs, `str(self)` is safe to show a customer."""

    code = "order_system_error"
    hint = ""


class CustomerNotVerified(OrderSystemError):
    code = "not_verified"
    hint = "Ask the customer to sign in with their email and an order number, or name and postcode."


class VerificationFailed(OrderSystemError):
    code = "verification_failed"
    hint = "Ask the customer to check the email and order number (or name and postcode) and try again."


class OrderNotFound(OrderSystemError):
    """Also raised for another customer's order: we never confirm that someone else's order exists."""

    code = "order_not_found"
    hint = "Ask the customer to check the order number, or list their orders."


class NotEligible(OrderSystemError):
    code = "not_eligible"
    hint = "Explain the reason to the customer; do not offer to create the return."

    def __init__(self, message: str, items: list[dict] | None = None) -> None:
        super().__init__(message)
        self.items = items or []


class InvalidReturnRequest(OrderSystemError):
    code = "invalid_request"
    hint = "Correct the items, quantities or refund method and check eligibility again."


class ReturnNotFound(OrderSystemError):
    code = "return_not_found"
    hint = "Ask the customer for the RMA number shown when the return was created."
