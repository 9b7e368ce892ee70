"""SHACL validation compiled to SPARQL and evaluated by Oxigraph.

pyshacl walks the data graph node by node in Python; on a graph of a few hundred thousand
triples that takes minutes and gigabytes. This engine compiles every constraint of
``ontology/shapes.ttl`` into one SPARQL SELECT (targets, path and test in one query, counts
aggregated with ``GROUP BY``) and lets Oxigraph evaluate it over the store's own indexes, so
the cost grows with the data the way a query does, and results stream out one row at a time.

It implements the SHACL Core subset the shapes use and refuses any other ``sh:`` term with
:class:`UnsupportedShapeFeature` (a shape is never skipped silently):

- targets: ``sh:targetClass`` (instances of subclasses count; the hierarchy is read from the
  ontology and from any ``rdfs:subClassOf`` in the data);
- paths: an IRI, ``sh:inversePath``, ``sh:alternativePath`` and sequences of those;
- ``sh:minCount``, ``sh:maxCount``, ``sh:datatype``, ``sh:class``, ``sh:languageIn``,
  ``sh:pattern`` (with ``sh:flags``), ``sh:minInclusive``, ``sh:maxInclusive``,
  ``sh:minExclusive``, ``sh:maxExclusive``, ``sh:nodeKind``, ``sh:or``,
  ``sh:lessThanOrEquals``, ``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount`` /
  ``sh:qualifiedMaxCount``, ``sh:severity``, ``sh:message``.

The report is the one :func:`kg.validate.validate_graph` (pyshacl) gives: same results, same
severity, focus node, rendered path, message and value. Where pyshacl departs from the letter
of SHACL this engine follows pyshacl, because the fixtures of the shape tests encode it:

- ``sh:datatype`` checks the lexical form only for the datatypes pyshacl checks (``xsd:integer``,
  ``xsd:decimal``, ``xsd:float``, ``xsd:double``, ``xsd:boolean``, ``xsd:date``, ``xsd:dateTime``,
  ``xsd:time``); an ``xsd:gYear`` such as ``"20x9"`` matches its datatype (the shapes pair it
  with an ``sh:pattern``). Well-formedness is decided by Oxigraph's XSD parser, which is stricter
  than rdflib's on a few lexical forms rdflib accepts against XSD (``"1e3"^^xsd:decimal``,
  ``" 1"^^xsd:integer``, ``"2024-01-01T00:00"^^xsd:date``): this engine reports them.
- ``sh:languageIn`` matches a tag equal to a listed one or whose first subtag is (case-insensitive).
- ``sh:lessThanOrEquals`` compares IRIs and strings as text and reports a string against a
  number; numbers, dates and booleans compare with SPARQL ``<=``; one result per failing pair.
- A shape without ``sh:message`` gets a short message of this engine's own wording.
- ``sh:pattern`` is evaluated by Oxigraph's regular expressions (Rust ``regex`` syntax), which
  agree with Python's ``re`` on the patterns of the shapes (no look-around or back-references).
"""

from __future__ import annotations

import functools
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from kg.errors import InputError
from kg.paths import resource_dir

if TYPE_CHECKING:
    from kg.validate import ValidationReport

__all__ = ["UnsupportedShapeFeature", "compile_shapes", "validate_store"]

STATEMENT_MARK = "/id/statement/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
# Queries evaluated at once (at most one per CPU).
VALIDATION_THREADS = 4

# sh: terms a node shape / property shape / value shape (inside sh:or or
# sh:qualifiedValueShape) may use; any other sh: predicate is refused by name.
_NODE_SHAPE_TERMS = {SH.targetClass, SH.property, SH.severity, SH.message, SH.name, SH.description}
_VALUE_TERMS = {
    SH.datatype,
    SH["class"],
    SH.languageIn,
    SH.pattern,
    SH.flags,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.nodeKind,
    SH["or"],
}
_PROPERTY_TERMS = _VALUE_TERMS | {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.lessThanOrEquals,
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
}
_PATH_TERMS = {SH.inversePath, SH.alternativePath}
# Datatypes whose lexical form pyshacl checks (through rdflib's converters).
_CHECKED_DATATYPES = {
    XSD.integer,
    XSD.decimal,
    XSD.float,
    XSD.double,
    XSD.boolean,
    XSD.date,
    XSD.dateTime,
    XSD.time,
}
_NODE_KINDS: dict[rdflib.term.Node, str] = {
    SH.IRI: "isIRI(?value)",
    SH.BlankNode: "isBlank(?value)",
    SH.Literal: "isLiteral(?value)",
    SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
    SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
    SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
}
_SEVERITIES: dict[rdflib.term.Node, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


class UnsupportedShapeFeature(InputError):
    """The shapes use a SHACL feature this engine does not implement (named in the message)."""

    code = "unsupported_shape_feature"


@dataclass(frozen=True)
class CompiledConstraint:
    """One constraint of one property shape, as a SPARQL query template.

    ``build(scope)`` writes the query for a given data scope (the target classes and the
    ontology triples the store lacks are spelled into it); its rows bind ``?this`` and, when
    the result names a value, ``?value``.
    """

    node_shape: rdflib.term.Node
    property_shape: rdflib.term.Node
    component: rdflib.URIRef
    path: rdflib.term.Node
    path_text: str
    severity: str
    message: str
    has_value: bool
    build: Callable[[Scope], str] = field(compare=False, repr=False)


@dataclass
class Scope:
    """What the queries need to know about the data: class hierarchy and missing ontology."""

    subclasses: dict[str, set[str]]
    # Ontology triples the validated graphs lack, by predicate: (subject, object) in SPARQL syntax.
    injected: dict[str, list[tuple[str, str]]]

    def closure(self, cls: str) -> list[str]:
        """``cls`` and every class below it, sorted."""
        seen = {cls}
        todo = [cls]
        while todo:
            for child in self.subclasses.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return sorted(seen)

    def triple(self, subject: str, predicate: str, obj: str) -> str:
        """The pattern ``subject predicate obj`` over the data and the ontology."""
        pattern = f"{subject} <{predicate}> {obj} ."
        pairs = self.injected.get(predicate)
        if not pairs:
            return pattern
        rows = " ".join(f"({s} {o})" for s, o in pairs)
        return f"{{ {pattern} }} UNION {{ VALUES ({subject} {obj}) {{ {rows} }} }}"

    def instance_of(self, var: str, classes: Iterable[str], class_var: str) -> str:
        """``var`` has an rdf:type among ``classes`` (the data's or the ontology's)."""
        wanted = set(classes)
        values = " ".join(f"<{c}>" for c in sorted(wanted))
        pattern = f"{var} a {class_var} . VALUES {class_var} {{ {values} }}"
        extra = sorted({s for s, o in self.injected.get(RDF_TYPE, []) if o[1:-1] in wanted})
        if not extra:
            return pattern
        return f"{{ {pattern} }} UNION {{ VALUES {var} {{ {' '.join(extra)} }} }}"


# --------------------------------------------------------------------------------------------
# Compiling the shapes
# --------------------------------------------------------------------------------------------


def _term(node: rdflib.term.Node) -> str:
    """A constant of the shapes graph in SPARQL syntax (escaped by pyoxigraph)."""
    if isinstance(node, rdflib.URIRef):
        return str(ox.NamedNode(str(node)))
    if isinstance(node, rdflib.Literal):
        if node.language:
            return str(ox.Literal(str(node), language=node.language))
        return str(ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD.string))))
    raise UnsupportedShapeFeature(f"a blank node {node} where the shapes need an IRI or a literal")


def _string(text: str) -> str:
    return str(ox.Literal(text))


def _not_statement(var: str) -> str:
    """``var`` is not a reified provenance statement (STR of a blank node would be an error)."""
    return f"!(isIRI({var}) && CONTAINS(STR({var}), {_string(STATEMENT_MARK)}))"


def _one(graph: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef) -> rdflib.term.Node | None:
    values = list(graph.objects(node, predicate))
    if len(values) > 1:
        raise UnsupportedShapeFeature(
            f"several values of {predicate.n3(graph.namespace_manager)} on one shape"
        )
    return values[0] if values else None


def _integer(graph: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef) -> int | None:
    value = _one(graph, node, predicate)
    if value is None:
        return None
    if not isinstance(value, rdflib.Literal) or not isinstance(value.value, int):
        raise UnsupportedShapeFeature(f"{predicate} must be an integer, not {value!r}")
    return int(value.value)


def _refuse_unknown(
    graph: rdflib.Graph, node: rdflib.term.Node, allowed: set[rdflib.URIRef], where: str
) -> None:
    unknown = sorted(
        p.n3(graph.namespace_manager)
        for p in set(graph.predicates(node))
        if str(p).startswith(str(SH)) and p not in allowed
    )
    if unknown:
        raise UnsupportedShapeFeature(
            f"the SPARQL validator does not implement {', '.join(unknown)} ({where})"
        )


def _path_pattern(graph: rdflib.Graph, path: rdflib.term.Node, subject: str, obj: str, scope: Scope) -> str:
    """The graph pattern linking ``subject`` to ``obj`` along the SHACL path ``path``."""
    if isinstance(path, rdflib.URIRef):
        return scope.triple(subject, str(path), obj)
    inverse = _one(graph, path, SH.inversePath)
    if inverse is not None:
        return _path_pattern(graph, inverse, obj, subject, scope)
    alternatives = _one(graph, path, SH.alternativePath)
    if alternatives is not None:
        members = list(Collection(graph, alternatives))
        return " UNION ".join(f"{{ {_path_pattern(graph, m, subject, obj, scope)} }}" for m in members)
    if (path, RDF.first, None) in graph:
        steps = list(Collection(graph, path))
        names = [subject, *(f"{obj}_{i}" for i in range(1, len(steps))), obj]
        return " ".join(
            _path_pattern(graph, step, names[i], names[i + 1], scope) for i, step in enumerate(steps)
        )
    raise UnsupportedShapeFeature(f"the SPARQL validator does not implement this path: {path}")


def _check_path(graph: rdflib.Graph, path: rdflib.term.Node) -> None:
    if isinstance(path, rdflib.URIRef):
        return
    if isinstance(path, rdflib.Literal):
        raise UnsupportedShapeFeature(f"a literal as sh:path: {path!r}")
    if (path, RDF.first, None) in graph:
        for step in Collection(graph, path):
            _check_path(graph, step)
        return
    _refuse_unknown(graph, path, _PATH_TERMS, "in a path")
    inverse = _one(graph, path, SH.inversePath)
    alternatives = _one(graph, path, SH.alternativePath)
    if inverse is not None:
        _check_path(graph, inverse)
    elif alternatives is not None:
        for member in Collection(graph, alternatives):
            _check_path(graph, member)
    else:
        raise UnsupportedShapeFeature(f"the SPARQL validator does not implement this path: {path}")


def _value_test(
    graph: rdflib.Graph, shape: rdflib.term.Node, component: rdflib.URIRef
) -> Callable[[Scope], str]:
    """A SPARQL expression true when ``?value`` satisfies ``component`` of ``shape``."""
    value = _one(graph, shape, component)
    assert value is not None
    if component == SH.datatype:
        return lambda scope: _datatype_test(value)
    if component == SH["class"]:
        return lambda scope: (
            f"({_not_statement('?value')} && "
            f"EXISTS {{ {scope.instance_of('?value', scope.closure(str(value)), '?value_class')} }})"
        )
    if component == SH.languageIn:
        tags = sorted(str(t).lower() for t in Collection(graph, value))
        if "*" in tags:
            return lambda scope: '(isLiteral(?value) && LANG(?value) != "")'
        listed = ", ".join(_string(t) for t in tags)
        return lambda scope: (
            f"(isLiteral(?value) && (LCASE(LANG(?value)) IN ({listed}) || "
            f"LCASE(STRBEFORE(LANG(?value), '-')) IN ({listed})))"
        )
    if component == SH.pattern:
        flags = _one(graph, shape, SH.flags)
        extra = f", {_string(str(flags))}" if flags is not None else ""
        return lambda scope: f"(!isBlank(?value) && REGEX(STR(?value), {_string(str(value))}{extra}))"
    if component in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
        operator = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
        return lambda scope: f"(?value {operator[component]} {_term(value)})"
    if component == SH.nodeKind:
        if value not in _NODE_KINDS:
            raise UnsupportedShapeFeature(f"sh:nodeKind {value}")
        return lambda scope: _NODE_KINDS[value]
    if component == SH["or"]:
        members = [_member_test(graph, m) for m in Collection(graph, value)]
        return lambda scope: "(" + " || ".join(m(scope) for m in members) + ")" if members else "false"
    raise UnsupportedShapeFeature(f"the SPARQL validator does not implement {component}")


def _datatype_test(datatype: rdflib.term.Node) -> str:
    if datatype == RDF.langString:
        return '(isLiteral(?value) && LANG(?value) != "")'
    if datatype == RDFS.Literal:
        return "isLiteral(?value)"
    if datatype == XSD.string:
        return f"(isLiteral(?value) && DATATYPE(?value) = {_term(XSD.string)})"
    test = f"(isLiteral(?value) && DATATYPE(?value) = {_term(datatype)}"
    if datatype in _CHECKED_DATATYPES:
        # The cast fails (an error, so COALESCE gives false) on an ill-typed lexical form.
        test += f" && COALESCE(isLiteral({_term(datatype)}(STR(?value))), false)"
    return test + ")"


def _components(graph: rdflib.Graph, shape: rdflib.term.Node) -> list[rdflib.URIRef]:
    """The value-level constraint components used by ``shape`` (sh:flags goes with sh:pattern)."""
    found = {p for p in graph.predicates(shape) if isinstance(p, rdflib.URIRef) and p in _VALUE_TERMS}
    return sorted(found - {SH.flags})


def _member_test(graph: rdflib.Graph, shape: rdflib.term.Node) -> Callable[[Scope], str]:
    """A value shape (an sh:or member or sh:qualifiedValueShape) as one boolean expression."""
    _refuse_unknown(graph, shape, _VALUE_TERMS, "inside sh:or or sh:qualifiedValueShape")
    components = _components(graph, shape)
    tests = [_value_test(graph, shape, c) for c in components]
    return lambda scope: (
        "(" + " && ".join(f"COALESCE({t(scope)}, false)" for t in tests) + ")" if tests else "true"
    )


@dataclass(frozen=True)
class _Query:
    """The pieces every constraint query shares."""

    graph: rdflib.Graph
    targets: list[str]
    path: rdflib.term.Node

    def target(self, scope: Scope) -> str:
        classes = sorted({c for t in self.targets for c in scope.closure(t)})
        # No DISTINCT here: every query projects distinct rows or groups by ?this.
        return (
            f"{{ {scope.instance_of('?this', classes, '?target_class')} FILTER({_not_statement('?this')}) }}"
        )

    def values(self, scope: Scope, var: str = "?value") -> str:
        pattern = _path_pattern(self.graph, self.path, "?this", var, scope)
        if isinstance(self.path, rdflib.URIRef):
            return pattern
        # Through an inverse path a reified statement could become a value; it is not data.
        return f"{pattern} FILTER({_not_statement(var)})"


def _count_query(
    q: _Query, low: int | None, high: int | None, test: Callable[[Scope], str] | None = None
) -> Callable[[Scope], str]:
    def build(scope: Scope) -> str:
        keep = f" FILTER(COALESCE({test(scope)}, false))" if test else ""
        if low == 1 and high is None:
            return f"SELECT DISTINCT ?this WHERE {{ {q.target(scope)} FILTER NOT EXISTS {{ {q.values(scope)}{keep} }} }}"
        having = []
        if low is not None:
            having.append(f"COUNT(DISTINCT ?value) < {low}")
        if high is not None:
            having.append(f"COUNT(DISTINCT ?value) > {high}")
        values = f"OPTIONAL {{ {q.values(scope)}{keep} }}" if low else f"{q.values(scope)}{keep}"
        return (
            f"SELECT ?this WHERE {{ {q.target(scope)} {values} }} "
            f"GROUP BY ?this HAVING ({' || '.join(having)})"
        )

    return build


def _value_query(q: _Query, test: Callable[[Scope], str]) -> Callable[[Scope], str]:
    def build(scope: Scope) -> str:
        return (
            f"SELECT DISTINCT ?this ?value WHERE {{ {q.target(scope)} {q.values(scope)} "
            f"FILTER(!COALESCE({test(scope)}, false)) }}"
        )

    return build


def _class_query(q: _Query, cls: rdflib.term.Node) -> Callable[[Scope], str]:
    # An anti-join (MINUS) is about twice as fast in Oxigraph as FILTER NOT EXISTS per value.
    def build(scope: Scope) -> str:
        instances = scope.instance_of("?value", scope.closure(str(cls)), "?value_class")
        return (
            f"SELECT DISTINCT ?this ?value WHERE {{ {q.target(scope)} {q.values(scope)} "
            f"MINUS {{ {instances} FILTER({_not_statement('?value')}) }} }}"
        )

    return build


def _less_than_or_equals_query(q: _Query, other: rdflib.term.Node) -> Callable[[Scope], str]:
    if not isinstance(other, rdflib.URIRef):
        raise UnsupportedShapeFeature("sh:lessThanOrEquals must name a property (an IRI)")
    text = '(isIRI({0}) || (isLiteral({0}) && (LANG({0}) != "" || DATATYPE({0}) = {1})))'
    value_text = text.format("?value", _term(XSD.string))
    other_text = text.format("?other", _term(XSD.string))
    # As pyshacl: IRIs and strings compare as text, a string against a non-string fails.
    test = f"IF({value_text}, {other_text} && STR(?value) <= STR(?other), !{other_text} && ?value <= ?other)"

    def build(scope: Scope) -> str:
        return (
            f"SELECT DISTINCT ?this ?value ?other WHERE {{ {q.target(scope)} {q.values(scope)} "
            f"{scope.triple('?this', str(other), '?other')} FILTER(!COALESCE({test}, false)) }}"
        )

    return build


def compile_shapes(shapes: rdflib.Graph) -> list[CompiledConstraint]:
    """Compile every constraint of ``shapes`` into a query template, refusing unknown features.

    Examples
    --------
    >>> from kg.validate import load_shapes
    >>> constraints = compile_shapes(load_shapes())
    >>> sorted({c.component.rsplit("#", 1)[-1] for c in constraints})[:4]
    ['ClassConstraintComponent', 'DatatypeConstraintComponent', 'LanguageInConstraintComponent', 'LessThanOrEqualsConstraintComponent']
    """
    from kg.validate import _Namespaces  # local: kg.validate re-exports this module

    names = _Namespaces(rdflib.Graph(), shapes)
    shape_nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(SH.targetClass))
    shape_nodes |= set(shapes.subjects(RDF.type, SH.PropertyShape)) - set(shapes.objects(None, SH.property))
    known = _NODE_SHAPE_TERMS | _PROPERTY_TERMS | _PATH_TERMS | {SH.deactivated}
    unknown = sorted(
        p.n3(shapes.namespace_manager)
        for p in set(shapes.predicates())
        if str(p).startswith(str(SH)) and p not in known
    )
    if unknown:
        raise UnsupportedShapeFeature(f"the SPARQL validator does not implement {', '.join(unknown)}")
    out: list[CompiledConstraint] = []
    for node_shape in sorted(shape_nodes, key=str):
        if (node_shape, SH.path, None) in shapes:
            raise UnsupportedShapeFeature(f"a property shape with its own targets ({node_shape})")
        _refuse_unknown(shapes, node_shape, _NODE_SHAPE_TERMS, f"on node shape {node_shape}")
        targets = sorted(str(c) for c in shapes.objects(node_shape, SH.targetClass))
        for prop in sorted(shapes.objects(node_shape, SH.property), key=str):
            out.extend(_compile_property(shapes, names, node_shape, prop, targets))
    return out


def _compile_property(
    shapes: rdflib.Graph,
    names: object,
    node_shape: rdflib.term.Node,
    prop: rdflib.term.Node,
    targets: list[str],
) -> Iterator[CompiledConstraint]:
    _refuse_unknown(shapes, prop, _PROPERTY_TERMS, "on a property shape")
    if (prop, SH.deactivated, None) in shapes:
        raise UnsupportedShapeFeature("the SPARQL validator does not implement sh:deactivated")
    path = _one(shapes, prop, SH.path)
    if path is None:
        raise UnsupportedShapeFeature(f"a property shape without sh:path ({prop})")
    _check_path(shapes, path)
    severity_node = _one(shapes, prop, SH.severity) or SH.Violation
    if severity_node not in _SEVERITIES:
        raise UnsupportedShapeFeature(f"the severity {severity_node}")
    messages = sorted(
        shapes.objects(prop, SH.message), key=lambda m: (getattr(m, "language", "") != "en", str(m))
    )
    path_text = names.path(path, shapes)  # type: ignore[attr-defined]
    q = _Query(shapes, targets, path)

    def constraint(
        component: str, has_value: bool, build: Callable[[Scope], str], default: str
    ) -> CompiledConstraint:
        return CompiledConstraint(
            node_shape,
            prop,
            SH[component + "ConstraintComponent"],
            path,
            path_text,
            _SEVERITIES[severity_node],
            str(messages[0]) if messages else default,
            has_value,
            build,
        )

    low = _integer(shapes, prop, SH.minCount)
    if low is not None and low > 0:
        yield constraint(
            "MinCount", False, _count_query(q, low, None), f"Fewer than {low} values of {path_text}"
        )
    high = _integer(shapes, prop, SH.maxCount)
    if high is not None:
        yield constraint(
            "MaxCount", False, _count_query(q, None, high), f"More than {high} values of {path_text}"
        )
    for component in _components(shapes, prop):
        local = str(component).rsplit("#", 1)[-1]
        name = local[0].upper() + local[1:]
        if component == SH["class"]:
            cls = _one(shapes, prop, component)
            assert cls is not None
            build = _class_query(q, cls)
        else:
            build = _value_query(q, _value_test(shapes, prop, component))
        yield constraint(name, True, build, f"A value of {path_text} breaks sh:{local}")
    other = _one(shapes, prop, SH.lessThanOrEquals)
    if other is not None:
        yield constraint(
            "LessThanOrEquals",
            True,
            _less_than_or_equals_query(q, other),
            f"A value of {path_text} is greater than {other}",
        )
    qualified = _one(shapes, prop, SH.qualifiedValueShape)
    if qualified is not None:
        q_low = _integer(shapes, prop, SH.qualifiedMinCount)
        q_high = _integer(shapes, prop, SH.qualifiedMaxCount)
        test = _member_test(shapes, qualified)
        if q_low is not None and q_low > 0:
            yield constraint(
                "QualifiedMinCount",
                False,
                _count_query(q, q_low, None, test),
                f"Fewer than {q_low} values of {path_text} conform to the qualified shape",
            )
        if q_high is not None:
            yield constraint(
                "QualifiedMaxCount",
                False,
                _count_query(q, None, q_high, test),
                f"More than {q_high} values of {path_text} conform to the qualified shape",
            )
    elif (prop, SH.qualifiedMinCount, None) in shapes or (prop, SH.qualifiedMaxCount, None) in shapes:
        raise UnsupportedShapeFeature("sh:qualifiedMinCount/MaxCount without sh:qualifiedValueShape")


# --------------------------------------------------------------------------------------------
# Running the queries
# --------------------------------------------------------------------------------------------


@functools.cache
def _project_shapes() -> tuple[rdflib.Graph, tuple[CompiledConstraint, ...]]:
    from kg.validate import load_shapes

    shapes = load_shapes()
    return shapes, tuple(compile_shapes(shapes))


@functools.cache
def _project_ontology() -> tuple[ox.Triple, ...]:
    path = resource_dir("ontology") / "lskg.ttl"
    return tuple(q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


def _graph_list(store: ox.Store, graphs: Sequence[str] | None) -> list[ox.NamedNode]:
    names = (
        [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)] if graphs is None else graphs
    )
    return [ox.NamedNode(g) for g in sorted(set(names)) if not g.endswith("/shapes")]


def _dataset(store: ox.Store, selected: Sequence[ox.NamedNode | ox.DefaultGraph]) -> dict[str, Any]:
    """The query dataset: Oxigraph's union default graph when that is exactly the selection.

    Oxigraph evaluates a pattern over its union default graph two to three times faster than
    over an explicit list of graphs, but the union takes in the store's default graph too.
    """
    default_graph_empty = (
        next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None
    )
    if default_graph_empty and set(selected) >= set(store.named_graphs()):
        return {"use_default_graph_as_union": True}
    return {"default_graph": list(selected)}


def _scope(
    store: ox.Store,
    graphs: Sequence[ox.NamedNode | ox.DefaultGraph],
    ontology: Iterable[ox.Triple],
    dataset: dict[str, Any],
) -> Scope:
    selected = set(graphs)
    missing: dict[str, list[tuple[str, str]]] = defaultdict(list)
    subclasses: dict[str, set[str]] = defaultdict(set)
    for t in ontology:
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            continue  # OWL axioms; no shape reaches them, and VALUES cannot hold blank nodes
        if (
            t.predicate.value == RDFS_SUBCLASS
            and isinstance(t.object, ox.NamedNode)
            and isinstance(t.subject, ox.NamedNode)
        ):
            subclasses[t.object.value].add(t.subject.value)
        present = any(
            q.graph_name in selected for q in store.quads_for_pattern(t.subject, t.predicate, t.object)
        )
        if not present:
            missing[t.predicate.value].append((str(t.subject), str(t.object)))
    rows = store.query(f"SELECT DISTINCT ?sub ?sup WHERE {{ ?sub <{RDFS_SUBCLASS}> ?sup }}", **dataset)
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        sub, sup = row["sub"], row["sup"]
        if isinstance(sub, ox.NamedNode) and isinstance(sup, ox.NamedNode):
            subclasses[sup.value].add(sub.value)
    return Scope(dict(subclasses), dict(missing))


@functools.lru_cache(maxsize=65536)
def _literal_text(lexical: str, datatype: str, language: str | None) -> str:
    # rdflib normalises some lexical forms (a date's time zone); the pyshacl report shows them so.
    if language or datatype in (str(XSD.string), str(RDF.langString)):
        return lexical
    quiet = logging.getLogger("rdflib.term")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # rdflib logs a traceback for every ill-typed literal
    try:
        return str(rdflib.Literal(lexical, datatype=rdflib.URIRef(datatype)))
    finally:
        quiet.setLevel(level)


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return _literal_text(term.value, term.datatype.value, term.language)
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return term.value
    return str(term)


@dataclass(frozen=True)
class RawResult:
    """A result with its RDF terms (for the SHACL report graph)."""

    constraint: CompiledConstraint
    focus: ox.NamedNode | ox.BlankNode
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None


def run_constraints(
    store: ox.Store,
    graphs: Sequence[str] | None = None,
    constraints: Sequence[CompiledConstraint] | None = None,
    ontology: Iterable[ox.Triple] | None = None,
    *,
    union_default_graph: bool = False,
) -> Iterator[RawResult]:
    """Evaluate every constraint (by default the project's shapes'); yield one raw result per row."""
    if constraints is None:
        constraints = _project_shapes()[1]
    selected: list[ox.NamedNode | ox.DefaultGraph]
    if union_default_graph:
        selected, dataset = [ox.DefaultGraph()], {}
    else:
        selected = list(_graph_list(store, graphs))
        if not selected:
            # An empty dataset: an empty default-graph list would mean "the store's default graph".
            selected = [ox.NamedNode("urn:lskg:validate:empty")]
        dataset = _dataset(store, selected)
    scope = _scope(store, selected, _project_ontology() if ontology is None else ontology, dataset)

    def solve(c: CompiledConstraint) -> list[ox.QuerySolution]:
        rows = store.query(c.build(scope), **dataset)
        assert isinstance(rows, ox.QuerySolutions)
        return list(rows)

    # Oxigraph releases the GIL while it evaluates, so the constraints' queries run side by side
    # on the machine's cores (twice as fast on two; benchmarks/results/bulk_load.md); results
    # come out in the constraints' order.
    with ThreadPoolExecutor(max_workers=min(VALIDATION_THREADS, os.cpu_count() or 1)) as pool:
        for c, rows in zip(constraints, pool.map(solve, constraints), strict=True):
            for row in rows:
                focus = row["this"]
                assert isinstance(focus, (ox.NamedNode, ox.BlankNode))
                value = row["value"] if c.has_value else None
                assert value is None or isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal))
                yield RawResult(c, focus, value)


def validate_store(
    store: ox.Store,
    graphs: Sequence[str] | None = None,
    *,
    shapes: rdflib.Graph | None = None,
    union_default_graph: bool = False,
) -> ValidationReport:
    """Validate the union of the named graphs ``graphs`` of ``store`` against the shapes by SPARQL.

    All named graphs when ``graphs`` is None. Any graph whose IRI ends in ``/shapes`` and the
    reified provenance statements (subjects containing ``/id/statement/``) are left out. The
    shapes are the project's ``ontology/shapes.ttl``; the ontology ``ontology/lskg.ttl`` is in
    scope (its class hierarchy for targets and ``sh:class``, its individuals such as the sector
    concepts as data): its triples the selected graphs lack are spelled into the queries as
    ``VALUES``, so the store is never written. One query per constraint, results streamed.

    The queries are plain SPARQL 1.1, but they are run with pyoxigraph's ``default_graph``
    dataset option and rely on Oxigraph's XSD casts for ``sh:datatype``; they are not run against
    :class:`kg.remote.RemoteSparqlStore`.

    Returns a :class:`kg.validate.ValidationReport` equal to pyshacl's
    (:func:`kg.validate.validate_graph`) on the same data; see the module docstring for the
    edge cases.

    Speed: when the store has no triples in its default graph and ``graphs`` takes in every
    named graph, the queries run over Oxigraph's union default graph, two to three times faster
    than over a list of graphs. A store laid out as ``lskg build`` lays it (its default graph
    holding the union of every named graph, the shapes graph and the reified statements
    included) can be validated as fast with ``union_default_graph=True``: the queries then read
    the default graph alone and ``graphs`` is ignored; the caller vouches that the default graph
    is that union (the shapes graph's triples are never reached by a shape's target or path).

    ``shapes`` replaces the project's shapes (tests use it for features the
    project's shapes do not exercise). Raises :class:`UnsupportedShapeFeature` if the shapes
    use a feature not implemented here.

    Examples
    --------
    >>> store = ox.Store()
    >>> store.load(b'<http://e/p> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
    ...            b'<http://xmlns.com/foaf/0.1/Person> .',
    ...            ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("http://e/graph/people"))
    >>> [(r.severity, r.path) for r in validate_store(store).results]
    [('Violation', 'rdfs:label'), ('Warning', '^org:member')]
    """
    from kg.validate import ValidationReport, ValidationResult, sort_results

    if shapes is None:
        shapes, constraints = _project_shapes()
    else:
        constraints = tuple(compile_shapes(shapes))
    raw = list(run_constraints(store, graphs, constraints, union_default_graph=union_default_graph))
    results = [
        ValidationResult(
            severity=r.constraint.severity,
            focus=r.focus.value,
            path=r.constraint.path_text,
            message=r.constraint.message,
            value=_text(r.value),
            shape=None
            if isinstance(r.constraint.property_shape, rdflib.BNode)
            else str(r.constraint.property_shape),
        )
        for r in raw
    ]
    return ValidationReport(sort_results(results), graph_factory=functools.partial(report_graph, raw, shapes))


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def report_graph(raw: Sequence[RawResult], shapes: rdflib.Graph) -> rdflib.Graph:
    """The SHACL validation report graph of ``raw`` results (as pyshacl writes it)."""
    graph = rdflib.Graph()
    graph.bind("sh", SH)
    report = rdflib.BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    conforms = not any(r.constraint.severity == "Violation" for r in raw)
    graph.add((report, SH.conforms, rdflib.Literal(conforms)))
    copied: set[rdflib.term.Node] = set()
    for r in raw:
        node = rdflib.BNode()
        c = r.constraint
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, _to_rdflib(r.focus)))
        graph.add((node, SH.resultPath, c.path))
        graph.add((node, SH.resultSeverity, SH[c.severity]))
        graph.add((node, SH.resultMessage, rdflib.Literal(c.message)))
        graph.add((node, SH.sourceConstraintComponent, c.component))
        graph.add((node, SH.sourceShape, c.property_shape))
        if r.value is not None:
            graph.add((node, SH.value, _to_rdflib(r.value)))
        for start in (c.path, c.property_shape):
            if isinstance(start, rdflib.BNode) and start not in copied:
                copied.add(start)
                for triple in shapes.cbd(start):
                    graph.add(triple)
    return graph
