"""Fixtures of the remote-store tests: the session's Virtuoso server (see tests/conftest.py),
loaded with the real graph, and servers of their own for tests that stop or kill one.

These tests compare the remote store with the embedded one, so here ``real_store_path`` is
always the on-disk build, whatever ``--backend`` says. ``virtuoso`` FAILS (it does not skip)
when ``virtuoso-t`` is missing: these tests run in CI, which installs Debian's
``virtuoso-opensource``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.config import Settings
from kg.remote import RemoteSparqlStore
from kg.store import OxigraphStore, open_store
from tests.remote.virtuoso import INSTALL_HINT, Virtuoso, start_virtuoso


@pytest.fixture(scope="session")
def real_store_path(embedded_store_path: Path) -> Path:
    """The embedded build of the real graph, which the remote store is compared with."""
    return embedded_store_path


@pytest.fixture(scope="session")
def real_store(embedded_store_path: Path) -> OxigraphStore:
    """The embedded build, opened read-only (the root fixture may hold the remote one)."""
    return open_store(embedded_store_path)


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
