"""Resources resolve from the checkout (the wheel is covered by tests/test_wheel.py)."""

from __future__ import annotations

import pytest

from kg.errors import NotFound
from kg.paths import resource_dir


def test_resource_folders_resolve_to_the_checkout_folders() -> None:
    for name in ("ontology", "data", "queries"):
        assert resource_dir(name).name == name
        assert resource_dir(name).is_dir()


def test_an_unknown_resource_folder_is_a_clear_error() -> None:
    with pytest.raises(NotFound, match="unknown resource folder 'secrets'"):
        resource_dir("secrets")
