"""One error shape for the whole API: `{"error": {"code", "message"}}`, never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ui.conversation import ConversationError

log = logging.getLogger(__name__)

STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 413: "body_too_large", 415: "unsupported_media_type",
                429: "rate_limited"}


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


def install_error_handlers(app: FastAPI, count_error: callable) -> None:  # type: ignore[valid-type]
    @app.exception_handler(ConversationError)
    async def conversation_error(_request: Request, error: ConversationError) -> JSONResponse:
        return error_response(error.status, error.code, str(error), error.headers)

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

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _error: Exception) -> JSONResponse:
        log.exception("unhandled error")
        count_error()
        return error_response(500, "internal_error",
                              "Something went wrong on our side. Your conversation is safe; please try again.")
