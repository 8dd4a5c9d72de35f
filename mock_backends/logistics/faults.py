"""Failing on purpose: latency, errors and timeouts, from settings or per request (`X-Carrier-Fault`).

Header values, comma-separated: `error` (answer 503), `timeout` (hold the request for `hang_s`, then
answer 504 without doing anything), `latency=800` (wait 800 ms first). `/healthz` never fails.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

FAULT_HEADER = "X-Carrier-Fault"
MAX_LATENCY_MS = 60_000


@dataclass(frozen=True)
class FaultConfig:
    """Faults applied to every request (the service's settings)."""

    latency_ms: int = 0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    hang_s: float = 30.0


@dataclass(frozen=True)
class Fault:
    """Faults for one request."""

    latency_ms: int = 0
    error: bool = False
    timeout: bool = False


class InvalidFaultHeader(ValueError):
    pass


def parse_fault_header(value: str) -> Fault:
    latency, error, timeout = 0, False, False
    for part in (p.strip().lower() for p in value.split(",") if p.strip()):
        if part == "error":
            error = True
        elif part == "timeout":
            timeout = True
        elif part.startswith("latency="):
            number = part.removeprefix("latency=")
            if not number.isdigit() or int(number) > MAX_LATENCY_MS:
                raise InvalidFaultHeader(f"{FAULT_HEADER}: latency must be 0-{MAX_LATENCY_MS} ms, got {number!r}.")
            latency = int(number)
        else:
            raise InvalidFaultHeader(f"{FAULT_HEADER}: unknown fault {part!r}; use error, timeout or latency=MS.")
    return Fault(latency_ms=latency, error=error, timeout=timeout)


class FaultSchedule:
    """Which requests fail at a configured rate.

    Our own counter instead of `random`: the n-th request fails when floor(n * rate) grows, an exact
    and repeatable share (rate 0.5 fails every second request), so a demo or test sees the same run twice.
    """

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._count = 0
        self._lock = threading.Lock()

    def next_fails(self) -> bool:
        with self._lock:
            self._count += 1
            return int(self._count * self.rate) > int((self._count - 1) * self.rate)


def install_faults(app: FastAPI, config: FaultConfig) -> None:
    errors, timeouts = FaultSchedule(config.error_rate), FaultSchedule(config.timeout_rate)

    @app.middleware("http")
    async def inject_faults(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path == "/healthz":
            return await call_next(request)
        try:
            fault = parse_fault_header(request.headers.get(FAULT_HEADER, ""))
        except InvalidFaultHeader as error:
            return JSONResponse({"code": "invalid_fault_header", "error": str(error)}, status_code=400)
        latency_ms = config.latency_ms + fault.latency_ms
        if latency_ms:
            await asyncio.sleep(latency_ms / 1000)
        if fault.timeout or timeouts.next_fails():
            await asyncio.sleep(config.hang_s)
            return JSONResponse(
                {"code": "carrier_timeout", "error": "The carrier did not answer in time."}, status_code=504
            )
        if fault.error or errors.next_fails():
            return JSONResponse(
                {"code": "carrier_unavailable", "error": "The carrier service is temporarily unavailable."},
                status_code=503,
            )
        return await call_next(request)
