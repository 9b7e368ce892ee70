"""The ``lskg import``, ``lskg reconcile`` and ``lskg diff`` verbs: thin wrappers over
:mod:`kg.importers`, :mod:`kg.reconcile` and :mod:`kg.diff`.

``kg.cli`` calls :func:`add_subcommands` with its argparse sub-parsers and the parent parser
that adds ``--store`` and ``--base-iri``. Exit codes follow the other verbs:

- ``import``: 0 imported (or, with ``--dry-run``, would import); 1 the file has errors, listed
  row by row, and nothing was written; 2 the file cannot be read at all. An RDF dump
  (``.nt``, ``.nq``, ``.ttl``, ``.trig``, optionally ``.gz``) is streamed into a graph of its
  own (:mod:`kg.importers.rdfdump`): 1 it violates the shapes, 2 a syntax error (with its line).
- ``reconcile``: 0 nothing left to confirm; 1 probable duplicates await ``--accept`` (or the
  merge would break the shapes; nothing was written); 2 a bad argument.
- ``diff``: 0 no differences; 1 differences (like ``diff``); 2 a file or store is missing.

::

    lskg import FILE [--kind KIND] [--input-format csv|xlsx|ror|wikidata|rdf] [--source URL-or-title]
                [--name NAME] [--dry-run] [--data DIR] [--imports DIR] [--format text|json]
    lskg reconcile [--accept ID ...] [--dry-run] [--threshold 0.6] [--format table|json]
    lskg diff OLD NEW [--format text|json] [--summary]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kg.config import Settings, load_settings
from kg.errors import ValidationFailed
from kg.importers import FORMATS, KINDS, ImportRejected, detect_format, import_file
from kg.validate import ValidationReport

__all__ = ["add_subcommands", "cmd_diff", "cmd_import", "cmd_reconcile"]

OK, FINDING = 0, 1


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        store=getattr(args, "store", None),
        base_iri=getattr(args, "base_iri", None),
        data_dir=getattr(args, "data", None),
    )


def _print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def cmd_import(args: argparse.Namespace) -> int:
    """Import a sheet, a ROR/Wikidata JSON file or an RDF dump."""
    settings = _settings(args)
    if detect_format(Path(args.file), args.input_format) == "rdf":
        return cmd_import_dump(args, settings)
    try:
        result = import_file(
            settings,
            Path(args.file),
            kind=args.kind,
            input_format=args.input_format,
            source=args.source,
            name=args.name,
            dry_run=args.dry_run,
            imports_dir=_path(args.imports),
        )
    except ImportRejected as exc:
        if args.format == "json":
            _print_json({"ok": False, "errors": [e.as_dict() for e in exc.errors]})
        else:
            print(f"lskg: {exc}", file=sys.stderr)
            for error in exc.errors:
                print(f"  {error}", file=sys.stderr)
        return FINDING
    if args.format == "json":
        _print_json({"ok": True, **result.as_dict()})
        return OK
    verb = "Would import" if result.dry_run else "Imported"
    print(f"{verb} {result.source.name} ({result.format}) as graph <{result.graph}>")
    rows = "row" if result.rows == 1 else "rows"
    entities = "entity" if result.new_entities == 1 else "entities"
    print(f"  {result.rows} {rows}, {result.facts} facts, {result.new_entities} new {entities}")
    if not result.dry_run:
        print(f"  wrote {result.path} and rebuilt {settings.store} in {result.seconds:.2f} s")
    else:
        print("  dry run: nothing was written")
    scope = "changed nodes" if result.committed and result.committed.incremental else "whole graph"
    print(f"  SHACL ({scope}): 0 violations, {result.warnings} warnings")
    for note in result.notes:
        print(f"  note: {note}")
    return OK


def _progress(triples: int) -> None:
    if triples % 1_000_000 < 100_000:
        print(f"  read {triples} triples", file=sys.stderr, flush=True)


def cmd_import_dump(args: argparse.Namespace, settings: Settings) -> int:
    """Stream an RDF dump (.nt, .nq, .ttl, .trig, optionally .gz) into a graph of its own."""
    from kg.importers.rdfdump import import_dump

    try:
        result = import_dump(
            settings,
            Path(args.file),
            name=args.name,
            source=args.source,
            dry_run=args.dry_run,
            progress=_progress if args.progress else None,
        )
    except ValidationFailed as exc:
        report = exc.report if isinstance(exc.report, ValidationReport) else None
        violations = report.violations if report else []
        if args.format == "json":
            listed = [
                {"focus": r.focus, "path": r.path, "message": r.message, "value": r.value} for r in violations
            ]
            _print_json({"ok": False, "error": str(exc), "violations": listed})
            return FINDING
        # Only the violations: the warnings about the rest of the graph would bury them.
        for r in violations[:20]:
            print(f"Violation: {r.message}\n    focus: <{r.focus}>\n    path:  {r.path}", file=sys.stderr)
        if len(violations) > 20:
            print(f"... and {len(violations) - 20} more (--format json lists all)", file=sys.stderr)
        print(f"lskg: {exc}", file=sys.stderr)
        return FINDING
    if args.format == "json":
        _print_json({"ok": True, **result.as_dict()})
        return OK
    verb = "Would import" if result.dry_run else ("Replaced" if result.replaced else "Imported")
    dump = result.dump
    print(f"{verb} {dump.path.name} ({dump.format.name}) as graph <{result.graph}>")
    print(f"  {result.triples} triples from lines 1-{dump.lines}, sha256 {dump.sha256[:16]}…")
    print(
        f"  {result.location} in {result.seconds:.2f} s"
        + (" (dry run: nothing written)" if result.dry_run else "")
    )
    print(f"  SHACL: 0 violations, {len(result.report.warnings)} warnings")
    for note in result.notes:
        print(f"  note: {note}")
    return OK


def cmd_reconcile(args: argparse.Namespace) -> int:
    """Merge imported entities that share an identifier with one in the graph; list the
    probable duplicates for a person to accept."""
    from kg.reconcile import reconcile

    settings = _settings(args)
    try:
        result = reconcile(
            settings,
            accept=args.accept,
            dry_run=args.dry_run,
            threshold=args.threshold,
            imports_dir=_path(args.imports),
        )
    except ValidationFailed as exc:
        if isinstance(exc.report, ValidationReport):
            print(exc.report.to_text(), file=sys.stderr)
        print(f"lskg: reconcile stopped: {exc}; nothing was written", file=sys.stderr)
        return FINDING
    if args.format == "json":
        _print_json(result.as_dict())
        return FINDING if result.candidates else OK
    base = settings.base_iri

    def short(iri: str) -> str:
        return f"<{iri.removeprefix(base)}>"

    if result.merged:
        done = "Merged" if result.written else "Would merge"
        print(f"{done} {len(result.merged)}:")
        for c in result.merged:
            why = c.reason if c.exact else f"accepted, {c.reason}"
            print(f"  {c.id}  {short(c.imported)} -> {short(c.existing)}  ({why})")
    if result.candidates:
        print("Probable duplicates (confirm with lskg reconcile --accept ID):")
        rows = [("ID", "score", "imported", "existing")] + [
            (
                c.id,
                f"{c.score:.2f}",
                f"{short(c.imported)} {c.imported_label!r}",
                f"{short(c.existing)} {c.existing_label!r}",
            )
            for c in result.candidates
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            print(
                "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
    if not result.merged and not result.candidates:
        print("Nothing to reconcile: no imported entity shares an identifier or a similar name with another.")
    for note in result.notes:
        print(f"note: {note}")
    return FINDING if result.candidates else OK


def cmd_diff(args: argparse.Namespace) -> int:
    """List the quads added and removed per named graph between two dumps or stores."""
    from kg.diff import diff_paths

    settings = _settings(args)
    diff = diff_paths(Path(args.old), Path(args.new), settings.base_iri)
    if args.format == "json":
        print(diff.to_json())
    else:
        print(diff.to_text(settings.base_iri, summary=args.summary))
    return FINDING if diff.changed else OK


def add_subcommands(verbs: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register ``import``, ``reconcile`` and ``diff`` on ``kg.cli``'s sub-parsers."""

    def imports_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--imports",
            metavar="DIR",
            help="directory of import files (default: 'imports' beside the store, e.g. var/imports)",
        )
        parser.add_argument(
            "--data", metavar="DIR", help="directory of curated *.trig files (default: data/)"
        )

    help_text = (
        "Import a sheet (CSV/XLSX), ROR/Wikidata JSON or an RDF dump (.nt/.nq/.ttl/.trig[.gz]), "
        "validated before anything is written."
    )
    p = verbs.add_parser("import", parents=[common], help=help_text, description=help_text)
    p.set_defaults(func=cmd_import)
    p.add_argument("file", help="the sheet (.csv, .xlsx), JSON file (.json) or RDF dump to import")
    p.add_argument("--kind", choices=KINDS, help="what the sheet lists (required for CSV and XLSX)")
    p.add_argument("--input-format", choices=FORMATS, help="input format (default: by suffix and content)")
    p.add_argument("--source", help="the sheet's address (URL: every fact also cites it) or its title")
    p.add_argument("--name", help="the import's name (default: the file name); the same name replaces it")
    p.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    p.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    p.add_argument(
        "--progress", action="store_true", help="RDF dumps: report every million triples read on stderr"
    )
    imports_option(p)

    help_text = "Merge imported duplicates that share an identifier; list probable duplicates by name."
    p = verbs.add_parser("reconcile", parents=[common], help=help_text, description=help_text)
    p.set_defaults(func=cmd_reconcile)
    p.add_argument("--accept", nargs="+", default=[], metavar="ID", help="merge these listed candidates")
    p.add_argument("--dry-run", action="store_true", help="list what would be merged, write nothing")
    p.add_argument(
        "--threshold", type=float, default=0.6, help="lowest name similarity listed (0 to 1, default 0.6)"
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    imports_option(p)

    help_text = "List the facts added and removed per named graph between two dumps or stores."
    p = verbs.add_parser("diff", parents=[common], help=help_text, description=help_text)
    p.set_defaults(func=cmd_diff)
    p.add_argument("old", help="the older release: a dump file (.nq, .trig, ...) or a store directory")
    p.add_argument("new", help="the newer release")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--summary", action="store_true", help="counts per graph only, without the triples")
