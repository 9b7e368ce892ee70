"""The one exception tree of lskg.

Every error a user can cause or meet derives from :class:`LskgError`. The CLI maps them to exit
codes and the API maps them to HTTP statuses and stable error codes, each in exactly one place.
"""

from __future__ import annotations

__all__ = [
    "InputError",
    "LskgError",
    "NotFound",
    "QueryRefused",
    "QuerySyntaxError",
    "QueryTimeout",
    "StoreUnavailable",
    "ValidationFailed",
]


class LskgError(Exception):
    """Base class of every lskg error; ``code`` is a stable, machine-readable name."""

    code = "lskg-error"


class InputError(LskgError):
    """A file, argument or parameter cannot be used (missing, malformed, unknown format)."""

    code = "bad-input"


class QuerySyntaxError(InputError):
    """A SPARQL query or update does not parse; the message carries the parser's position."""

    code = "query-syntax"


class QueryRefused(InputError):
    """A well-formed query asks for something the service never does (SERVICE, LOAD, FROM <url>)."""

    code = "query-refused"


class QueryTimeout(LskgError):
    """A query ran past its time limit and was stopped."""

    code = "query-timeout"


class NotFound(LskgError):
    """A named thing (query, entity, graph, store) does not exist."""

    code = "not-found"


class StoreUnavailable(LskgError):
    """The store cannot be opened or reached (not built yet, locked, remote down)."""

    code = "store-unavailable"


class ValidationFailed(LskgError):
    """The data violates the SHACL shapes; ``report`` holds the full validation report."""

    code = "validation-failed"

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report
