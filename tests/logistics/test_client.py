"""The carrier client: clear, customer-safe errors within its time budget, with bounded retries."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy.engine import Engine

from core.settings import Settings
from mock_backends.logistics.client import (
    CarrierClient,
    CarrierUnavailable,
    LabelRefused,
    LabelVoided,
    TrackingNotFound,
)
from mock_backends.logistics.faults import FaultConfig
from tests.logistics.server import closed_port_url, running_carrier, tracking_number_of


class CountingTransport(httpx.HTTPTransport):
    """A real HTTP transport that counts the requests it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return super().handle_request(request)


def assert_customer_safe(error: Exception) -> None:
    text = str(error)
    assert "try again" in text
    assert not any(word in text.lower() for word in ("httpx", "errno", "traceback", "127.0.0.1", "503"))


def test_tracking_returns_the_timeline_in_the_customers_language(carrier_url: str, engine: Engine) -> None:
    number = tracking_number_of(engine, "#W1000012")
    tracking = CarrierClient(carrier_url).track(number, "zh")
    assert tracking.tracking_number == number and tracking.status == "in_transit"
    assert tracking.status_text == "运输中"


def test_unknown_tracking_number_is_a_typed_not_found(carrier_url: str) -> None:
    with pytest.raises(TrackingNotFound, match="RD999999999"):
        CarrierClient(carrier_url).track("RD999999999")


def test_label_for_an_unknown_return_is_refused_clearly(carrier_url: str) -> None:
    with pytest.raises(LabelRefused, match="RMA-NOPE"):
        CarrierClient(carrier_url).create_label("RMA-NOPE", "#W1000001")


def test_carrier_down_is_reported_within_twice_the_budget_after_bounded_retries() -> None:
    transport = CountingTransport()
    client = CarrierClient(closed_port_url(), timeout_s=1.0, attempt_timeout_s=0.5, max_attempts=3, transport=transport)
    started = time.monotonic()
    with pytest.raises(CarrierUnavailable) as raised:
        client.track("RD100000004")
    assert time.monotonic() - started < 2 * client.timeout_s
    assert transport.requests == 3
    assert_customer_safe(raised.value)


@pytest.mark.parametrize("fault", ["timeout", "latency=2000"])
def test_a_slow_carrier_is_given_up_on_within_twice_the_budget(carrier_url: str, engine: Engine, fault: str) -> None:
    transport = CountingTransport()
    client = CarrierClient(carrier_url, timeout_s=1.0, attempt_timeout_s=0.4, max_attempts=5, transport=transport)
    started = time.monotonic()
    with pytest.raises(CarrierUnavailable) as raised:
        client.track(tracking_number_of(engine, "#W1000004"), fault=fault)
    assert time.monotonic() - started < 2 * client.timeout_s
    assert 2 <= transport.requests <= 5, "slow attempts are retried, but only while the budget lasts"
    assert_customer_safe(raised.value)


def test_server_errors_are_retried_a_bounded_number_of_times(carrier_url: str, engine: Engine) -> None:
    transport = CountingTransport()
    client = CarrierClient(carrier_url, max_attempts=3, fault="error", transport=transport)
    with pytest.raises(CarrierUnavailable) as raised:
        client.track(tracking_number_of(engine, "#W1000004"))
    assert transport.requests == 3
    assert_customer_safe(raised.value)


def test_a_transient_server_error_is_retried_and_the_customer_never_sees_it(settings: Settings, engine: Engine) -> None:
    number = tracking_number_of(engine, "#W1000004")
    with running_carrier(settings.resolved_database_url, FaultConfig(error_rate=0.5)) as url:
        transport = CountingTransport()
        client = CarrierClient(url, transport=transport)
        first, second = client.track(number), client.track(number)  # the carrier fails every second request
    assert first.status == second.status == "in_transit"
    assert transport.requests == 3


def test_not_found_is_not_retried(carrier_url: str) -> None:
    transport = CountingTransport()
    with pytest.raises(TrackingNotFound):
        CarrierClient(carrier_url, transport=transport).track("RD999999999")
    assert transport.requests == 1


def test_a_voided_label_is_typed_and_voiding_is_retried_while_the_carrier_fails(
    carrier_url: str, engine: Engine
) -> None:
    from tests.logistics.test_carrier_service import make_return

    client = CarrierClient(carrier_url)
    label = client.create_label(make_return(engine), "#W1000001")
    transport = CountingTransport()
    with pytest.raises(CarrierUnavailable) as raised:
        CarrierClient(carrier_url, max_attempts=3, fault="error", transport=transport).void_label(label.tracking_number)
    assert transport.requests == 3, "a failing void is retried like any other call, then given up on"
    assert_customer_safe(raised.value)
    assert client.label_png(label.tracking_number).startswith(b"\x89PNG"), "the label stays valid until voided"

    assert client.void_label(label.tracking_number) == client.void_label(label.tracking_number)
    with pytest.raises(LabelVoided, match="must not be used"):
        client.label_png(label.tracking_number)
    with pytest.raises(TrackingNotFound):
        client.void_label("RR0000000000")
