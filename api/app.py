"""The app factory: ``create_app(settings)`` builds the FastAPI application.

No state is created at import time. The store comes through :class:`api.deps.StoreProvider`
(on disk by default; tests pass ``store=`` an in-memory one).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware

from api import errors, middleware
from api.deps import StoreProvider
from api.routers import analysis, dumps, entities, home, linked_data, pages, queries, sparql
from api.settings import ApiSettings
from kg import __version__
from kg.store import Store

__all__ = ["create_app"]

access_log = logging.getLogger("lskg.access")


def create_app(settings: ApiSettings | None = None, store: Store | None = None) -> FastAPI:
    """Build the lskg API.

    Parameters
    ----------
    settings
        Service settings; read from ``LSKG_*`` environment variables when omitted.
    store
        A store to serve instead of the on-disk one at ``settings.store`` (tests).
    """
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Query workers start with the server and stop with it (see kg.executor).
        sparql.start_executor(app)
        try:
            yield
        finally:
            sparql.stop_executor(app)

    app = FastAPI(
        lifespan=lifespan,
        title="lskg",
        version=__version__,
        description=(
            "The Swedish life-science knowledge graph: a SPARQL 1.1 endpoint, linked-data pages "
            "for every entity, dumps, named queries and a JSON API. Data licence: CC BY 4.0."
        ),
        license_info={
            "name": "Data: CC BY 4.0; code: Apache-2.0",
            "url": "https://creativecommons.org/licenses/by/4.0/",
        },
    )
    app.state.settings = settings
    app.state.store_provider = (
        StoreProvider(store=store) if store is not None else StoreProvider(store_path=settings.store)
    )
    errors.install(app)
    # Body and rate limits sit inside CORS, so that their refusals carry the CORS headers too.
    middleware.install(app, settings)
    # Any origin may read; credentials are never allowed (see SECURITY.md).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "Authorization", "If-None-Match"],
        expose_headers=["ETag", "Last-Modified", "X-LSKG-Truncated", "X-LSKG-Rows", "Retry-After"],
    )
    if settings.access_log:
        _install_access_log(app)
    for module in (sparql, linked_data, dumps, queries, entities, analysis, pages, home):
        app.include_router(module.router)
    return app


def _install_access_log(app: FastAPI) -> None:
    @app.middleware("http")
    async def log_request(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        client = request.client.host if request.client else "-"
        access_log.info(
            '%s "%s %s" %d %.1fms',
            client,
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response
