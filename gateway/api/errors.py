"""One error body for every route: ``{"error": {"code", "message", "details"}}``.

Handlers translate FastAPI's own errors (validation, 404, 405), the store's errors and anything
unexpected; a body over the size limit is refused before it is read.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.errors import BadInput
from hrcore.errors import InvalidData, NotFound, StoreError

log = logging.getLogger(__name__)

#: default limit of a request body (a batch of 5,000 punches is about 2 MiB)
MAX_BODY_BYTES = 8 * 1024 * 1024

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorOut(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """Raised by routes: the status, a stable code and a message saying what to do."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.details = details
        self.headers = headers


#: for route decorators: every route documents the error body
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorOut, "description": "Bad request, authentication or permission"},
}


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorOut(
        error=ErrorDetail(
            code=code or _CODES.get(status, "error"),
            message=message,
            details=jsonable_encoder(details),
        )
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(
        exc.status, exc.message, code=exc.code, details=exc.details, headers=exc.headers
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    if isinstance(detail, str):
        message, details = detail, None
    else:
        message, details = _CODES.get(exc.status_code, "error").replace("_", " "), detail
    return error_response(
        exc.status_code, message, details=details, headers=getattr(exc, "headers", None)
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    first = problems[0] if problems else {"loc": [], "msg": "invalid"}
    where = ".".join(str(p) for p in first["loc"])
    return error_response(422, f"{where}: {first['msg']}", details=problems)


async def store_error_response(_request: Request, exc: Exception) -> JSONResponse:
    """The error body of a store refusal (or a gateway's bad-input error)."""
    if isinstance(exc, BadInput):
        return error_response(422, str(exc), code="invalid_input")
    if isinstance(exc, NotFound):
        return error_response(404, str(exc))
    if isinstance(exc, InvalidData):
        return error_response(422, str(exc), code="invalid_data")
    log.error("store error type=%s message=%s", type(exc).__name__, exc)
    return error_response(503, str(exc))


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error type=%s", type(exc).__name__, exc_info=exc)
    return error_response(500, "internal error; the gateway's log has the details")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StoreError, store_error_response)
    app.add_exception_handler(BadInput, store_error_response)
    app.add_exception_handler(Exception, _unexpected)


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets 413 with the error body."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.max_bytes
                except ValueError:
                    too_big = True
                if too_big:
                    await self._refuse(scope, receive, send)
                    return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # an HTTPException passes FastAPI's body parsing unchanged (others become
                    # 400), and the handler above gives it the error body
                    raise HTTPException(413, detail=self._message())
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, self._message())
        await response(scope, receive, send)

    def _message(self) -> str:
        return f"request body over {self.max_bytes} bytes; send smaller batches"
