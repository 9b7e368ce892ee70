"""Fixtures of the browser tests: a live server over the real graph and Debian's Chromium.

The server is uvicorn on 127.0.0.1 (a free port) over a store built from the project's data
into a temporary directory (``real_store_path``), or the session's Virtuoso server under
``--backend virtuoso``. Chromium is ``/usr/bin/chromium``
(``LSKG_CHROMIUM`` overrides), driven headless by Playwright; ``playwright install`` is never
used. A missing browser fails the tests with instructions: they never skip.

Every page a test opens is watched: each request is recorded, and :meth:`Watch.assert_clean`
fails on a console error, an uncaught exception, a failed request, an HTTP error answer or a
request to any host but the test server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.settings import ApiSettings
from tests.api.conftest import _Running, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path(os.environ.get("LSKG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def web_app(store: Path | str, store_override: Any = None, **overrides: Any) -> FastAPI:
    """The API over ``store`` (or over the store object ``store_override``) with the analysis
    and page routers (added here until the app factory lists them), no access log and the
    rate limit out of the way."""
    from api.routers import analysis, pages

    values: dict[str, Any] = {
        "store": str(store),
        "access_log": False,
        "rate_limit_per_minute": 1_000_000,
        "rate_limit_burst": 100_000,
        **overrides,
    }
    app = create_app(ApiSettings(**values), store=store_override)
    paths = {getattr(route, "path", None) for route in app.routes}
    if "/gaps" not in paths:
        app.include_router(analysis.router)
    if "/query" not in paths:
        app.include_router(pages.router)
    return app


@dataclass
class Server:
    """A live server started by :func:`serve`; ``url`` is its base, e.g. ``http://127.0.0.1:PORT``."""

    url: str
    running: _Running

    def stop(self) -> None:
        """Ask the server to exit and wait for it."""
        stop_server(self.running)


def serve(app: FastAPI) -> Server:
    """Start ``app`` on 127.0.0.1 on a free port (the API tests' server) and wait until it is up."""
    url, running = start_server(app)
    return Server(str(url), running)


@pytest.fixture(scope="session")
def web_server(real_store_path: Path | str) -> Iterator[str]:
    """The base URL of a live server over the real graph (on Virtuoso under ``--backend virtuoso``)."""
    running = serve(web_app(real_store_path))
    yield running.url
    running.stop()


@pytest.fixture(scope="session")
def api(web_server: str) -> Iterator[httpx.Client]:
    """An HTTP client of the live server, to compare what the pages show with the API."""
    with httpx.Client(base_url=web_server, timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium, launched once per session."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: the browser tests need Debian's chromium package "
            "(apt-get update && apt-get install -y chromium), or LSKG_CHROMIUM=/path/to/chromium. "
            "Do not run `playwright install`."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """What a page did: every request, and every sign of trouble."""

    base: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        """Requests to anything but the test server (data: and blob: URLs stay in the page)."""
        host = urlsplit(self.base).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != host
        ]

    def assert_clean(self) -> None:
        """Fail on any console error, page error, failed request, HTTP error or foreign request."""
        assert self.console_errors == [], "console errors"
        assert self.page_errors == [], "uncaught exceptions"
        assert self.failed == [], "failed requests"
        assert self.http_errors == [], "HTTP error answers"
        assert self.foreign() == [], "requests to other hosts"
        assert all(urlsplit(url).hostname == "127.0.0.1" for url in self.requests if url.startswith("http"))


@dataclass
class Tab:
    """A browser page with its :class:`Watch`, and helpers to open lskg pages."""

    page: Any
    watch: Watch
    base: str

    def open(self, path: str) -> Any:
        """Go to ``path`` on the test server; the response must be 200."""
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        return response

    def wait_for_network(self, timeout: float = 60_000) -> None:
        """Wait until the explorer has loaded and laid out its graph."""
        self.page.wait_for_selector("#cy[data-state=ready]", timeout=timeout)

    def screenshot(self, name: str) -> Path:
        """A full-page screenshot in tests/artifacts, named after the page and the width."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        width = self.page.viewport_size["width"]
        path = ARTIFACTS / f"{name}-{width}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def tab(browser: Any, web_server: str) -> Iterator[Tab]:
    """A fresh browser context at desktop width, watched from its first request."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    watch = Watch(web_server)
    page.on("request", lambda request: watch.requests.append(request.url))
    page.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    page.on("requestfailed", lambda request: watch.failed.append(f"{request.url}: {request.failure}"))
    page.on(
        "response",
        lambda response: (
            watch.http_errors.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    yield Tab(page, watch, web_server)
    context.close()
