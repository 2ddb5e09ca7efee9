"""Domain errors mapped to HTTP, in one place.

API paths answer with ``{"error": {"code", "message", "field"}}``; pages answer browsers with an
HTML error page carrying the same code and message.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from qalxan.errors import (
    Conflict,
    DoctrineLoadError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    QalxanError,
    TooManyRequests,
    Unauthorized,
)
from qalxan.web.templating import render_error

STATUS: dict[type[QalxanError], int] = {
    NotFound: 404,
    InvalidInput: 422,
    Conflict: 409,
    PayloadTooLarge: 413,
    DoctrineLoadError: 422,
    Unauthorized: 401,
    Forbidden: 403,
    TooManyRequests: 429,
}
log = logging.getLogger(__name__)


def status_of(exc: QalxanError) -> int:
    """The HTTP status of a domain error, its subclasses included (400 when unmapped)."""
    return next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
}


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def _respond(request: Request, status: int, body: dict[str, Any]) -> Response:
    if not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    ):
        return render_error(request, status, body["error"])
    return JSONResponse(body, status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a clear 4xx/5xx body."""

    @app.exception_handler(QalxanError)
    async def domain_error(request: Request, exc: QalxanError) -> Response:
        status = status_of(exc)
        response = _respond(request, status, error_body(exc.code, exc.message, exc.field))
        if isinstance(exc, Unauthorized):
            response.headers["WWW-Authenticate"] = 'Bearer realm="qalxan"'
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        loc = [str(p) for p in first["loc"] if p not in ("body", "query", "path", "header")]
        field = ".".join(loc) or None
        message = f"{field}: {first['msg']}" if field else str(first["msg"])
        details = [
            {"field": ".".join(str(p) for p in e["loc"][1:]), "reason": e["msg"]} for e in errors
        ]
        return _respond(request, 422, error_body("invalid_input", message, field, details=details))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route matches {request.url.path}"
        response = _respond(request, exc.status_code, error_body(code, message))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _respond(request, 500, error_body("internal_error", "internal server error"))
