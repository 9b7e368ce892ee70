"""Fixtures of the importer tests: a small curated graph built into a store in a temporary folder."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.config import Settings
from kg.store import current_build, open_store

BASE = "https://w3id.org/lskg/"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


@pytest.fixture(scope="session")
def _built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of ``tests/fixtures/import/data``, copied by each test that needs a store."""
    folder = tmp_path_factory.mktemp("import-template")
    build(Settings(store=str(folder / "store"), data_dir=str(FIXTURES / "data")), force=True)
    return folder


@pytest.fixture
def settings(tmp_path: Path, _built: Path) -> Settings:
    """Settings of a store built from ``tests/fixtures/import/data`` (a fresh copy per test;
    imports go to ``tmp_path/imports``)."""
    shutil.copytree(_built / "store.builds", tmp_path / "store.builds")
    os.symlink(os.readlink(_built / "store"), tmp_path / "store")
    return Settings(store=str(tmp_path / "store"), data_dir=str(FIXTURES / "data"))


def _graph_triples(store_path: str | Path, graph: str) -> set[str]:
    store = open_store(store_path)
    return {f"{q.triple} ." for q in store.quads(BASE + "graph/" + graph)}


def _dump(store_path: str | Path) -> tuple[Path | None, bytes]:
    buffer = io.BytesIO()
    open_store(store_path).dump(buffer, ox.RdfFormat.N_QUADS)
    return current_build(Path(store_path)), buffer.getvalue()


@pytest.fixture
def graph_of(settings: Settings) -> Callable[[str], set[str]]:
    """The triples of one named graph of the store (``graph/{name}``), as N-Triples lines."""
    return lambda name: _graph_triples(settings.store, name)


@pytest.fixture
def snapshot(settings: Settings) -> Callable[[], tuple[Path | None, bytes]]:
    """The store's current build directory and its whole content as N-Quads."""
    return lambda: _dump(settings.store)
