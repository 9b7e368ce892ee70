"""Dependencies injected into routes: settings and the store.

The store sits behind :class:`StoreProvider`, so tests can hand the app an in-memory store
and production an on-disk or remote (``sparql+http://``) one; the provider reopens the on-disk store when ``lskg build``
has swapped in a new version.
"""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import Request

from api.settings import ApiSettings
from kg.store import OxigraphStore, Store, current_build, open_store

__all__ = ["StoreProvider", "get_settings", "get_store"]


class StoreProvider:
    """Hands out the current store; reopens it after a rebuild swapped the store link."""

    def __init__(self, store_path: str | Path | None = None, store: Store | None = None) -> None:
        if (store_path is None) == (store is None):
            raise ValueError("give exactly one of store_path or store")
        if store_path is not None and str(store_path).startswith(("sparql+http://", "sparql+https://")):
            # A remote store is one fixed object: the server itself serves its newest load.
            store, store_path = open_store(str(store_path)), None
        self._path = Path(store_path) if store_path is not None else None
        self._store = store
        self._opened: Path | None = None
        self._lock = threading.Lock()

    @property
    def path(self) -> Path | None:
        """The store link this provider follows (None for a fixed in-memory store)."""
        return self._path

    def get(self) -> Store:
        """The store for this request."""
        if self._path is None:
            assert self._store is not None
            return self._store
        target = current_build(self._path)
        with self._lock:
            if self._store is None or target != self._opened:
                self._store = open_store(self._path)
                self._opened = target
            return self._store


def get_settings(request: Request) -> ApiSettings:
    """The settings the app was created with."""
    settings: ApiSettings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    """The store, through the app's provider."""
    provider: StoreProvider = request.app.state.store_provider
    return provider.get()


def in_memory(store: OxigraphStore) -> StoreProvider:
    """A provider for a fixed store (tests)."""
    return StoreProvider(store=store)
