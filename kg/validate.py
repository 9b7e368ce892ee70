"""SHACL validation of the graph against ``ontology/shapes.ttl``.

Two engines give the same :class:`ValidationReport` (whose results name the focus node, path,
severity and message of each problem, rendered as text, JSON or Turtle, the three formats of
``lskg validate --format``):

- ``sparql`` (the default): :func:`validate_store`, the shapes compiled to one SPARQL query
  per constraint and evaluated by Oxigraph (:mod:`kg.shacl_sparql`); seconds on a million
  triples;
- ``pyshacl``: :func:`validate_graph`, a thin layer over pyshacl, kept as the reference the
  SPARQL engine is tested against (minutes and gigabytes on a few hundred thousand triples).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate
from rdflib.namespace import RDF, SH

from kg.errors import InputError
from kg.paths import resource_dir
from kg.shacl_sparql import UnsupportedShapeFeature, validate_store

__all__ = [
    "ENGINES",
    "UnsupportedShapeFeature",
    "ValidationReport",
    "ValidationResult",
    "load_shapes",
    "sort_results",
    "to_rdflib",
    "validate_file",
    "validate_graph",
    "validate_store",
    "validate_triples",
]

ENGINES = ("sparql", "pyshacl")
"""The validation engines: shapes compiled to SPARQL for Oxigraph (default), or pyshacl."""


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One SHACL result: which node, along which path, how bad, and why."""

    severity: str
    focus: str
    path: str
    message: str
    value: str | None = None
    shape: str | None = None


@dataclass
class ValidationReport:
    """All results of one validation, sorted by severity, focus node and path."""

    results: list[ValidationResult] = field(default_factory=list)
    graph: rdflib.Graph | None = field(default=None, repr=False, compare=False)
    # Builds ``graph`` on demand (the SPARQL engine does not make one unless asked).
    graph_factory: Callable[[], rdflib.Graph] | None = field(default=None, repr=False, compare=False)

    @property
    def violations(self) -> list[ValidationResult]:
        """Results that break the graph (sh:Violation)."""
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        """Results that mark the graph as incomplete (sh:Warning and sh:Info)."""
        return [r for r in self.results if r.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        """True when there is no Violation (Warnings do not fail the graph)."""
        return not self.violations

    def to_text(self) -> str:
        """A readable report, one block per result."""
        if not self.results:
            return "Conforms: 0 violations, 0 warnings."
        lines = [
            f"{'Conforms' if self.conforms else 'Does not conform'}: "
            f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)."
        ]
        for r in self.results:
            lines.append(f"{r.severity}: {r.message}")
            lines.append(f"    focus: <{r.focus}>")
            lines.append(f"    path:  {r.path}")
            if r.value is not None:
                lines.append(f"    value: {r.value}")
        return "\n".join(lines)

    def to_json(self) -> str:
        """The report as JSON: ``{"conforms", "violations", "warnings", "results": [...]}``."""
        return json.dumps(
            {
                "conforms": self.conforms,
                "violations": len(self.violations),
                "warnings": len(self.warnings),
                "results": [asdict(r) for r in self.results],
            },
            indent=2,
            ensure_ascii=False,
        )

    def to_turtle(self) -> str:
        """The SHACL validation report graph in Turtle."""
        if self.graph is None and self.graph_factory is not None:
            self.graph = self.graph_factory()
        if self.graph is None:
            return ""
        return self.graph.serialize(format="turtle")


def load_shapes() -> rdflib.Graph:
    """The SHACL shapes graph of lskg."""
    graph = rdflib.Graph()
    graph.parse(resource_dir("ontology") / "shapes.ttl", format="turtle")
    return graph


def load_ontology() -> rdflib.Graph:
    """The OWL ontology of lskg (used for subclass reasoning during validation)."""
    graph = rdflib.Graph()
    graph.parse(resource_dir("ontology") / "lskg.ttl", format="turtle")
    return graph


def to_rdflib(triples: Iterable[ox.Triple | ox.Quad]) -> rdflib.Graph:
    """Copy pyoxigraph triples (or the triples of quads) into an rdflib graph.

    The triples pass through an Oxigraph store first, so literals have the canonical lexical
    form the lskg store gives them (``"8"`` for ``"8.0"^^xsd:decimal``) and both validation
    engines report a value alike.
    """
    store = ox.Store()
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object)
        for t in (q.triple if isinstance(q, ox.Quad) else q for q in triples)
    )
    graph = rdflib.Graph()
    data = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in store)
    graph.parse(data=data, format="nt")
    return graph


def validate_graph(
    data: rdflib.Graph,
    shapes: rdflib.Graph | None = None,
    ontology: rdflib.Graph | None = None,
) -> ValidationReport:
    """Validate ``data`` against the shapes, with the ontology's class hierarchy in scope.

    Examples
    --------
    >>> g = rdflib.Graph().parse(data='''
    ...     @prefix foaf: <http://xmlns.com/foaf/0.1/> .
    ...     <http://e/p> a foaf:Person .''', format="turtle")
    >>> report = validate_graph(g)
    >>> [(r.severity, r.path) for r in report.results]
    [('Violation', 'rdfs:label'), ('Warning', '^org:member')]
    """
    shapes = shapes if shapes is not None else load_shapes()
    ontology = ontology if ontology is not None else load_ontology()
    # pyshacl's ont_graph brings class and property axioms into the data but not the
    # ontology's individuals (the sector and role-status concepts), so validate the union.
    combined = rdflib.Graph()
    for triple in data:
        combined.add(triple)
    for triple in ontology:
        combined.add(triple)
    _conforms, results_graph, _text = shacl_validate(
        combined,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    assert isinstance(results_graph, rdflib.Graph)
    return ValidationReport(_collect(results_graph, shapes), results_graph)


def validate_triples(triples: Iterable[ox.Triple | ox.Quad], *, engine: str = "sparql") -> ValidationReport:
    """Validate triples (the triples of quads, whatever their graph, as one graph).

    ``engine`` is ``"sparql"`` (:func:`validate_store` on an in-memory Oxigraph store) or
    ``"pyshacl"`` (:func:`validate_graph`); both give the same report.

    Examples
    --------
    >>> person = ox.Triple(ox.NamedNode("http://e/p"), ox.NamedNode(str(RDF.type)),
    ...                    ox.NamedNode("http://xmlns.com/foaf/0.1/Person"))
    >>> [r.path for r in validate_triples([person]).results]
    ['rdfs:label', '^org:member']
    """
    if engine not in ENGINES:
        raise InputError(f"unknown validation engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "pyshacl":
        return validate_graph(to_rdflib(triples))
    graph = ox.NamedNode("urn:lskg:validate:input")
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return validate_store(store)


def validate_file(path: Path, *, engine: str = "sparql") -> ValidationReport:
    """Validate one Turtle/TriG file on its own (used by ``lskg validate FILE``)."""
    from kg.build import parse_rdf_file  # local: build imports this module

    return validate_triples(parse_rdf_file(path), engine=engine)


def _collect(results_graph: rdflib.Graph, shapes: rdflib.Graph) -> list[ValidationResult]:
    ns = _Namespaces(results_graph, shapes)
    out = []
    for result in results_graph.subjects(RDF.type, SH.ValidationResult):
        severity = results_graph.value(result, SH.resultSeverity)
        focus = results_graph.value(result, SH.focusNode)
        path = results_graph.value(result, SH.resultPath)
        message = results_graph.value(result, SH.resultMessage)
        value = results_graph.value(result, SH.value)
        shape = results_graph.value(result, SH.sourceShape)
        out.append(
            ValidationResult(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=str(focus),
                path=ns.path(path, results_graph) if path is not None else "",
                message=str(message) if message else "",
                value=None if value is None else str(value),
                shape=None if shape is None or isinstance(shape, rdflib.BNode) else str(shape),
            )
        )
    return sort_results(out)


def sort_results(results: Iterable[ValidationResult]) -> list[ValidationResult]:
    """Results by severity (Violation first), focus node, path and message."""
    severity_rank = {"Violation": 0, "Warning": 1, "Info": 2}
    return sorted(results, key=lambda r: (severity_rank.get(r.severity, 3), r.focus, r.path, r.message))


class _Namespaces:
    """Render SHACL paths compactly (``rdfs:label``, ``^org:member``, ``a|b``)."""

    def __init__(self, *graphs: rdflib.Graph) -> None:
        self.prefixes: dict[str, str] = {}
        for graph in graphs:
            for prefix, namespace in graph.namespaces():
                self.prefixes.setdefault(str(namespace), prefix)

    def term(self, node: rdflib.term.Node) -> str:
        text = str(node)
        for namespace, prefix in sorted(self.prefixes.items(), key=lambda kv: -len(kv[0])):
            if text.startswith(namespace) and prefix:
                return f"{prefix}:{text[len(namespace) :]}"
        return f"<{text}>"

    def path(self, node: rdflib.term.Node, shapes: rdflib.Graph) -> str:
        if isinstance(node, rdflib.URIRef):
            return self.term(node)
        graph = shapes
        inverse = graph.value(node, SH.inversePath)
        if inverse is not None:
            return "^" + self.term(inverse)
        alternatives = graph.value(node, SH.alternativePath)
        if alternatives is not None:
            items = list(rdflib.collection.Collection(graph, alternatives))
            return "|".join(self.term(i) for i in items)
        if (node, RDF.first, None) in graph:
            return "/".join(self.path(i, graph) for i in rdflib.collection.Collection(graph, node))
        return str(node)
