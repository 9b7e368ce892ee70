"""The ``lskg gaps`` and ``lskg network`` verbs: thin wrappers over :mod:`kg.analysis`.

``kg.cli`` calls :func:`add_subcommands` with its argparse sub-parsers. Every verb stores its
handler as ``func`` (``args.func(args)`` runs it) and returns exit code 0; bad input raises
:class:`~kg.errors.InputError` or :class:`~kg.errors.NotFound`, which ``kg.cli`` prints and
turns into exit code 2 (argparse itself exits 2 on a usage error).

::

    lskg gaps [--format md|html|json] [--output FILE] [--store DIR]
    lskg network export --graph NAME --format graphml|gexf|cyjs|csv --output PATH [--store DIR]
    lskg network plot --graph NAME --output FILE.png|svg|pdf [--store DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kg.config import load_settings
from kg.errors import InputError
from kg.store import OxigraphStore, open_store

__all__ = ["GAP_FORMATS", "add_subcommands", "run_export", "run_gaps", "run_plot"]

GAP_FORMATS = ("md", "html", "json")


def _store(args: argparse.Namespace) -> OxigraphStore:
    settings = load_settings(store=getattr(args, "store", None))
    return open_store(settings.store)


def _add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="DIR", default=None, help="store directory (default: $LSKG_STORE)")


def _output_file(value: str | None) -> Path | None:
    if value is None or value == "-":
        return None
    path = Path(value)
    if path.is_dir():
        raise InputError(f"{path} is a directory; give a file name")
    return path


def run_gaps(args: argparse.Namespace) -> int:
    """``lskg gaps``: write the sector gap report as Markdown (default), HTML or JSON."""
    from kg.analysis.report import gap_report, render_html, render_json, render_markdown

    if args.format not in GAP_FORMATS:
        raise InputError(f"unknown format {args.format!r}; choose one of {', '.join(GAP_FORMATS)}")
    output = _output_file(args.output)
    report = gap_report(_store(args))
    render = {"md": render_markdown, "html": render_html, "json": render_json}[args.format]
    text = render(report)
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    return 0


def run_export(args: argparse.Namespace) -> int:
    """``lskg network export``: write one graph for Gephi, Cytoscape, yEd or Kumu."""
    from kg.analysis.export import FORMATS, write_graph
    from kg.analysis.graphs import build_graph

    if args.format not in FORMATS:
        raise InputError(f"unknown format {args.format!r}; choose one of {', '.join(FORMATS)}")
    target = Path(args.output)
    if args.format != "csv" and target.is_dir():
        raise InputError(f"{target} is a directory; give a file name for {args.format}")
    if args.format == "csv" and target.exists() and not target.is_dir():
        raise InputError(f"{target} is a file; csv export writes nodes.csv and edges.csv into a directory")
    G = build_graph(_store(args), args.graph)
    for path in write_graph(G, args.format, target):
        print(f"wrote {path}", file=sys.stderr)
    return 0


def run_plot(args: argparse.Namespace) -> int:
    """``lskg network plot``: draw one graph, coloured by sector and sized by betweenness."""
    from kg.analysis.export import PLOT_SUFFIXES, plot_network
    from kg.analysis.graphs import build_graph

    target = Path(args.output)
    if target.suffix.lower() not in PLOT_SUFFIXES:
        raise InputError(f"{target}: the output must end in {', '.join(PLOT_SUFFIXES)}")
    G = build_graph(_store(args), args.graph)
    plot_network(G, target)
    print(f"wrote {target}", file=sys.stderr)
    return 0


def add_subcommands(subparsers: Any) -> None:
    """Register ``gaps`` and ``network`` (``export``, ``plot``) on an argparse sub-parser set.

    Parameters
    ----------
    subparsers
        The object ``argparse.ArgumentParser.add_subparsers()`` returned.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="lskg")
    >>> add_subcommands(parser.add_subparsers(dest="command", required=True))
    >>> args = parser.parse_args(["network", "export", "--graph", "people",
    ...                           "--format", "gexf", "--output", "people.gexf"])
    >>> args.func is run_export, args.graph, args.store
    (True, 'people', None)
    """
    from kg.analysis.export import FORMATS
    from kg.analysis.graphs import GRAPHS

    gaps = subparsers.add_parser(
        "gaps",
        help="report sector gaps per collaboration area and group",
        description="Which sectors each collaboration area and group has and lacks, single "
        "points of failure, brokers and suggested cross-sector links.",
    )
    gaps.add_argument("--format", choices=GAP_FORMATS, default="md", help="default: md")
    gaps.add_argument("--output", metavar="FILE", default=None, help="default: standard output")
    _add_store(gaps)
    gaps.set_defaults(func=run_gaps)

    network = subparsers.add_parser("network", help="export or draw the ecosystem graphs")
    verbs = network.add_subparsers(dest="network_command", required=True, metavar="{export,plot}")
    export = verbs.add_parser("export", help="write a graph as GraphML, GEXF, Cytoscape.js or CSV")
    export.add_argument("--graph", required=True, choices=sorted(GRAPHS))
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--output", required=True, metavar="PATH", help="a file; a directory for csv")
    _add_store(export)
    export.set_defaults(func=run_export)
    plot = verbs.add_parser("plot", help="draw a graph coloured by sector")
    plot.add_argument("--graph", required=True, choices=sorted(GRAPHS))
    plot.add_argument("--output", required=True, metavar="FILE", help=".png, .svg or .pdf")
    _add_store(plot)
    plot.set_defaults(func=run_plot)
