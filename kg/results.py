"""Serialising query results and graphs: the formats shared by the CLI, exports and the API.

SELECT/ASK results go out as SPARQL JSON, XML, CSV or TSV (pyoxigraph's serialisers) or as a
plain-text table for people; CONSTRUCT/DESCRIBE results and dumps as any RDF syntax.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from kg.errors import InputError
from kg.store import PREFIXES, Table, Term

__all__ = [
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "compact",
    "graph_format",
    "render_table",
    "result_format",
    "serialize_graph",
    "serialize_results",
]

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}

GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def result_format(name: str) -> ox.QueryResultsFormat:
    """The SPARQL results format called ``name`` (json, xml, csv, tsv)."""
    try:
        return RESULT_FORMATS[name]
    except KeyError:
        raise InputError(f"unknown result format {name!r}; use one of {', '.join(RESULT_FORMATS)}") from None


def graph_format(name: str) -> ox.RdfFormat:
    """The RDF format called ``name`` (turtle, ntriples, nquads, trig, rdfxml, jsonld)."""
    try:
        return GRAPH_FORMATS[name]
    except KeyError:
        raise InputError(f"unknown RDF format {name!r}; use one of {', '.join(GRAPH_FORMATS)}") from None


def serialize_results(result: ox.QuerySolutions | ox.QueryBoolean, fmt: ox.QueryResultsFormat) -> bytes:
    """SELECT or ASK results in a SPARQL results format."""
    buffer = io.BytesIO()
    result.serialize(buffer, fmt)
    return buffer.getvalue()


def serialize_graph(
    triples: Iterable[ox.Triple], fmt: ox.RdfFormat, prefixes: Mapping[str, str] | None = None
) -> bytes:
    """Triples (from CONSTRUCT/DESCRIBE or a description) in an RDF syntax."""
    buffer = io.BytesIO()
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        ox.serialize(list(triples), buffer, fmt, prefixes=dict(prefixes or PREFIXES))
    else:
        ox.serialize(list(triples), buffer, fmt)
    return buffer.getvalue()


def compact(term: Term | None, base_iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str:
    """A short human form of a term: ``lskg:Company``, ``<id/org/vinnova>``, ``"Vinnova"@sv``.

    Examples
    --------
    >>> compact(ox.NamedNode("https://w3id.org/lskg/id/org/vinnova"), "https://w3id.org/lskg/")
    '<id/org/vinnova>'
    >>> compact(ox.Literal("Vinnova", language="sv"), "https://w3id.org/lskg/")
    'Vinnova@sv'
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        for prefix, namespace in prefixes.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        if iri.startswith(base_iri):
            return f"<{iri[len(base_iri) :]}>"
        return f"<{iri}>"
    if isinstance(term, ox.Literal):
        return f"{term.value}@{term.language}" if term.language else term.value
    return str(term)


def render_table(table: Table, base_iri: str, max_width: int = 60) -> str:
    """A fixed-width text table of SELECT results, for people at a terminal."""
    headers = table.variables
    cells = [[_clip(compact(row.get(v), base_iri), max_width) for v in headers] for row in table.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    footer = f"({len(cells)} row{'s' if len(cells) != 1 else ''})"
    return "\n".join([line.rstrip(), rule, *body, footer])


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
