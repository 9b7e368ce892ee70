"""Fixtures of the remote-store tests: a Virtuoso server on 127.0.0.1, loaded with the real graph.

``virtuoso`` FAILS (it does not skip) when ``virtuoso-t`` is missing: these tests run in CI,
which installs Debian's ``virtuoso-opensource``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.build import build
from kg.config import Settings
from kg.remote import RemoteSparqlStore
from tests.remote.virtuoso import INSTALL_HINT, Virtuoso, start_virtuoso


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A Virtuoso server with SPARQL Update allowed, stopped at the end of the session."""
    if shutil.which("virtuoso-t") is None:
        pytest.fail(INSTALL_HINT)
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def loaded_virtuoso(virtuoso: Virtuoso) -> Virtuoso:
    """The server after ``build(Settings(store="sparql+http://…"))`` loaded the real graph."""
    result = build(Settings(store=virtuoso.store_url), force=True)
    assert not result.skipped
    return virtuoso


@pytest.fixture
def remote_store(loaded_virtuoso: Virtuoso) -> RemoteSparqlStore:
    """A store over the loaded server."""
    return RemoteSparqlStore.from_settings(Settings(store=loaded_virtuoso.store_url))


@pytest.fixture
def spare_virtuoso(tmp_path: Path) -> Iterator[Virtuoso]:
    """A server of its own, for tests that stop or kill it."""
    if shutil.which("virtuoso-t") is None:
        pytest.fail(INSTALL_HINT)
    server = start_virtuoso(tmp_path / "virtuoso")
    yield server
    server.stop()
