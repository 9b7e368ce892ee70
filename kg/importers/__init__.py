"""Import sheets (CSV, XLSX) and standard records (ROR, Wikidata JSON) into the graph.

:func:`import_file` reads a file into a draft, renders it as one TriG data file in the imports
directory (``var/imports/import-<name>.trig`` beside a ``var/store``; one named graph per
import, every fact cited to the row that states it) and rebuilds the store with it, validating
the import together with the curated data first. Nothing is written when a row has a problem:
:class:`ImportRejected` lists the problems row by row. Importing the same file again replaces
its graph.

Examples
--------
>>> detect_format(Path("organisations.csv")), detect_format(Path("registry.nt.gz"))
('csv', 'rdf')

RDF dumps (``.nt``, ``.nq``, ``.ttl``, ``.trig``, optionally gzipped) are not rendered as data
files: :func:`kg.importers.rdfdump.import_dump` streams them into a graph of their own.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.build import graph_iri
from kg.config import Settings
from kg.errors import InputError, ValidationFailed
from kg.importers.commit import Committed, apply_import_files, validate_import_files
from kg.importers.common import (
    Draft,
    ImportRejected,
    RowError,
    default_imports_dir,
    load_aliases,
    load_index,
    map_report,
    render_trig,
    resolve_data_dir,
)
from kg.importers.identifiers import is_slug, slugify
from kg.importers.ror import PATH_FIELDS as ROR_FIELDS
from kg.importers.ror import looks_like_ror, map_ror, read_ror
from kg.importers.tabular import KINDS, PATH_COLUMNS, map_sheet, read_sheet
from kg.importers.wikidata import PATH_FIELDS as WIKIDATA_FIELDS
from kg.importers.wikidata import looks_like_wikidata, map_wikidata, read_wikidata
from kg.validate import ValidationReport

__all__ = [
    "FORMATS",
    "KINDS",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "default_imports_dir",
    "detect_format",
    "import_file",
]

FORMATS = ("csv", "xlsx", "ror", "wikidata", "rdf")


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    source: Path
    name: str
    graph: str
    path: Path
    format: str
    rows: int
    facts: int
    new_entities: int
    dry_run: bool
    committed: Committed | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def report(self) -> ValidationReport | None:
        """The SHACL report of the validated nodes (see :mod:`kg.importers.commit`)."""
        return self.committed.report if self.committed else None

    @property
    def warnings(self) -> int:
        """SHACL warnings about the validated nodes (incomplete, not wrong)."""
        return len(self.report.warnings) if self.report else 0

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return {
            "source": str(self.source),
            "name": self.name,
            "graph": self.graph,
            "file": str(self.path),
            "format": self.format,
            "rows": self.rows,
            "facts": self.facts,
            "new_entities": self.new_entities,
            "dry_run": self.dry_run,
            "written": bool(self.committed and self.committed.written),
            "incremental_validation": bool(self.committed and self.committed.incremental),
            "warnings": self.warnings,
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
        }


def detect_format(path: Path, given: str | None = None) -> str:
    """The input format: ``given``, else ``csv``/``xlsx`` by suffix, else ROR or Wikidata by
    the shape of the JSON."""
    if given:
        if given not in FORMATS:
            raise InputError(f"unknown input format {given!r}; use one of {', '.join(FORMATS)}")
        return given
    from kg.importers.rdfdump import dump_format

    if dump_format(path) is not None:
        return "rdf"
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".json":
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: cannot read JSON ({exc})") from exc
        if looks_like_wikidata(document):
            return "wikidata"
        if looks_like_ror(document):
            return "ror"
        raise InputError(f"{path}: neither ROR records nor Wikidata entities; give --input-format")
    raise InputError(
        f"{path}: unknown input format {suffix!r}; use .csv, .xlsx, .json or an RDF dump "
        "(.nt, .nq, .ttl, .trig, optionally .gz)"
    )


def import_file(
    settings: Settings,
    path: Path,
    *,
    kind: str | None = None,
    input_format: str | None = None,
    source: str | None = None,
    name: str | None = None,
    dry_run: bool = False,
    imports_dir: Path | None = None,
    data_dir: Path | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Import one file into the graph (see the module docstring).

    ``kind`` is the kind of sheet (organisations, people, memberships, areas or
    infrastructures) and is required for CSV and XLSX. ``source`` is the sheet's title, or the
    address it was downloaded from (then every fact also cites that web page with today's
    date). ``name`` overrides the import's name (by default the file's name). Raises
    :class:`ImportRejected` (nothing written) on any problem in the rows,
    :class:`~kg.errors.InputError` on an unreadable file.
    """
    started = time.perf_counter()
    fmt = detect_format(path, input_format)
    if fmt == "rdf":
        raise InputError(f"{path}: an RDF dump is imported by kg.importers.rdfdump.import_dump")
    if fmt in ("csv", "xlsx") and kind not in KINDS:
        raise InputError(f"--kind is required for a sheet; use one of {', '.join(KINDS)}")
    import_name = "import-" + (slugify(name or path.stem) or "sheet")
    if name and not is_slug(slugify(name)):
        raise InputError(f"--name {name!r} has no letters or digits")
    imports_dir = imports_dir or default_imports_dir(settings)
    data_dir = resolve_data_dir(settings, data_dir)
    file_name = f"{import_name}.trig"
    index, previous = load_index(settings.base_iri, data_dir, imports_dir, exclude=file_name)
    unit = "row" if fmt in ("csv", "xlsx") else "record"
    draft = Draft(import_name, index, previous, load_aliases(imports_dir), unit)
    columns: dict[str, str]
    if fmt in ("csv", "xlsx"):
        assert kind is not None
        sheet = read_sheet(path, kind, fmt)
        if not sheet.rows:
            raise InputError(f"{path}: no data rows below the header")
        map_sheet(sheet, kind, draft)
        rows, lines, header_line, columns = len(sheet.rows), sheet.lines, True, PATH_COLUMNS[kind]
    else:
        records = read_ror(path) if fmt == "ror" else read_wikidata(path)
        if not records:
            raise InputError(f"{path}: no records")
        (map_ror if fmt == "ror" else map_wikidata)(records, draft)
        rows, lines, header_line = len(records), records[-1].end_line, False
        columns = ROR_FIELDS if fmt == "ror" else WIKIDATA_FIELDS
    draft.finish()
    url = source if source and source.startswith(("http://", "https://")) else None
    title = None if url else source
    content = render_trig(
        draft,
        file_name=path.name,
        title=title,
        url=url,
        read_on=today,
        lines=lines,
        header_line=header_line,
    )
    changes: dict[str, bytes | None] = {file_name: content}
    result = ImportResult(
        source=path,
        name=import_name,
        graph=graph_iri(settings.base_iri, import_name),
        path=imports_dir / file_name,
        format=fmt,
        rows=rows,
        facts=draft.facts,
        new_entities=len(draft.new_entities),
        dry_run=dry_run,
        notes=draft.notes,
    )
    errors: list[RowError] = list(draft.errors)
    if errors or dry_run:
        checked = validate_import_files(settings, data_dir, imports_dir, changes)
        errors += map_report(checked.report, draft, columns)
        if errors:
            raise ImportRejected(path.name, errors, checked.report)
        result.committed = checked
    else:
        try:
            result.committed = apply_import_files(settings, data_dir, imports_dir, changes)
        except ValidationFailed as exc:
            report = exc.report if isinstance(exc.report, ValidationReport) else None
            mapped = map_report(report, draft, columns) if report else []
            raise ImportRejected(path.name, mapped or [RowError(0, "", str(exc))], report) from exc
    result.seconds = time.perf_counter() - started
    return result
