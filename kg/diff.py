"""What changed between two releases of the graph: added and removed facts per named graph.

Either side is a dump file (N-Quads, TriG, N-Triples, Turtle or JSON-LD, as ``lskg export``
writes them) or a store: the store link (``var/store``) or one build directory under
``var/store.builds/``. A store's default graph is the union of its named graphs and is not
compared; a dump's default graph is compared as the graph ``(default)``.

Blank nodes have no identity across files, so a graph holding blank nodes on either side is
compared after canonical relabelling (:meth:`pyoxigraph.Dataset.canonicalize`), one graph at
a time. A graph whose blank-node structure changed may then show the quads around the changed
blank nodes as removed and added again; the result notes each graph compared this way.

Examples
--------
>>> a = {"http://e/g": {ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"),
...      ox.Literal("1"), ox.NamedNode("http://e/g"))}}
>>> b = {"http://e/g": {ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"),
...      ox.Literal("2"), ox.NamedNode("http://e/g"))}}
>>> d = diff_datasets(a, b)
>>> (d.added_count, d.removed_count, [g.graph for g in d.graphs])
(1, 1, ['http://e/g'])
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.build import parse_rdf_file
from kg.errors import InputError
from kg.store import MANIFEST, PREFIXES, OxigraphStore, current_build

__all__ = ["DEFAULT_GRAPH", "Diff", "GraphDiff", "diff_datasets", "diff_paths", "load_dataset"]

DEFAULT_GRAPH = "(default)"
Dataset = dict[str, set[ox.Quad]]


@dataclass
class GraphDiff:
    """The quads one named graph gained and lost."""

    graph: str
    added: list[ox.Quad]
    removed: list[ox.Quad]


@dataclass
class Diff:
    """All changed graphs, in IRI order, with notes on how they were compared."""

    graphs: list[GraphDiff] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def added_count(self) -> int:
        """Quads added over all graphs."""
        return sum(len(g.added) for g in self.graphs)

    @property
    def removed_count(self) -> int:
        """Quads removed over all graphs."""
        return sum(len(g.removed) for g in self.graphs)

    @property
    def changed(self) -> bool:
        """True if any graph differs."""
        return bool(self.graphs)

    def to_json(self) -> str:
        """The diff as JSON: per graph the counts and the triples in N-Triples syntax."""
        document: dict[str, Any] = {
            "added": self.added_count,
            "removed": self.removed_count,
            "graphs": [
                {
                    "graph": g.graph,
                    "added": len(g.added),
                    "removed": len(g.removed),
                    "added_triples": [str(q.triple) for q in g.added],
                    "removed_triples": [str(q.triple) for q in g.removed],
                }
                for g in self.graphs
            ],
            "notes": self.notes,
        }
        return json.dumps(document, indent=2, ensure_ascii=False)

    def to_text(self, base_iri: str = "", summary: bool = False) -> str:
        """A readable diff: a header per graph with its counts, then ``+``/``-`` lines."""
        if not self.graphs:
            return "No differences." + "".join(f"\nnote: {n}" for n in self.notes)
        lines = []
        for g in self.graphs:
            lines.append(
                f"{_term(ox.NamedNode(g.graph), base_iri) if g.graph != DEFAULT_GRAPH else g.graph}"
                f"  +{len(g.added)} -{len(g.removed)}"
            )
            if not summary:
                lines += [f"  - {_triple(q, base_iri)}" for q in g.removed]
                lines += [f"  + {_triple(q, base_iri)}" for q in g.added]
        lines.append(f"{len(self.graphs)} graph(s) changed: +{self.added_count} -{self.removed_count} quads")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _term(term: Any, base_iri: str) -> str:
    if isinstance(term, ox.NamedNode):
        iri = term.value
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace) and len(iri) > len(namespace) and "/" not in iri[len(namespace) :]:
                return f"{prefix}:{iri[len(namespace) :]}"
        if base_iri and iri.startswith(base_iri):
            return f"<{iri[len(base_iri) :]}>"
        return f"<{iri}>"
    if isinstance(term, ox.Literal) and term.datatype.value not in (
        "http://www.w3.org/2001/XMLSchema#string",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    ):
        return f"{json.dumps(term.value, ensure_ascii=False)}^^{_term(term.datatype, base_iri)}"
    return str(term)


def _triple(quad: ox.Quad, base_iri: str) -> str:
    return (
        f"{_term(quad.subject, base_iri)} {_term(quad.predicate, base_iri)} {_term(quad.object, base_iri)} ."
    )


def _graph_key(quad: ox.Quad) -> str:
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else DEFAULT_GRAPH


def load_dataset(path: Path, base_iri: str = "https://w3id.org/lskg/") -> Dataset:
    """The quads of a dump file or a store, grouped by graph name."""
    quads: Iterable[ox.Quad]
    if path.is_dir() or path.is_symlink():
        build_dir = path if (path / MANIFEST).is_file() else current_build(path)
        if build_dir is None:
            raise InputError(f"{path}: neither a dump file nor a built lskg store")
        quads = OxigraphStore.open(build_dir).quads()
    elif path.is_file():
        quads = parse_rdf_file(path, base_iri)
    else:
        raise InputError(f"{path}: no such file or store")
    dataset: Dataset = {}
    for quad in quads:
        dataset.setdefault(_graph_key(quad), set()).add(quad)
    return dataset


def _has_blank_nodes(quads: Iterable[ox.Quad]) -> bool:
    return any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in quads)


def _canonical(quads: set[ox.Quad]) -> set[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def diff_datasets(old: Mapping[str, set[ox.Quad]], new: Mapping[str, set[ox.Quad]]) -> Diff:
    """Compare two datasets graph by graph."""
    result = Diff()
    for graph in sorted(set(old) | set(new)):
        before, after = old.get(graph, set()), new.get(graph, set())
        if before == after:
            continue
        if _has_blank_nodes(before) or _has_blank_nodes(after):
            before, after = _canonical(before), _canonical(after)
            if before == after:
                continue
            result.notes.append(f"{graph}: compared after canonical blank-node relabelling")
        added = sorted(after - before, key=str)
        removed = sorted(before - after, key=str)
        result.graphs.append(GraphDiff(graph, added, removed))
    return result


def diff_paths(old: Path, new: Path, base_iri: str = "https://w3id.org/lskg/") -> Diff:
    """Compare two dump files or stores (see the module docstring)."""
    return diff_datasets(load_dataset(old, base_iri), load_dataset(new, base_iri))
