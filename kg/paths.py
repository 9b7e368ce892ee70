"""Where the project's resources (ontology/, data/, queries/) live.

One resolver for the checkout and for an installed wheel: the wheel carries the three folders
under ``kg/_resources/``; a checkout has them beside the ``kg`` package.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import NotFound

__all__ = ["RESOURCES", "resource_dir"]

RESOURCES = ("ontology", "data", "queries")

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the directory holding the resource folder ``name`` (ontology, data or queries).

    Examples
    --------
    >>> resource_dir("ontology").joinpath("lskg.ttl").is_file()
    True
    """
    if name not in RESOURCES:
        raise NotFound(f"unknown resource folder {name!r}; expected one of {', '.join(RESOURCES)}")
    for candidate in (_PACKAGE_DIR / "_resources" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise NotFound(f"resource folder {name!r} not found next to {_PACKAGE_DIR}")
