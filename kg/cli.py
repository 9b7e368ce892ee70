"""The ``lskg`` command: thin wrappers over the library.

Exit codes follow pyshacl's: 0 success (or conforms), 1 a finding (SHACL Violation, rows from
a ``*-violation`` query), 2 a usage or input error (bad file, unknown format, missing store).
Errors are one line on standard error naming the file and line where there is one.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.analysis.cli import add_subcommands as add_analysis
from kg.build import build
from kg.catalogue import NamedQuery, get_query, parse_query_file
from kg.config import Settings, load_settings
from kg.errors import InputError, LskgError, ValidationFailed
from kg.export import EXPORT_FORMATS, export_dataset
from kg.importcli import add_subcommands as add_import_subcommands
from kg.importers import default_imports_dir
from kg.results import render_table, result_format, serialize_graph, serialize_results
from kg.stats import collect_stats
from kg.store import Table, open_store
from kg.validate import ENGINES, ValidationReport, validate_triples

__all__ = ["main"]

OK, FINDING, ERROR = 0, 1, 2


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        store=getattr(args, "store", None),
        base_iri=getattr(args, "base_iri", None),
        data_dir=getattr(args, "data", None),
    )


def cmd_build(args: argparse.Namespace) -> int:
    """Build, validate and load the store."""
    settings = _settings(args)
    try:
        result = build(settings, force=args.force, extra_dirs=[default_imports_dir(settings)])
    except ValidationFailed as exc:
        report = exc.report
        assert isinstance(report, ValidationReport)
        print(report.to_text(), file=sys.stderr)
        print(f"lskg: build stopped: {exc}; the store is unchanged", file=sys.stderr)
        return FINDING
    if result.skipped:
        print(f"Store {settings.store} is up to date (version {result.version[:12]}); nothing to do.")
        print("Use --force to rebuild anyway.")
        return OK
    assert result.report is not None
    print(f"Built {settings.store} (version {result.version[:12]}) in {result.seconds:.2f} s")
    print(f"  {result.triples} triples in {len(result.graphs)} named graphs")
    print(
        f"  {result.facts_with_provenance}/{result.facts} facts carry provenance (source + lines or URL + date)"
    )
    print(f"  SHACL: {len(result.report.violations)} violations, {len(result.report.warnings)} warnings")
    for message, count in Counter(r.message for r in result.report.warnings).most_common():
        print(f"    warning x{count}: {message}")
    return OK


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate files (or the whole dataset) against the SHACL shapes."""
    settings = _settings(args)
    if args.files:
        from kg.build import parse_rdf_file

        quads = [q for path in args.files for q in parse_rdf_file(Path(path), settings.base_iri)]
        report = validate_triples(quads, engine=args.engine)
    else:
        from kg.build import assemble, validate_assembled

        data = Path(settings.data_dir) if settings.data_dir else None
        imports = [default_imports_dir(settings)]
        report = validate_assembled(assemble(settings.base_iri, data, extra_dirs=imports), engine=args.engine)
    output = {"text": report.to_text, "json": report.to_json, "turtle": report.to_turtle}[args.format]()
    print(output)
    return OK if report.conforms else FINDING


def cmd_export(args: argparse.Namespace) -> int:
    """Write the whole dataset in one RDF format."""
    store = open_store(_settings(args).store)
    export_dataset(store, args.format, Path(args.output) if args.output else None)
    if args.output:
        print(
            f"Wrote {args.output} ({Path(args.output).stat().st_size} bytes, {args.format})",
            file=sys.stderr,
        )
    return OK


def _load_query(ref: str) -> NamedQuery:
    if ref == "-":
        text = sys.stdin.read()
        return NamedQuery("stdin", Path("-"), text, "query from standard input")
    path = Path(ref)
    if ref.endswith(".rq") or path.is_file():
        return parse_query_file(path)
    return get_query(ref)


def _parse_params(pairs: Sequence[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"--param takes KEY=VALUE, got {pair!r}")
        values[key] = value
    return values


def cmd_query(args: argparse.Namespace) -> int:
    """Run a named query, a .rq file or a query from standard input."""
    settings = _settings(args)
    query = _load_query(args.query)
    bindings = query.bind(_parse_params(args.param), settings.base_iri)
    store = open_store(settings.store)
    result = store.query(query.sparql, bindings=bindings)
    out = sys.stdout.buffer
    if isinstance(result, ox.QueryTriples):
        fmt = "turtle" if args.format == "table" else args.format
        from kg.results import graph_format

        out.write(serialize_graph(result, graph_format(fmt)))
        return OK
    if isinstance(result, ox.QueryBoolean):
        if args.format == "table":
            print("true" if bool(result) else "false")
        else:
            out.write(serialize_results(result, result_format(args.format)))
        return OK
    if args.format == "table":
        variables = [v.value for v in result.variables]
        table = Table(variables, [{v: s[v] for v in variables} for s in result])
        print(render_table(table, settings.base_iri))
        rows = len(table.rows)
    else:
        fmt = result_format(args.format)
        data = serialize_results(result, fmt)
        out.write(data)
        out.flush()
        rows = _count_rows(data, fmt) if query.is_violation_check else 0
    if query.is_violation_check and rows:
        print(f"lskg: {query.name}: {rows} violation(s)", file=sys.stderr)
        return FINDING
    return OK


def _count_rows(data: bytes, fmt: ox.QueryResultsFormat) -> int:
    parsed = ox.parse_query_results(data, fmt)
    return 0 if isinstance(parsed, ox.QueryBoolean) else sum(1 for _ in parsed)


def cmd_stats(args: argparse.Namespace) -> int:
    """Print triples per graph and entities per class."""
    settings = _settings(args)
    stats = collect_stats(open_store(settings.store), settings.base_iri)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "version": stats.version,
                    "triples": stats.triples,
                    "graphs": stats.graphs,
                    "classes": stats.classes,
                    "facts": stats.facts,
                    "facts_with_provenance": stats.facts_with_provenance,
                },
                indent=2,
            )
        )
        return OK
    base = settings.base_iri
    print(f"Store {settings.store}, version {stats.version[:12]}: {stats.triples} triples")
    print(f"Facts with provenance: {stats.facts_with_provenance}/{stats.facts}")
    print("\nTriples per named graph:")
    for graph, count in stats.graphs.items():
        print(f"  {count:>7}  {graph.removeprefix(base)}")
    print("\nEntities per class (fact graphs):")
    from kg.results import compact

    for cls, count in stats.classes.items():
        print(f"  {count:>7}  {compact(ox.NamedNode(cls), base)}")
    return OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the API and web pages with uvicorn."""
    if importlib.util.find_spec("api") is None:
        raise InputError("the api package is not installed; install lskg with its API")
    import os

    import uvicorn

    if args.store:
        os.environ["LSKG_STORE"] = args.store
    # The app is named as a string so that the kg package never imports api.
    # One access line per request with status and duration comes from the app's
    # ``lskg.access`` logger; uvicorn's own access log would repeat it without the duration.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["loggers"]["lskg.access"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        access_log=False,
        log_config=log_config,
    )
    return OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lskg", description="The Swedish life-science knowledge graph.")
    parser.add_argument("--version", action="version", version=f"lskg {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", help="store directory (default: $LSKG_STORE or var/store)")
    common.add_argument("--base-iri", dest="base_iri", help="base of instance IRIs (default: $LSKG_BASE_IRI)")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    def verb(name: str, func: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        sub = verbs.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.set_defaults(func=func)
        return sub

    p = verb("build", cmd_build, "Parse ontology and data, validate with SHACL and load the store.")
    p.add_argument("--force", action="store_true", help="rebuild even if the input is unchanged")
    p.add_argument("--data", help="directory of *.trig data files (default: $LSKG_DATA_DIR or data/)")

    p = verb(
        "validate",
        cmd_validate,
        "Validate RDF files (default: the whole dataset) against the shapes.",
    )
    p.add_argument("files", nargs="*", help="Turtle/TriG files; none means the project's data")
    p.add_argument("--data", help="directory of *.trig data files to validate instead of data/")
    p.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="sparql",
        help="sparql: shapes compiled to SPARQL, run by Oxigraph (default, fast); pyshacl: the reference",
    )

    p = verb("export", cmd_export, "Write the whole dataset, with ontology and provenance.")
    p.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    p.add_argument("--output", help="file to write (default: standard output)")

    p = verb("query", cmd_query, "Run a named query, a .rq file or '-' (standard input).")
    p.add_argument("query", help="query name (see queries/), path to a .rq file, or -")
    p.add_argument(
        "--format",
        default="table",
        choices=("table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld"),
    )
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="bind the query parameter KEY (repeatable)",
    )

    p = verb("stats", cmd_stats, "Triples per graph, entities per class, provenance coverage.")
    p.add_argument("--format", choices=("text", "json"), default="text")

    p = verb("serve", cmd_serve, "Serve the SPARQL endpoint, linked data and web pages.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)

    add_analysis(verbs)
    add_import_subcommands(verbs, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lskg`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except ValidationFailed as exc:
        print(f"lskg: {exc}", file=sys.stderr)
        return FINDING
    except LskgError as exc:
        print(f"lskg: error: {exc}", file=sys.stderr)
        return ERROR
    except BrokenPipeError:
        return OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
