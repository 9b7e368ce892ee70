"""The one place where lskg errors become HTTP responses.

Each :class:`kg.errors.LskgError` subclass maps to a status and keeps its stable ``code``; the
body is JSON ``{"error": code, "message": ...}`` (plain text for SPARQL clients that ask for
it, HTML for browsers).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from kg.errors import (
    InputError,
    LskgError,
    NotFound,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    StoreUnavailable,
    ValidationFailed,
)

__all__ = [
    "STATUS",
    "NotAcceptable",
    "PayloadTooLarge",
    "TooManyRequests",
    "Unauthorized",
    "UnsupportedMediaType",
    "error_response",
    "install",
]


class NotAcceptable(LskgError):
    """No offered media type matches the request's ``Accept`` header."""

    code = "not-acceptable"

    def __init__(self, offered: list[str]) -> None:
        super().__init__("none of the offered media types is acceptable; offered: " + ", ".join(offered))
        self.offered = offered


class Unauthorized(LskgError):
    """The request needs a bearer token it did not send (401) or sent a wrong one (403)."""

    code = "unauthorized"

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


class PayloadTooLarge(LskgError):
    """The request body is larger than the configured limit."""

    code = "payload-too-large"


class UnsupportedMediaType(LskgError):
    """A request body comes in a media type the route does not read."""

    code = "unsupported-media-type"


class TooManyRequests(LskgError):
    """A client sent more requests than its rate limit allows; ``retry_after`` is in seconds."""

    code = "rate-limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests from this address; try again in {retry_after} s")
        self.retry_after = retry_after


STATUS: dict[type[LskgError], int] = {
    QuerySyntaxError: 400,
    QueryRefused: 400,
    InputError: 400,
    NotFound: 404,
    NotAcceptable: 406,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    TooManyRequests: 429,
    ValidationFailed: 422,
    QueryTimeout: 503,
    StoreUnavailable: 503,
}


def status_for(exc: LskgError) -> int:
    """The HTTP status of an lskg error (most specific class wins)."""
    if isinstance(exc, Unauthorized):
        return exc.status
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def error_response(request: Request, exc: LskgError) -> Response:
    """Render ``exc`` in the form the client asked for."""
    status = status_for(exc)
    headers = {"Vary": "Accept"}
    if isinstance(exc, QueryTimeout | StoreUnavailable):
        headers["Retry-After"] = "5"
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized) and exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="lskg"'
    accept = request.headers.get("accept", "")
    body: dict[str, object] = {"error": exc.code, "message": str(exc)}
    if isinstance(exc, NotAcceptable):
        body["offered"] = exc.offered
    if isinstance(exc, ValidationFailed) and exc.report is not None and hasattr(exc.report, "to_json"):
        import json

        body["report"] = json.loads(exc.report.to_json())
    if "text/html" in accept and "json" not in accept:
        from html import escape

        page = f"<!doctype html><title>{status} {escape(exc.code)}</title><h1>{status}</h1><p>{escape(str(exc))}</p>"
        return HTMLResponse(page, status_code=status, headers=headers)
    if accept.startswith("text/plain"):
        return PlainTextResponse(f"{exc.code}: {exc}\n", status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handler for every lskg error on ``app``."""

    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LskgError)
        return error_response(request, exc)

    app.add_exception_handler(LskgError, handle)
