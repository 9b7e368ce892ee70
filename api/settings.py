"""Settings of the API, read from ``LSKG_*`` environment variables."""

from __future__ import annotations

from pydantic import SecretStr

from kg.config import Settings

__all__ = ["ApiSettings"]


class ApiSettings(Settings):
    """Everything :class:`kg.config.Settings` has, plus the service's limits.

    Attributes
    ----------
    max_result_rows, max_result_bytes
        A result larger than this is cut, and the response says so (header
        ``X-LSKG-Truncated: true`` and, for JSON results, a ``truncated`` flag).
    max_body_bytes
        Larger request bodies are refused with 413 before they are read.
    rate_limit_per_minute, rate_limit_burst
        Requests a client (by address) may make per minute, and how many at once.
    update_token
        SPARQL Update is refused unless this is set and sent as ``Authorization: Bearer``.
    query_workers
        Worker processes that evaluate SPARQL queries, so that a slow query can be stopped.
    result_cache_bytes
        Serialised results kept per build (a build never changes, so the cache is exact).
    """

    max_result_rows: int = 10_000
    max_result_bytes: int = 50_000_000
    max_body_bytes: int = 1_000_000
    rate_limit_per_minute: int = 600
    rate_limit_burst: int = 60
    update_token: SecretStr | None = None
    query_workers: int = 2
    result_cache_bytes: int = 64_000_000
    access_log: bool = True
