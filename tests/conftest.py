"""Fixtures shared by the whole suite: the real graph, built once per session, on either backend.

``pytest --backend embedded`` (the default) builds the real graph into an on-disk Oxigraph
store. ``pytest --backend virtuoso`` starts one Virtuoso server (Debian's ``virtuoso-t``) on
127.0.0.1 for the session, loads the real graph into it with ``lskg build --store
sparql+http://…``, and every fixture that hands a store, a store location, an app or a server
to the tests hands the remote one. Tests about the embedded store itself (its on-disk layout,
symlink swap, build lock, updates that make a new build) carry ``@pytest.mark.embedded_only(
"why")`` and are skipped under ``--backend virtuoso``, with that reason in the summary; known
Virtuoso differences are strict xfails there (:data:`VIRTUOSO_XFAILS`). The remote-store tests
of tests/remote compare Virtuoso with the embedded store, so they run in the Virtuoso run only.
The Virtuoso run leaves out the tests that reach no backend fixture (hand-built graphs, parsers,
stores a test builds for itself): they run the same code under both backends.
"""

from __future__ import annotations

import atexit
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kg.build import build
from kg.config import Settings
from kg.store import OxigraphStore, open_store
from tests.remote.virtuoso import INSTALL_HINT, Virtuoso, start_virtuoso

BASE = "https://w3id.org/lskg/"
ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
BACKENDS = ("embedded", "virtuoso")
REMOTE_TESTS = "tests/remote/"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--backend embedded|virtuoso``: which store the suite's fixtures hand out."""
    parser.addoption(
        "--backend",
        choices=BACKENDS,
        default="embedded",
        help="store behind the real-graph fixtures: embedded Oxigraph (default) or a Virtuoso "
        "server started on 127.0.0.1 for the session",
    )


# Tests that fail on Virtuoso because Virtuoso answers differently (not a bug of kg/remote.py):
# strict xfails under --backend virtuoso only, so a fix shows up as XPASS and fails the run.
_GROUP_COVERAGE = (
    "Virtuoso ignores FILTER NOT EXISTS { ?organisation a/rdfs:subClassOf* lskg:PoliticalParty } inside "
    "a UNION branch of queries/group-sector-coverage.rq (and answers the OPTIONAL/!BOUND form with "
    "SQ200 'No column'), so a party membership counts: 3 civil-society members, not 2"
)
VIRTUOSO_XFAILS: dict[str, str] = {
    "tests/analysis/test_graphs.py::test_every_groups_sectors_agree_with_the_named_query_group_sector_coverage": (
        _GROUP_COVERAGE
    ),
    "tests/test_queries.py::test_group_sector_coverage_counts_members_and_shows_empty_groups": _GROUP_COVERAGE,
    "tests/api/ld/test_dumps.py::test_a_dump_carries_etag_and_last_modified_and_revalidates_with_304": (
        "a remote store has no build manifest, so /dump.* has no build time and If-Modified-Since is "
        "not honoured (ETag revalidation is)"
    ),
    "tests/api/test_safety_limits.py::test_a_slow_query_is_stopped_while_twenty_simple_ones_are_answered": (
        "over a remote store /sparql waits on ThreadExecutor: the wait is cut ('the query ran for more than "
        "3 s; narrow it down'), the query itself is stopped by Virtuoso's MaxQueryExecutionTime"
    ),
    "tests/api/test_sparql_protocol.py::test_a_repeated_query_is_answered_from_the_result_cache": (
        "the result cache is ProcessExecutor's; over a remote store /sparql runs on ThreadExecutor, "
        "which has none"
    ),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``--backend virtuoso``, run only the tests that reach the backend (a store fixture),
    skip those marked ``embedded_only`` with their reason and expect the failures of
    :data:`VIRTUOSO_XFAILS` (strictly). Under ``--backend embedded``, skip
    the remote-store tests of tests/remote: they compare Virtuoso with the embedded store and are
    the same under both backends, so they run once, in the Virtuoso run."""
    if config.getoption("--backend") != "virtuoso":
        for item in items:
            if item.nodeid.startswith(REMOTE_TESTS):
                item.add_marker(pytest.mark.skip(reason="a Virtuoso test: runs under --backend virtuoso"))
        return
    # A test that reaches no backend fixture runs the same code under both backends (hand-built
    # graphs, parsers, the embedded store a test builds itself): the embedded run covers it.
    independent = [item for item in items if not _reaches_the_backend(item)]
    if independent:
        config.hook.pytest_deselected(items=independent)
        items[:] = [item for item in items if _reaches_the_backend(item)]
    for item in items:
        reason = VIRTUOSO_XFAILS.get(item.nodeid.split("::")[0] + "::" + item.name)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"Virtuoso: {reason}"))
        marker = item.get_closest_marker("embedded_only")
        if marker is None:
            continue
        if not marker.args or not str(marker.args[0]).strip():
            raise pytest.UsageError(f"{item.nodeid}: embedded_only needs a reason, e.g. embedded_only('why')")
        item.add_marker(pytest.mark.skip(reason=f"embedded store only: {marker.args[0]}"))


BACKEND_FIXTURES = frozenset({"real_store_path", "virtuoso"})


def _reaches_the_backend(item: pytest.Item) -> bool:
    """Whether ``item`` uses the store ``--backend`` selects (directly or through other fixtures)."""
    return item.nodeid.startswith(REMOTE_TESTS) or bool(
        BACKEND_FIXTURES.intersection(getattr(item, "fixturenames", ()))
    )


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The backend chosen with ``--backend``: ``embedded`` or ``virtuoso``."""
    return str(request.config.getoption("--backend"))


@pytest.fixture(scope="session")
def embedded_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the project's real data into a temporary directory (always on disk)."""
    path = tmp_path_factory.mktemp("real") / "store"
    build(Settings(store=str(path)), force=True)
    return path


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """The session's Virtuoso server (SPARQL Update allowed), stopped at the end even on failure.

    It FAILS (it does not skip) when ``virtuoso-t`` is missing: CI installs Debian's
    ``virtuoso-opensource``.
    """
    if shutil.which("virtuoso-t") is None:
        pytest.fail(INSTALL_HINT)
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    # Also on an interrupted session: the server runs in its own process group, so Ctrl-C
    # does not reach it.
    atexit.register(server.stop)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def loaded_virtuoso(virtuoso: Virtuoso) -> Virtuoso:
    """The session's server after ``lskg build --store sparql+http://… --force`` loaded the real graph."""
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--store", virtuoso.store_url, "--force"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        pytest.fail(f"lskg build --store {virtuoso.store_url} failed ({done.returncode}):\n{done.stderr}")
    return virtuoso


@pytest.fixture(scope="session")
def real_store_path(backend: str, request: pytest.FixtureRequest) -> Path | str:
    """Where the real graph is: the on-disk store's link (embedded), or the ``sparql+http://``
    URL of the session's loaded Virtuoso server (``--backend virtuoso``).

    Either goes wherever a store location goes (``Settings(store=…)``, ``--store``,
    :func:`~kg.store.open_store`); tests that need the on-disk layout are ``embedded_only``.
    """
    if backend == "virtuoso":
        server: Virtuoso = request.getfixturevalue("loaded_virtuoso")
        return server.store_url
    path: Path = request.getfixturevalue("embedded_store_path")
    return path


@pytest.fixture(scope="session")
def real_store(real_store_path: Path | str) -> OxigraphStore:
    """The real graph, opened read-only (a remote store under ``--backend virtuoso``)."""
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
