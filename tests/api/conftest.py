"""Fixtures of the API tests: the real graph built once, an app and client over it, a live server.

``client`` and ``live_server`` are shared by every API test module. Their rate limit is raised
out of the way (tests that check the limit build their own app); everything else is the
service's default configuration.
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from kg.store import current_build

COORDINATION_GROUP = "https://w3id.org/lskg/id/group/life-science-coordination-group"
MEMBERS_QUERY = f"""PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE {{
  ?m org:organization <{COORDINATION_GROUP}> ; org:member ?p .
  ?p rdfs:label ?name .
}} ORDER BY ?name"""
NO_RATE_LIMIT = {"rate_limit_per_minute": 1_000_000, "rate_limit_burst": 100_000}


def settings_for(store: Path | str, **overrides: object) -> ApiSettings:
    """Service settings over ``store``: the defaults, no access log, no rate limit in the way."""
    values: dict[str, object] = {"store": str(store), "access_log": False, **NO_RATE_LIMIT, **overrides}
    return ApiSettings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def built_store_path(real_store_path: Path | str) -> Path | str:
    """The store link of the real graph, built once per session (never written to by tests);
    the Virtuoso server's ``sparql+http://`` URL under ``--backend virtuoso``."""
    return real_store_path


@pytest.fixture(scope="session")
def app(built_store_path: Path | str) -> FastAPI:
    """The API over the real graph, with the default limits (except the rate limit)."""
    return create_app(settings_for(built_store_path))


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    """A test client of ``app``; its query workers run for the whole session."""
    with TestClient(app) as test_client:
        yield test_client


class LiveServer(str):
    """The base URL of a uvicorn server on 127.0.0.1 (a ``str``), with its ``app``."""

    app: FastAPI


@dataclass
class _Running:
    server: uvicorn.Server
    thread: threading.Thread


def start_server(app: FastAPI) -> tuple[LiveServer, _Running]:
    """Serve ``app`` with uvicorn on 127.0.0.1 on a free port, in a thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        thread.join(0.02)
    if not server.started:
        raise RuntimeError("the test server did not start within 10 s")
    url = LiveServer(f"http://127.0.0.1:{port}")
    url.app = app
    return url, _Running(server, thread)


def stop_server(running: _Running) -> None:
    """Stop a server started by :func:`start_server` and wait for it."""
    running.server.should_exit = True
    running.thread.join(timeout=15)


@pytest.fixture(scope="session")
def live_server(built_store_path: Path | str) -> Iterator[LiveServer]:
    """A live uvicorn server of the API over the real graph; its base URL, e.g. ``http://127.0.0.1:PORT``."""
    url, running = start_server(create_app(settings_for(built_store_path)))
    yield url
    stop_server(running)


@pytest.fixture
def serve() -> Iterator[Callable[[FastAPI], LiveServer]]:
    """Start live servers of custom apps; all are stopped at the end of the test."""
    running: list[_Running] = []

    def start(app: FastAPI) -> LiveServer:
        url, handle = start_server(app)
        running.append(handle)
        return url

    yield start
    for handle in running:
        stop_server(handle)


@pytest.fixture
def writable_store(embedded_store_path: Path, tmp_path: Path) -> Path:
    """A store link of its own over a copy of the real on-disk build, for tests that update it
    (updates make a new build: embedded stores only)."""
    build = current_build(embedded_store_path)
    assert build is not None
    builds = tmp_path / "store.builds"
    shutil.copytree(build, builds / build.name)
    link = tmp_path / "store"
    link.symlink_to(Path("store.builds") / build.name)
    return link
