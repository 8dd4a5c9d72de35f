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


class ProductNotFound(OrderSystemError):
    code = "product_not_found"
    hint = "Ask the customer which product they mean, or look up their order to see its items."


class OutOfStock(OrderSystemError):
    """The variant wanted has no units left (or fewer than asked for), possibly taken a moment ago."""

    code = "out_of_stock"
    hint = "Tell the customer that variant is out of stock; offer the variants get_product_details lists as in stock."


class InvalidSwap(OrderSystemError):
    """An exchange or item change that breaks a rule: another product, the same variant, a bad quantity."""

    code = "invalid_swap"
    hint = "Explain the reason; an item can only be swapped for another in-stock variant of the same product."

    def __init__(self, message: str, items: list[dict] | None = None) -> None:
        super().__init__(message)
        self.items = items or []


class PaymentMethodNotFound(OrderSystemError):
    """Also raised for another customer's payment method."""

    code = "payment_method_not_found"
    hint = "Ask the customer which of their saved payment methods to use."


class InsufficientBalance(OrderSystemError):
    code = "insufficient_balance"
    hint = "Tell the customer the gift card balance does not cover the amount; offer another payment method."


class OrderAlreadyShipped(OrderSystemError):
    """Cancelling or changing an order that has left the warehouse."""

    code = "order_shipped"
    hint = "Offer to track the parcel (track_shipment); once it is delivered it can be returned or exchanged."


class OrderNotCancellable(OrderSystemError):
    code = "order_not_cancellable"
    hint = "Tell the customer the order's status; a delivered order can be returned or exchanged instead."


class OrderNotModifiable(OrderSystemError):
    code = "order_not_modifiable"
    hint = "Tell the customer why the order can no longer be changed this way; offer what its status allows."


class InvalidOrderChange(OrderSystemError):
    code = "invalid_change"
    hint = "Correct the reason, address or payment method as described and propose the change again."


class ExchangeNotFound(OrderSystemError):
    code = "exchange_not_found"
    hint = "Ask the customer for the exchange number (EXC-...) shown when the exchange was created."


class ExchangeNotCancellable(OrderSystemError):
    code = "exchange_not_cancellable"
    hint = "Tell the customer the exchange's status; offer to track its parcels or transfer to a person."
