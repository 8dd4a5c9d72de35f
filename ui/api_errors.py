"""One error shape for the whole API: `{"error": {"code", "message"}}`, never a stack trace."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.admin import is_database_busy
from service.conversation import ConversationError

log = logging.getLogger(__name__)

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "unavailable",
}


class ApiError(Exception):
    """Raised by routes and guards; rendered with the error schema."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.headers = status, code, headers


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}}, headers=headers)


def validation_message(error: RequestValidationError) -> tuple[int, str, str]:
    problems = error.errors()
    first = problems[0] if problems else {"loc": (), "msg": "invalid request", "type": ""}
    if first.get("type") == "json_invalid":
        return 400, "malformed_json", "The request body is not valid JSON."
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    message = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
    return 422, "invalid_request", f"{where}: {message}" if where else message


def install_error_handlers(app: FastAPI, count_error: Callable[[], None]) -> None:
    @app.exception_handler(ConversationError)
    async def conversation_error(_request: Request, error: ConversationError) -> JSONResponse:
        return error_response(error.status, error.code, str(error), getattr(error, "headers", None))

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.code, str(error), error.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        return error_response(*validation_message(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400 and "parsing the body" in str(error.detail):
            # FastAPI's answer to a body it cannot decode (e.g. invalid UTF-8)
            return error_response(400, "malformed_body", "The request body could not be read as UTF-8 JSON.")
        code = STATUS_CODES.get(error.status_code, "error")
        return error_response(error.status_code, code, str(error.detail), getattr(error, "headers", None))

    async def database_error(_request: Request, error: Exception) -> JSONResponse:
        if is_database_busy(error):  # another process held the lock longer than RETURNDESK_DB_BUSY_TIMEOUT_S
            log.warning("database busy: %s", type(error).__name__)
            return error_response(
                503,
                "database_busy",
                "The order database is busy right now; nothing was changed. Please try again in a few seconds.",
                {"Retry-After": "5"},
            )
        log.error("unhandled database error", exc_info=error)
        count_error()
        return error_response(
            500, "internal_error", "Something went wrong on our side. Your conversation is safe; please try again."
        )

    # Handled here, not as a bare Exception, so a busy database is an answer rather than a server error.
    app.add_exception_handler(sqlalchemy.exc.OperationalError, database_error)
    app.add_exception_handler(sqlite3.OperationalError, database_error)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _error: Exception) -> JSONResponse:
        log.exception("unhandled error")
        count_error()
        return error_response(
            500, "internal_error", "Something went wrong on our side. Your conversation is safe; please try again."
        )
