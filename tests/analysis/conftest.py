"""Fixtures for the analysis tests: the suite's real graph (tests/conftest.py) and the tiny hand-made one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.analysis._fixtures import tiny_store
from kg.analysis.graphs import clear_cache
from kg.store import OxigraphStore


@pytest.fixture(scope="session")
def ecosystem_dir(real_store_path: Path | str) -> Path | str:
    """Where the real graph is (the session's build, or its Virtuoso server under ``--backend virtuoso``)."""
    return real_store_path


@pytest.fixture(scope="session")
def ecosystem(real_store: OxigraphStore) -> OxigraphStore:
    """The real graph, opened read-only."""
    return real_store


@pytest.fixture
def tiny() -> Iterator[OxigraphStore]:
    """The tiny store of kg.analysis._fixtures (never cached: its version is 'memory')."""
    yield tiny_store()
    clear_cache()
