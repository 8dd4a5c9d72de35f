"""The carrier (logistics) service: a separate FastAPI app on its own port.

    GET  /tracking/{number}          scan events of a parcel (?lang=zh or Accept-Language: zh)
    POST /labels                     book a return parcel for an RMA and make its label
    GET  /labels/{number}.png        the printable label (Code128 barcode of the tracking number); 410 once voided
    POST /labels/{number}/void       void a return label (the return was cancelled); idempotent
    POST /shipments                  book an exchange's replacement parcel (outbound), tracked like any parcel
    POST /shipments/{number}/cancel  stop a replacement parcel (the exchange was cancelled); idempotent
    GET  /healthz                    liveness (never fault-injected)

Errors are JSON `{"code", "error"}` with a message safe to show a customer. With a token configured
(`RETURNDESK_CARRIER_TOKEN`), every route but /healthz and the docs answers 401 without it (`auth.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from core import languages
from mock_backends.logistics import records
from mock_backends.logistics.auth import install_token_check
from mock_backends.logistics.faults import FaultConfig, install_faults
from mock_backends.logistics.labels import render_return_label
from mock_backends.logistics.schemas import (
    CancelledShipment,
    CarrierErrorBody,
    Label,
    LabelRequest,
    Language,
    OutboundShipment,
    ShipmentRequest,
    Tracking,
    VoidedLabel,
)
from mock_backends.logistics.timeline import track
from mock_backends.orders.models import utcnow

TRACKING_NUMBER = re.compile(r"[A-Za-z0-9-]{4,40}")
ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": CarrierErrorBody}, 503: {"model": CarrierErrorBody}}
LABEL_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 410: {"model": CarrierErrorBody}}


class CarrierHTTPError(HTTPException):
    def __init__(self, status_code: int, code: str, error: str) -> None:
        super().__init__(status_code=status_code, detail={"code": code, "error": error})


def create_carrier_app(
    engine: Engine, faults: FaultConfig | None = None, clock: Callable[[], datetime] = utcnow, token: str | None = None
) -> FastAPI:
    """The carrier's API; `token`: the shared secret every call must bear (None: open, for tests)."""
    app = FastAPI(
        title="ReturnDesk Express (mock carrier)",
        version="0.1.0",
        description="Parcel tracking and return labels. Send `X-Carrier-Fault` to make it fail on purpose.",
    )
    install_faults(app, faults or FaultConfig())
    install_token_check(app, token)  # added last, so it runs first: no fault or route before the check
    _install_error_handlers(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/tracking/{number}", response_model=Tracking, responses=ERRORS)
    def get_tracking(
        number: str,
        lang: Annotated[
            Language | None,
            Query(max_length=35, description=("A language code (en, zh, ...); default: Accept-Language, else English")),
        ] = None,
        accept_language: Annotated[str | None, Header()] = None,
    ) -> Tracking:
        _check_number(number)
        if lang is not None and languages.resolve(lang) is None:
            raise CarrierHTTPError(422, "invalid_request", f"lang: one of {', '.join(languages.codes())}")
        parcel = records.find_parcel(engine, number.upper())
        if parcel is None:
            raise CarrierHTTPError(404, "tracking_not_found", f"No parcel with tracking number {number}.")
        return track(parcel, clock(), languages.get(lang or accept_language).code)

    @app.post("/labels", response_model=Label, status_code=status.HTTP_201_CREATED, responses=ERRORS)
    def create_label(body: LabelRequest, request: Request, response: Response) -> Label:
        try:
            shipment, created = records.book_return_shipment(engine, rma=body.rma, order_id=body.order_id, now=clock())
        except records.UnknownReturn as error:
            raise CarrierHTTPError(404, "return_not_found", str(error)) from error
        if not created:
            response.status_code = status.HTTP_200_OK  # the label booked earlier for this RMA
        return Label(
            rma=body.rma.strip().upper(),
            order_id=shipment.order_id,
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            label_url=str(request.url_for("get_label", number=shipment.tracking_number)),
        )

    @app.get("/labels/{number}.png", name="get_label", response_class=Response, responses=LABEL_ERRORS)
    def get_label(number: str) -> Response:
        _check_number(number)
        facts = records.return_label_facts(engine, number.upper())
        if facts is None:
            raise CarrierHTTPError(404, "label_not_found", f"No return label for tracking number {number}.")
        if facts.voided_at is not None:
            raise CarrierHTTPError(410, "label_voided", f"The return label {number} was voided and must not be used.")
        return Response(render_return_label(facts), media_type="image/png")

    @app.post("/labels/{number}/void", response_model=VoidedLabel, responses=ERRORS)
    def void_label(number: str) -> VoidedLabel:
        """Void a return label: the parcel will not be sent. Voiding it again answers the same."""
        _check_number(number)
        shipment = records.void_return_label(engine, number.upper(), clock())
        if shipment is None or shipment.voided_at is None:
            raise CarrierHTTPError(404, "label_not_found", f"No return label for tracking number {number}.")
        return VoidedLabel(tracking_number=shipment.tracking_number, voided_at=shipment.voided_at)

    @app.post("/shipments", response_model=OutboundShipment, status_code=status.HTTP_201_CREATED, responses=ERRORS)
    def create_shipment(body: ShipmentRequest, response: Response) -> OutboundShipment:
        """Book the replacement parcel of an exchange; asking again returns the parcel booked before."""
        try:
            shipment, created = records.book_outbound_shipment(
                engine, reference=body.reference, order_id=body.order_id, now=clock()
            )
        except records.UnknownReturn as error:
            raise CarrierHTTPError(404, "exchange_not_found", str(error)) from error
        if not created:
            response.status_code = status.HTTP_200_OK
        return OutboundShipment(
            reference=body.reference.strip().upper(),
            order_id=shipment.order_id,
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            handed_over_at=shipment.created_at,
        )

    @app.post("/shipments/{number}/cancel", response_model=CancelledShipment, responses=ERRORS)
    def cancel_shipment(number: str) -> CancelledShipment:
        """Stop a replacement parcel: tracking then says it was cancelled. Cancelling again answers the same."""
        _check_number(number)
        try:
            shipment = records.cancel_outbound_shipment(engine, number.upper(), clock())
        except records.UnknownShipment as error:
            raise CarrierHTTPError(404, "shipment_not_found", str(error)) from error
        assert shipment.voided_at is not None
        return CancelledShipment(tracking_number=shipment.tracking_number, cancelled_at=shipment.voided_at)

    return app


def _check_number(number: str) -> None:
    if not TRACKING_NUMBER.fullmatch(number):
        raise CarrierHTTPError(404, "tracking_not_found", "That is not a tracking number we issue.")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        body = error.detail if isinstance(error.detail, dict) else {"code": "http_error", "error": str(error.detail)}
        return JSONResponse(body, status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return JSONResponse(
            {"code": "invalid_request", "error": f"{where}: {first.get('msg', 'invalid')}"}, status_code=422
        )
