"""Validate a change to the imports directory and write it, with the store, atomically.

A change is a set of import files (file name → new content, or ``None`` to delete). It is
staged in a directory beside the imports, the whole dataset (curated data + staged imports) is
assembled as ``lskg build`` would, validated, written as a new store build and swapped in
(:func:`kg.build.write_build`, under :func:`kg.build.build_lock`); only then are the staged
files moved into the imports directory. On a Violation nothing is written.

Validation runs the shapes compiled to SPARQL (:mod:`kg.shacl_sparql`) over the whole graph,
loaded into an in-memory Oxigraph store: fast enough that an import never needs to guess what
its change can reach. The report is incremental when it can be: if the current store was
built from exactly the files on disk now (its manifest has their input version), the graph
had no Violation then, so every Violation is the change's and is reported, while Warnings are
reported only on the nodes the change touches (the subjects of the old and new versions of the
changed files and every node that refers to one of them), not the graph's standing ones.
Otherwise (no store yet, or files changed since the last build) the whole report is given.

With ``engine="pyshacl"`` (the reference, much slower) the incremental check runs on the
touched nodes' neighbourhood instead (their triples, the triples of the nodes they point to and
the ontology), so that pyshacl sees a small graph. The W3C reification statements of the
provenance graphs are never targeted by a shape and are not loaded into the validator either
way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.build import (
    Assembled,
    assemble,
    build_lock,
    input_version,
    read_source,
    validate_quads,
    write_build,
)
from kg.config import Settings
from kg.errors import InputError, ValidationFailed
from kg.importers.common import import_files
from kg.store import current_build, read_manifest
from kg.validate import ValidationReport

__all__ = ["Committed", "apply_import_files", "imports_lock", "validate_import_files"]


@dataclass
class Committed:
    """The outcome of a validated change: the report, whether it was written, and how."""

    report: ValidationReport
    written: bool
    incremental: bool
    build_dir: Path | None = None
    quads: int = 0


@contextlib.contextmanager
def imports_lock(imports_dir: Path) -> Iterator[None]:
    """Hold the write lock of the imports directory (one import or reconcile at a time)."""
    imports_dir.mkdir(parents=True, exist_ok=True)
    with open(imports_dir / ".lock", "w", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise InputError(f"another import is writing {imports_dir}; wait for it to finish") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stage(staging: Path, imports_dir: Path, changes: Mapping[str, bytes | None]) -> None:
    """Lay the imports directory as it would be after ``changes`` into ``staging``."""
    for path in import_files(imports_dir):
        if path.name in changes:
            continue
        try:
            os.link(path, staging / path.name)
        except OSError:
            shutil.copy2(path, staging / path.name)
    for name, content in changes.items():
        if content is not None:
            (staging / name).write_bytes(content)


def _store_is_current(settings: Settings, data_dir: Path, imports_dir: Path) -> bool:
    """True if the store was built from the curated data and imports as they are now."""
    build_dir = current_build(settings.store_path)
    if build_dir is None:
        return False
    version = input_version(settings.base_iri, data_dir, extra_dirs=[imports_dir])
    return read_manifest(build_dir).get("version") == version


def _subjects(path: Path, base_iri: str) -> set[str]:
    if not path.is_file():
        return set()
    source = read_source(path, base_iri)
    triples = [*source.facts, *source.records]
    return {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}


def _validate(
    assembled: Assembled, base_iri: str, focus: set[str] | None, engine: str = "sparql"
) -> tuple[ValidationReport, bool]:
    statement = f"{base_iri}id/statement/"

    def checked(quad: ox.Quad) -> bool:
        return not (isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(statement))

    quads = [q for quads in assembled.graphs.values() for q in quads if checked(q)]
    if focus is None:
        return validate_quads(quads, engine=engine), False
    nodes = set(focus)
    for q in quads:
        if isinstance(q.object, ox.NamedNode) and q.object.value in focus:
            nodes.add(q.subject.value if isinstance(q.subject, ox.NamedNode) else "")
    if engine == "sparql":
        # Fast enough to validate the whole graph, which is sound whatever the change did
        # (a deleted membership leaves its person without one, two hops from the change).
        # Violations are reported wherever they are (the last build had none); Warnings
        # only on the nodes the change touches, not the graph's standing ones.
        report = validate_quads(quads)
        kept = [r for r in report.results if r.severity == "Violation" or r.focus in nodes]
        return ValidationReport(kept), True
    targets = set(nodes)
    for q in quads:
        if (
            isinstance(q.subject, ox.NamedNode)
            and q.subject.value in nodes
            and isinstance(q.object, ox.NamedNode)
        ):
            targets.add(q.object.value)
    ontology = f"{base_iri}graph/ontology"
    neighbourhood = [
        q
        for q in quads
        if (isinstance(q.subject, ox.NamedNode) and q.subject.value in targets)
        or (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == ontology)
    ]
    report = validate_quads(neighbourhood, engine=engine)
    # Nodes outside the focus were loaded only as values; their own checks may lack data.
    return ValidationReport([r for r in report.results if r.focus in nodes], report.graph), True


def _check(
    settings: Settings,
    data_dir: Path,
    imports_dir: Path,
    staging: Path,
    changes: Mapping[str, bytes | None],
    engine: str = "sparql",
) -> tuple[Assembled, ValidationReport, bool, str]:
    version = input_version(settings.base_iri, data_dir, extra_dirs=[staging])
    assembled = assemble(settings.base_iri, data_dir, extra_dirs=[staging])
    focus: set[str] | None = None
    if _store_is_current(settings, data_dir, imports_dir):
        focus = set()
        for name in changes:
            focus |= _subjects(imports_dir / name, settings.base_iri)
            focus |= _subjects(staging / name, settings.base_iri)
    report, incremental = _validate(assembled, settings.base_iri, focus, engine)
    return assembled, report, incremental, version


def validate_import_files(
    settings: Settings,
    data_dir: Path,
    imports_dir: Path,
    changes: Mapping[str, bytes | None],
    *,
    engine: str = "sparql",
) -> Committed:
    """Validate the graph as it would be after ``changes``, writing nothing (the staged files
    live in a temporary directory). ``engine`` is as for :func:`kg.build.validate_quads`."""
    with tempfile.TemporaryDirectory(prefix="lskg-import-") as tmp:
        staging = Path(tmp)
        _stage(staging, imports_dir, changes)
        _, report, incremental, _ = _check(settings, data_dir, imports_dir, staging, changes, engine)
    return Committed(report, False, incremental)


def apply_import_files(
    settings: Settings,
    data_dir: Path,
    imports_dir: Path,
    changes: Mapping[str, bytes | None],
    *,
    engine: str = "sparql",
) -> Committed:
    """Validate ``changes`` with the rest of the graph, write the new store and then the files.

    ``engine`` is as for :func:`kg.build.validate_quads`.

    Raises :class:`~kg.errors.ValidationFailed` (with the report) on a Violation; then neither
    the store nor the imports directory change.
    """
    store_path = settings.store_path
    store_path.parent.mkdir(parents=True, exist_ok=True)
    if store_path.exists() and not store_path.is_symlink():
        raise InputError(
            f"{store_path} exists and is not an lskg store link; move it away or pick another --store"
        )
    with imports_lock(imports_dir):
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=imports_dir))
        try:
            _stage(staging, imports_dir, changes)
            with build_lock(store_path):
                assembled, report, incremental, version = _check(
                    settings, data_dir, imports_dir, staging, changes, engine
                )
                if not report.conforms:
                    raise ValidationFailed(
                        f"the import does not conform to the shapes: {len(report.violations)} violation(s)",
                        report,
                    )
                facts = sum(len(s.facts) for s in assembled.sources)
                with_provenance = sum(1 for s in assembled.sources for records in s.facts.values() if records)
                quads = [q for graph in assembled.graphs.values() for q in graph]
                build_dir, _ = write_build(
                    store_path,
                    quads,
                    version,
                    report,
                    {"facts": facts, "facts_with_provenance": with_provenance},
                )
            for name, content in changes.items():
                if content is None:
                    (imports_dir / name).unlink(missing_ok=True)
                else:
                    os.replace(staging / name, imports_dir / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return Committed(report, True, incremental, build_dir, len(quads))
