"""ASGI middlewares: a request-body limit, a per-client rate limit, and a response cache.

All are plain ASGI (no ``BaseHTTPMiddleware``). The limits answer before the application reads
anything, and their refusals are rendered by :func:`api.errors.error_response` like every other
error. CORS is configured in :func:`api.app.create_app` (any origin, never credentials).

:class:`ResponseCache` keeps the pages of resources (linked data, the JSON API, ontology,
dataset) per store version: a build never changes, so a page rendered for it stays exact until
the store link points at a new build, and then every entry of the old version is dropped.
Cached responses carry a strong ``ETag`` (store version, software version, URL and ``Accept``)
and ``Last-Modified`` (build time), and a matching ``If-None-Match`` (or, without one, an
``If-Modified-Since`` no older than the build) is answered ``304 Not Modified`` without
rendering anything.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PayloadTooLarge, TooManyRequests, error_response
from api.settings import ApiSettings
from kg import __version__
from kg.errors import InputError, LskgError
from kg.store import OxigraphStore, Store, read_manifest

__all__ = [
    "CACHED_PATHS",
    "BodyLimitMiddleware",
    "RateLimitMiddleware",
    "ResponseCache",
    "ResponseCacheMiddleware",
    "TokenBucket",
    "built_at",
    "install",
    "not_modified",
]


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


# Paths whose GET answers depend only on the store version, the URL, ``Accept`` and the host
# (pages link to absolute URLs on the host that answered). SPARQL and named queries have their
# own result cache (kg.executor.ResultCache); dumps are files with their own ETag.
CACHED_PATHS = (
    "/id/",
    "/graph/",
    "/organisations",
    "/people",
    "/areas",
    "/infrastructures",
    "/ontology",
    "/shapes",
    "/dataset",
    "/.well-known/void",
)
RESPONSE_CACHE_BYTES = 32_000_000


@dataclass(frozen=True)
class CachedResponse:
    """A complete response: status, headers (as ASGI sends them) and body."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class ResponseCache:
    """Complete responses of one store version, least recently used first out, bounded in bytes.

    Entries larger than a sixteenth of ``max_bytes`` are not kept. A lookup or an insertion for
    another version than the one held drops everything held first.

    Examples
    --------
    >>> cache = ResponseCache(max_bytes=1000)
    >>> cache.put("v1", "k", CachedResponse(200, (), b"page"))
    >>> cache.get("v1", "k").body, cache.get("v2", "k"), cache.get("v1", "k")
    (b'page', None, None)
    """

    def __init__(self, max_bytes: int = RESPONSE_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._version: str | None = None
        self._entries: OrderedDict[str, CachedResponse] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, version: str, key: str) -> CachedResponse | None:
        """The response cached for ``key`` in store ``version``, if any."""
        with self._lock:
            self._switch(version)
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, version: str, key: str, response: CachedResponse) -> None:
        """Keep ``response`` for ``key`` in store ``version`` (unless it is too large)."""
        size = len(response.body) + len(key)
        if size > self.max_bytes // 16:
            return
        with self._lock:
            self._switch(version)
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old.body) + len(key)
            self._entries[key] = response
            self._size += size
            while self._size > self.max_bytes and self._entries:
                dropped_key, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped.body) + len(dropped_key)

    def __len__(self) -> int:
        return len(self._entries)

    def _switch(self, version: str) -> None:
        if version != self._version:
            self._entries.clear()
            self._size = 0
            self._version = version


class ResponseCacheMiddleware:
    """Serve GET requests of :data:`CACHED_PATHS` from a :class:`ResponseCache` per store version.

    The store comes from the app's :class:`api.deps.StoreProvider` (``app.state.store_provider``),
    so a rebuild (a new version behind the store link) is seen on the next request. Only ``200``
    answers are kept; an answer rendered while the store changed version is not. Responses say
    whether they came from the cache in ``X-LSKG-Cache`` (``hit`` or ``miss``).
    """

    def __init__(self, app: ASGIApp, max_bytes: int = RESPONSE_CACHE_BYTES) -> None:
        self.app = app
        self.cache = ResponseCache(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith(CACHED_PATHS)
            or self.cache.max_bytes <= 0
        ):
            await self.app(scope, receive, send)
            return
        try:
            store, version = await _store_version(scope)
        except LskgError:
            # No store (yet): the application answers with the error.
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = _key(scope, headers)
        etag = f'"{hashlib.sha256(f"{version}|{__version__}|{key}".encode()).hexdigest()[:32]}"'
        modified = built_at(store)
        validators = [(b"etag", etag.encode()), (b"cache-control", b"public, max-age=60")]
        if modified is not None:
            validators.append((b"last-modified", format_datetime(modified, usegmt=True).encode()))
        head = scope["method"] == "HEAD"
        cached = self.cache.get(version, key)
        # The ETag is a function of version and request, so a client that holds it holds the
        # current page even when the cache has let the page go.
        if (cached is not None and not_modified(headers, etag, modified)) or _lists(headers, etag):
            vary = _vary(cached.headers) if cached is not None else [(b"vary", b"Accept")]
            await _send(send, 304, [*vary, *validators, (b"x-lskg-cache", b"hit")], b"")
            return
        if cached is not None:
            extra = [(b"x-lskg-cache", b"hit")]
            await _send(send, cached.status, [*cached.headers, *extra], b"" if head else cached.body)
            return
        status = 0
        kept: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, kept
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 200:
                    kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _REPLACED]
                    kept += validators
                    message = {**message, "headers": [*kept, (b"x-lskg-cache", b"miss")]}
            elif message["type"] == "http.response.body" and status == 200:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and not head:
                    body = b"".join(chunks)
                    if await _current_version(scope) == version:
                        self.cache.put(version, key, CachedResponse(status, tuple(kept), body))
            await send(message)

        await self.app(scope, receive, capture)


_REPLACED = {b"etag", b"last-modified", b"cache-control", b"date", b"server"}


def _key(scope: Scope, headers: Headers) -> str:
    accept = " ".join(headers.get("accept", "").split())
    query = scope.get("query_string", b"").decode("latin-1")
    host = headers.get("host", "")
    return (
        f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{scope['path']}?{query}|{accept}"
    )


def _vary(headers: tuple[tuple[bytes, bytes], ...]) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in headers if k.lower() == b"vary"]


async def _store_version(scope: Scope) -> tuple[Store, str]:
    provider = scope["app"].state.store_provider
    if provider.path is not None or isinstance(provider.get(), OxigraphStore):
        # An embedded store's version is in memory (reopening after a rebuild is rare and quick).
        store: Store = provider.get()
        return store, store.version
    # A remote store may ask its server for the version: not on the event loop.
    return await anyio.to_thread.run_sync(lambda: (provider.get(), provider.get().version))


async def _current_version(scope: Scope) -> str | None:
    try:
        return (await _store_version(scope))[1]
    except LskgError:
        return None


def _lists(headers: Headers, etag: str) -> bool:
    tags = headers.get("if-none-match")
    return tags is not None and etag in [tag.strip().removeprefix("W/") for tag in tags.split(",")]


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def not_modified(headers: Headers, etag: str, modified: datetime | None) -> bool:
    """Whether the request's ``If-None-Match`` (or else ``If-Modified-Since``) matches.

    Examples
    --------
    >>> not_modified(Headers({"if-none-match": 'W/"a", "b"'}), '"b"', None)
    True
    >>> not_modified(Headers({"if-modified-since": "Tue, 24 Nov 2026 10:00:00 GMT"}), '"b"',
    ...     datetime(2026, 11, 24, 9, tzinfo=UTC))
    True
    """
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if_modified_since = headers.get("if-modified-since")
    if if_modified_since and modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return modified.replace(microsecond=0) <= since
    return False


def built_at(store: Store) -> datetime | None:
    """When the store was built (from its manifest), or ``None`` for a store without one."""
    path = getattr(store, "path", None)
    if path is None:
        return None
    return _built_at(str(path))


_BUILT_AT: dict[str, datetime | None] = {}


def _built_at(path: str) -> datetime | None:
    # A build directory never changes, so its manifest is read once.
    if path not in _BUILT_AT:
        try:
            stamp = read_manifest(Path(path)).get("built_at")
            _BUILT_AT[path] = datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except (LskgError, ValueError, OSError):
            _BUILT_AT[path] = None
    return _BUILT_AT[path]


def install(app: FastAPI, settings: ApiSettings) -> None:
    """Add the response cache, the body limit and the rate limit to ``app`` (call before adding
    CORS, so that CORS wraps them and their refusals carry the CORS headers too)."""
    app.add_middleware(ResponseCacheMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        RateLimitMiddleware, per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst
    )
