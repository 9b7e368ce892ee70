"""Fixtures for the analysis tests: the real graph, built once, and the tiny hand-made one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.analysis._fixtures import tiny_store
from kg.analysis.graphs import clear_cache
from kg.build import build
from kg.config import Settings
from kg.store import OxigraphStore, open_store


@pytest.fixture(scope="session")
def ecosystem_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store built from the project's data/ and ontology/, once per test session."""
    store = tmp_path_factory.mktemp("analysis") / "store"
    build(Settings(store=str(store)), force=True)
    return store


@pytest.fixture(scope="session")
def ecosystem(ecosystem_dir: Path) -> OxigraphStore:
    """The real graph, opened read-only."""
    return open_store(ecosystem_dir)


@pytest.fixture
def tiny() -> Iterator[OxigraphStore]:
    """The tiny store of kg.analysis._fixtures (never cached: its version is 'memory')."""
    yield tiny_store()
    clear_cache()
