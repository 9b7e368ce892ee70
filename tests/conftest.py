"""Fixtures shared by the whole suite: the real graph, built once per session."""

from __future__ import annotations

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
