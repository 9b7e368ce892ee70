"""The store: where the built graph lives and how it is read.

The default store is embedded Oxigraph (pyoxigraph), evaluated by Oxigraph's own SPARQL engine.
A store directory is never modified after it is built: ``lskg build`` writes a new directory
under ``<store>.builds/`` and atomically repoints the ``<store>`` symlink at it (see
:mod:`kg.build`), so a reader always sees one complete build and read-only opens are safe.

Readers use the small :class:`Store` interface so that the API and the analyses can be given
an in-memory store in tests and an on-disk (or, later, remote) one in production.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import pyoxigraph as ox

from kg.errors import QuerySyntaxError, StoreUnavailable

__all__ = [
    "MANIFEST",
    "OxigraphStore",
    "Store",
    "Table",
    "open_store",
    "read_manifest",
    "syntax_message",
    "with_union_default_graph",
]

MANIFEST = "manifest.json"
_DATA_DIR = "oxigraph"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Table:
    """The result of a SELECT query: variable names and rows of RDF terms (``None`` if unbound)."""

    variables: list[str]
    rows: list[dict[str, Term | None]] = field(default_factory=list)

    def values(self) -> list[tuple[str | None, ...]]:
        """Rows as tuples of plain strings (IRI or lexical form), in variable order.

        Examples
        --------
        >>> t = Table(["x"], [{"x": ox.Literal("a")}, {"x": None}])
        >>> t.values()
        [('a',), (None,)]
        """
        return [
            tuple(None if row.get(v) is None else term_value(row[v]) for v in self.variables)
            for row in self.rows
        ]

    def column(self, name: str) -> list[str | None]:
        """One column as plain strings."""
        return [None if row.get(name) is None else term_value(row[name]) for row in self.rows]


def term_value(term: Term | None) -> str:
    """The IRI of a named node, the lexical form of a literal, the id of a blank node."""
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return str(term)
    return str(term.value)


class Store(Protocol):
    """What readers of the graph need from a store."""

    @property
    def version(self) -> str:
        """An identifier of the built content; changes whenever the content changes."""
        ...

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Any:
        """Run a SPARQL query; return pyoxigraph's QuerySolutions, QueryTriples or QueryBoolean."""
        ...

    def select(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Table:
        """Run a SELECT query and collect it into a :class:`Table`."""
        ...

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs in the store, sorted."""
        ...

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad, or the quads of one named graph."""
        ...

    def dump(self, output: IO[bytes], fmt: ox.RdfFormat, graph: str | None = None) -> None:
        """Serialise the dataset (or one graph) to ``output``."""
        ...


class OxigraphStore:
    """An Oxigraph store, on disk (read-only) or in memory.

    SPARQL's default graph is the set union of all named graphs (the build stores it
    deduplicated in the store's default graph: Oxigraph's own "default graph as union" option
    is a multiset union and would repeat a fact that two sources state), so analysts can query
    without ``GRAPH`` clauses; ``GRAPH ?g`` still tells which source graph a triple is in.

    Examples
    --------
    >>> s = OxigraphStore.from_quads([ox.Quad(ox.NamedNode("http://e/a"),
    ...     ox.NamedNode("http://e/p"), ox.Literal("1"), ox.NamedNode("http://e/g"))])
    >>> s.select("SELECT ?o WHERE { ?s ?p ?o }").values()
    [('1',)]
    """

    def __init__(self, store: ox.Store, version: str, path: Path | None = None) -> None:
        self._store = store
        self._version = version
        self.path = path

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad], version: str = "memory") -> OxigraphStore:
        """An in-memory store holding ``quads`` (for tests and small tools)."""
        store = ox.Store()
        quads = list(quads)
        store.extend(quads)
        store.extend(with_union_default_graph(quads))
        return cls(store, version)

    @classmethod
    def open(cls, build_dir: Path) -> OxigraphStore:
        """Open one built store directory read-only."""
        manifest = read_manifest(build_dir)
        try:
            store = ox.Store.read_only(str(build_dir / _DATA_DIR))
        except OSError as exc:
            raise StoreUnavailable(f"cannot open the store at {build_dir}: {exc}") from exc
        return cls(store, str(manifest.get("version", "unknown")), build_dir)

    @property
    def version(self) -> str:
        """The content hash of the build (see :func:`kg.build.input_version`)."""
        return self._version

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store (for code that streams results itself)."""
        return self._store

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Any:
        """Run a SPARQL query with safely substituted ``bindings`` (never spliced as text)."""
        substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        kwargs: dict[str, Any] = {"substitutions": substitutions or None}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self._store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QuerySyntaxError(syntax_message(str(exc))) from exc

    def select(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Table:
        """Run a SELECT query and collect the solutions."""
        result = self.query(sparql, bindings=bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QuerySyntaxError("expected a SELECT query")
        variables = [v.value for v in result.variables]
        rows = [{v: solution[v] for v in variables} for solution in result]
        return Table(variables, rows)

    def graphs(self) -> list[str]:
        """The IRIs of all named graphs, sorted."""
        return sorted(str(g.value) for g in self._store.named_graphs() if hasattr(g, "value"))

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of the named graphs, or those of one named graph."""
        if graph is not None:
            return iter(self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        return (q for q in self._store if not isinstance(q.graph_name, ox.DefaultGraph))

    def __len__(self) -> int:
        """Quads in the named graphs (the derived union default graph is not counted)."""
        return sum(1 for _ in self.quads())

    def dump(self, output: IO[bytes], fmt: ox.RdfFormat, graph: str | None = None) -> None:
        """Serialise the named graphs (quad formats), their union (triple formats) or one graph."""
        if graph is not None:
            self._store.dump(output, fmt, from_graph=ox.NamedNode(graph))
        elif fmt.supports_datasets:
            ox.serialize(self.quads(), output, fmt, prefixes=PREFIXES)
        else:
            self._store.dump(output, fmt, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)


def with_union_default_graph(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """The triples of ``quads`` again, in the default graph (a set: each triple once)."""
    default = ox.DefaultGraph()
    for quad in quads:
        yield ox.Quad(quad.subject, quad.predicate, quad.object, default)


PREFIXES = {
    "lskg": "https://w3id.org/lskg/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "schema": "https://schema.org/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
}


def syntax_message(parser_message: str) -> str:
    """Oxigraph's "error at 1:26: expected ..." as "SPARQL syntax error at line 1, column 26: ...".

    Examples
    --------
    >>> syntax_message("error at 1:26: expected one of LATERAL, SERVICE")
    'SPARQL syntax error at line 1, column 26: expected one of LATERAL, SERVICE'
    """
    match = re.match(r"error at (\d+):(\d+): (.*)", parser_message, re.DOTALL)
    if match:
        line, column, rest = match.groups()
        return f"SPARQL syntax error at line {line}, column {column}: {rest}"
    return f"SPARQL syntax error: {parser_message}"


def read_manifest(build_dir: Path) -> dict[str, Any]:
    """The manifest a build wrote into its directory (version, counts, timings)."""
    try:
        with open(build_dir / MANIFEST, encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
    except FileNotFoundError as exc:
        raise StoreUnavailable(f"{build_dir} is not a built lskg store (no {MANIFEST})") from exc
    return data


def current_build(store_path: Path) -> Path | None:
    """The build directory the store path points at, or ``None`` if nothing is built yet."""
    if not os.path.lexists(store_path):
        return None
    target = store_path.resolve()
    return target if (target / MANIFEST).is_file() else None


def open_store(store_path: str | Path) -> OxigraphStore:
    """Open the current build behind ``store_path`` read-only.

    A ``sparql+http(s)://`` URL opens a :class:`kg.remote.RemoteSparqlStore` instead (with the
    update URL and credentials of the ``LSKG_STORE_*`` environment), which is used through the
    same :class:`Store` interface. Raises :class:`~kg.errors.StoreUnavailable` with the command
    to run if nothing is built.
    """
    if str(store_path).startswith(("sparql+http://", "sparql+https://")):
        from kg.config import Settings
        from kg.remote import RemoteSparqlStore

        # Typed as OxigraphStore for existing callers; both satisfy the Store protocol.
        return RemoteSparqlStore.from_settings(Settings(store=str(store_path)))  # type: ignore[return-value]
    path = Path(store_path)
    build_dir = current_build(path)
    if build_dir is None:
        raise StoreUnavailable(f"no lskg store at {path}; run `lskg build` (or `make run`) first")
    return OxigraphStore.open(build_dir)
