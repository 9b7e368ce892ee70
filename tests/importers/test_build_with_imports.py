"""kg.build with extra directories: imports are built like data files, file names stay unique."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.build import build, input_version
from kg.config import Settings
from kg.errors import InputError
from kg.importers import import_file
from kg.store import open_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def test_a_build_with_the_imports_directory_keeps_the_imports_and_skips_when_nothing_changed(
    settings: Settings,
) -> None:
    result = import_file(settings, FIXTURES / "people.csv", kind="people")
    imports = result.path.parent
    again = build(settings, extra_dirs=[imports])
    assert again.skipped  # the import wrote exactly the build `lskg build` would write
    rebuilt = build(settings, force=True, extra_dirs=[imports])
    assert "https://w3id.org/lskg/graph/import-people" in rebuilt.graphs
    assert rebuilt.version == input_version(settings.base_iri, FIXTURES / "data", extra_dirs=[imports])
    assert ("Ada Exempel",) in open_store(settings.store).select(
        "SELECT ?n WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?n }"
    ).values()


def test_a_build_without_the_imports_directory_leaves_the_imports_out(settings: Settings) -> None:
    import_file(settings, FIXTURES / "people.csv", kind="people")
    plain = build(settings, force=True)
    assert "https://w3id.org/lskg/graph/import-people" not in plain.graphs


def test_a_file_name_used_in_two_input_directories_is_refused(settings: Settings, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    shutil.copy(FIXTURES / "data" / "seed.trig", extra / "seed.trig")
    with pytest.raises(InputError, match="a data file named 'seed' is already read from"):
        build(settings, force=True, extra_dirs=[extra])
