"""Fixtures shared by the whole suite: the real graph, built once per session."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kg.build import build
from kg.config import Settings
from kg.store import OxigraphStore, open_store

BASE = "https://w3id.org/lskg/"
ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def real_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the project's real data, in a temporary directory."""
    path = tmp_path_factory.mktemp("real") / "store"
    build(Settings(store=str(path)), force=True)
    return path


@pytest.fixture(scope="session")
def real_store(real_store_path: Path) -> OxigraphStore:
    """The real graph, opened read-only."""
    return open_store(real_store_path)


@pytest.fixture(scope="session")
def seeds() -> Path:
    """The seed documents beside the checkout (CI lays ../shared next to the clone)."""
    if not SEEDS.is_dir():
        pytest.fail(f"the seed documents are missing: expected {SEEDS} (../shared beside the checkout)")
    return SEEDS


@dataclass
class Canary:
    """An HTTP server on 127.0.0.1 that records every request it gets (and must get none)."""

    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def canary() -> Iterator[Canary]:
    """A canary server: the service under test must never contact it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self) -> None:
            hits.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.end_headers()
            self.wfile.write(b"<http://canary/s> <http://canary/p> <http://canary/o> .\n")

        do_GET = do_POST = do_HEAD = _record  # noqa: N815 (http.server's names)

        def log_message(self, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    bird = Canary(f"http://127.0.0.1:{server.server_address[1]}/", hits)
    yield bird
    server.shutdown()
    server.server_close()
