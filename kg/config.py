"""Settings read from the environment (``LSKG_*``) or passed explicitly.

No settings object is created at import time: callers build one with :func:`load_settings`
(or construct :class:`Settings` directly in tests) and pass it down.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_BASE_IRI", "Settings", "load_settings"]

DEFAULT_BASE_IRI = "https://w3id.org/lskg/"


class Settings(BaseSettings):
    """Configuration shared by the library, the CLI and the API.

    Attributes
    ----------
    base_iri
        The base of every instance IRI (``{base_iri}id/org/vinnova``). Must end in ``/``.
    store
        The store location: a directory for the embedded Oxigraph store, or
        ``sparql+http(s)://host:port/path`` for a remote SPARQL 1.1 store (see
        docs/remote-stores.md).
    store_update_url, store_user, store_password
        For a remote store: its SPARQL Update URL (default: the query URL) and the
        credentials sent with every request (HTTP Basic).
    data_dir
        Where the data files (``*.trig``) are read from; the project's ``data/`` by default.
    imports_dir
        Where ``lskg import`` keeps imported sheets as data files (default: ``imports``
        beside the store, e.g. ``var/imports``); every build reads them too.
    query_timeout
        Seconds a SPARQL query may run before it is stopped.
    """

    model_config = SettingsConfigDict(env_prefix="LSKG_", extra="ignore")

    base_iri: str = DEFAULT_BASE_IRI
    store: str = "var/store"
    store_update_url: str | None = None
    store_user: str | None = None
    store_password: SecretStr | None = None
    data_dir: str | None = None
    imports_dir: str | None = None
    query_timeout: float = 30.0

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_slash(cls, value: str) -> str:
        if not value.endswith(("/", "#")):
            raise ValueError("LSKG_BASE_IRI must end with '/' or '#'")
        if not value.startswith(("http://", "https://")):
            raise ValueError("LSKG_BASE_IRI must be an http(s) IRI")
        return value

    @property
    def store_path(self) -> Path:
        """The embedded store's directory as a path."""
        return Path(self.store)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, then apply explicit ``overrides`` (ignoring ``None``)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
