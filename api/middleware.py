"""ASGI middlewares that protect the service: a request-body limit and a per-client rate limit.

Both are plain ASGI (no ``BaseHTTPMiddleware``): they answer before the application reads
anything, and their refusals are rendered by :func:`api.errors.error_response` like every other
error. CORS is configured in :func:`api.app.create_app` (any origin, never credentials).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PayloadTooLarge, TooManyRequests, error_response
from api.settings import ApiSettings
from kg.errors import InputError, LskgError

__all__ = ["BodyLimitMiddleware", "RateLimitMiddleware", "TokenBucket", "install"]


async def _refuse(scope: Scope, receive: Receive, send: Send, exc: LskgError) -> None:
    response = error_response(Request(scope), exc)
    await response(scope, receive, send)


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413.

    A declared ``Content-Length`` over the limit is refused before any byte of the body is
    read; a chunked body is counted as it arrives and refused as soon as it passes the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _refuse(scope, receive, send, InputError("Content-Length is not a number"))
                return
            if length > self.max_bytes:
                await _refuse(scope, receive, send, self._too_large())
                return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, counted, send)

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"the request body is larger than the limit of {self.max_bytes} bytes")


class TokenBucket:
    """Token buckets per key: ``rate`` tokens a second, at most ``capacity`` saved up.

    Examples
    --------
    >>> now = [0.0]
    >>> buckets = TokenBucket(rate=1.0, capacity=2, clock=lambda: now[0])
    >>> [buckets.take("a") for _ in range(3)]
    [0.0, 0.0, 1.0]
    >>> now[0] = 1.0
    >>> buckets.take("a"), buckets.take("b")
    (0.0, 0.0)
    """

    def __init__(self, rate: float, capacity: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = max(capacity, 1)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        """Take a token for ``key``: 0 if granted, else the seconds until one is available."""
        now = self.clock()
        tokens, last = self._buckets.get(key, (float(self.capacity), now))
        tokens = min(float(self.capacity), tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > 10_000:
                self._forget_full(now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate if self.rate > 0 else math.inf

    def _forget_full(self, now: float) -> None:
        # A bucket that has refilled is the same as no bucket: drop those to bound memory.
        for key, (tokens, last) in list(self._buckets.items()):
            if tokens + (now - last) * self.rate >= self.capacity:
                del self._buckets[key]


class RateLimitMiddleware:
    """Answer 429 with ``Retry-After`` to a client address that has used up its bucket.

    The key is the connection's peer address; behind a reverse proxy, run uvicorn with
    ``--proxy-headers`` and ``--forwarded-allow-ips`` so that it is the client's. CORS
    preflight requests (``OPTIONS``) are not counted.
    """

    def __init__(self, app: ASGIApp, per_minute: int, burst: int) -> None:
        self.app = app
        self.buckets = TokenBucket(per_minute / 60.0, burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.buckets.take(client[0] if client else "-")
        if wait > 0:
            await _refuse(scope, receive, send, TooManyRequests(max(1, math.ceil(wait))))
            return
        await self.app(scope, receive, send)


def install(app: FastAPI, settings: ApiSettings) -> None:
    """Add the body limit and the rate limit to ``app`` (call before adding CORS, so that
    CORS wraps them and their refusals carry the CORS headers too)."""
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimitMiddleware, per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst
    )
