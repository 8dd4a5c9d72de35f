"""The carrier's HTTP client: the only way the rest of ReturnDesk reaches the carrier.

Every call has a budget (`timeout_s`, retries included) so a customer never waits longer than that;
connect errors, timeouts and 5xx answers are retried with exponential backoff (tenacity), up to
`max_attempts`. Failures surface as typed errors whose messages are safe to show a customer.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

import httpx
from pydantic import ValidationError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, stop_before_delay, wait_exponential

from mock_backends.logistics.faults import FAULT_HEADER
from mock_backends.logistics.schemas import (
    CancelledShipment,
    Label,
    LabelRequest,
    Language,
    OutboundShipment,
    ShipmentRequest,
    Tracking,
    VoidedLabel,
)

log = logging.getLogger(__name__)
M = TypeVar("M", Tracking, Label, VoidedLabel, OutboundShipment, CancelledShipment)


class CarrierError(Exception):
    """Base class: `str(self)` is safe to show a customer; the technical cause is chained and logged."""


class CarrierUnavailable(CarrierError):
    """The carrier is down, too slow, or answered with a server error (after the retries)."""


class TrackingNotFound(CarrierError):
    """The carrier has no parcel with that tracking number."""


class LabelRefused(CarrierError):
    """The carrier would not make a label (it does not know the RMA, or the request was malformed)."""


class ShipmentRefused(CarrierError):
    """The carrier would not book a replacement parcel (it does not know the exchange)."""


class LabelVoided(CarrierError):
    """The label was voided (its return was cancelled): it must not be printed or used."""


class _ServerError(Exception):
    """A 5xx answer: worth another attempt."""


RETRYABLE = (httpx.TransportError, _ServerError)  # TransportError covers connect errors and timeouts


@lru_cache(maxsize=16)
def _pooled_client(base_url: str, transport: httpx.BaseTransport | None) -> httpx.Client:
    """One long-lived client (and connection pool) per carrier address, shared by all threads.

    A new `httpx.Client` per call cost 10-60 ms here (it loads the TLS trust store every time), more
    than the carrier call itself. A keep-alive connection the carrier closed fails one attempt, and
    the retry below opens a new one.
    """
    return httpx.Client(base_url=base_url, transport=transport)


@dataclass(frozen=True)
class CarrierClient:
    base_url: str
    timeout_s: float = 3.0  # the whole call, retries and backoff included
    attempt_timeout_s: float = 1.0  # one HTTP attempt
    max_attempts: int = 3
    fault: str | None = None  # sent as X-Carrier-Fault on every call: reliability tests and demos
    transport: httpx.BaseTransport | None = None
    token: str | None = field(default=None, repr=False)  # the shared secret, sent as a bearer token

    def track(self, tracking_number: str, language: Language = "en", *, fault: str | None = None) -> Tracking:
        """The parcel's scan events, in `language` where the carrier has the text."""
        response = self._request("GET", f"/tracking/{tracking_number}", params={"lang": language}, fault=fault)
        if response.status_code == 404:
            raise TrackingNotFound(f"The carrier has no record of tracking number {tracking_number} yet.")
        return self._parse(response, Tracking, f"tracking {tracking_number}")

    def create_label(self, rma: str, order_id: str, *, fault: str | None = None) -> Label:
        """Book the return parcel for `rma` and get its printable label; asking again returns the same label."""
        body = LabelRequest(rma=rma, order_id=order_id).model_dump()
        # Retrying a POST is safe here: the carrier books at most one parcel per RMA.
        response = self._request("POST", "/labels", json=body, fault=fault)
        if 400 <= response.status_code < 500:
            log.warning("carrier refused a label for %s: %s %s", rma, response.status_code, response.text[:200])
            raise LabelRefused(f"The carrier could not create a label for return {rma}.")
        return self._parse(response, Label, f"label {rma}")

    def label_png(self, tracking_number: str, *, fault: str | None = None) -> bytes:
        """The printable label of a return parcel, as PNG bytes (what `Label.label_url` serves)."""
        response = self._request("GET", f"/labels/{tracking_number}.png", fault=fault)
        if response.status_code == 404:
            raise TrackingNotFound(f"The carrier has no return label for tracking number {tracking_number}.")
        if response.status_code == 410:
            raise LabelVoided(f"The return label {tracking_number} was voided and must not be used.")
        if response.status_code >= 400 or not response.content.startswith(b"\x89PNG"):
            log.warning("carrier sent no PNG for label %s: %s", tracking_number, response.status_code)
            raise CarrierUnavailable("The carrier gave an answer I couldn't use. Please try again later.")
        return response.content

    def void_label(self, tracking_number: str, *, fault: str | None = None) -> VoidedLabel:
        """Void a return label (its return was cancelled); voiding it again answers the same."""
        # Retrying is safe: voiding is idempotent at the carrier.
        response = self._request("POST", f"/labels/{tracking_number}/void", fault=fault)
        if response.status_code == 404:
            raise TrackingNotFound(f"The carrier has no return label for tracking number {tracking_number}.")
        return self._parse(response, VoidedLabel, f"void {tracking_number}")

    def create_shipment(self, reference: str, order_id: str, *, fault: str | None = None) -> OutboundShipment:
        """Book the replacement parcel of exchange `reference`; asking again returns the same parcel."""
        body = ShipmentRequest(reference=reference, order_id=order_id).model_dump()
        # Retrying a POST is safe here: the carrier books at most one replacement per exchange.
        response = self._request("POST", "/shipments", json=body, fault=fault)
        if 400 <= response.status_code < 500:
            log.warning(
                "carrier refused a shipment for %s: %s %s", reference, response.status_code, response.text[:200]
            )
            raise ShipmentRefused(f"The carrier could not book the replacement for exchange {reference}.")
        return self._parse(response, OutboundShipment, f"shipment {reference}")

    def cancel_shipment(self, tracking_number: str, *, fault: str | None = None) -> CancelledShipment:
        """Stop a replacement parcel (its exchange was cancelled); cancelling it again answers the same."""
        response = self._request("POST", f"/shipments/{tracking_number}/cancel", fault=fault)
        if response.status_code == 404:
            raise TrackingNotFound(f"The carrier has no replacement parcel with tracking number {tracking_number}.")
        return self._parse(response, CancelledShipment, f"cancel {tracking_number}")

    def _request(self, method: str, path: str, *, fault: str | None, **kwargs: object) -> httpx.Response:
        headers = {FAULT_HEADER: value} if (value := fault or self.fault) else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        deadline = time.monotonic() + self.timeout_s
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts) | stop_before_delay(self.timeout_s),
            wait=wait_exponential(multiplier=0.1, max=1.0),
            retry=retry_if_exception_type(RETRYABLE),
            reraise=True,
        )
        try:
            http = _pooled_client(self.base_url, self.transport)
            for attempt in retrying:
                with attempt:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise httpx.TimeoutException("the call's time budget is spent")
                    # kwargs: json / params as the caller gave them
                    response = http.request(
                        method,
                        path,
                        headers=headers,
                        timeout=min(self.attempt_timeout_s, remaining),
                        **kwargs,  # type: ignore[arg-type]
                    )
                    if response.status_code >= 500:
                        raise _ServerError(f"{response.status_code} {response.text[:200]}")
                    if response.status_code == 401:  # not worth a retry: the configuration is wrong
                        log.error(
                            "the carrier refused our credentials (401): RETURNDESK_CARRIER_TOKEN must be "
                            "the carrier's token"
                        )
                        raise CarrierUnavailable(
                            "The carrier's system is not answering right now. Please try again in a few minutes."
                        )
                    return response
        except (httpx.HTTPError, _ServerError) as error:
            log.warning("carrier %s %s failed: %r", method, path, error)
            raise CarrierUnavailable(
                "The carrier's system is not answering right now. Please try again in a few minutes."
            ) from error
        raise AssertionError("unreachable: tenacity either returns or re-raises")

    def _parse(self, response: httpx.Response, model: type[M], what: str) -> M:
        if response.status_code >= 400:
            log.warning("carrier answered %s for %s: %s", response.status_code, what, response.text[:200])
            raise CarrierUnavailable("The carrier gave an answer I couldn't use. Please try again later.")
        try:
            return model.model_validate(response.json())
        except (ValueError, ValidationError) as error:
            log.warning("carrier sent an unreadable answer for %s: %r", what, error)
            raise CarrierUnavailable("The carrier gave an answer I couldn't use. Please try again later.") from error
