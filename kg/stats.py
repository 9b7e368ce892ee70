"""Figures about a built store: triples per graph, entities per class, provenance coverage."""

from __future__ import annotations

from dataclasses import dataclass

from kg.store import Store

__all__ = ["Stats", "collect_stats"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@dataclass(frozen=True)
class Stats:
    """What ``lskg stats`` reports."""

    version: str
    graphs: dict[str, int]
    classes: dict[str, int]
    facts: int
    facts_with_provenance: int

    @property
    def triples(self) -> int:
        """Quads over all named graphs."""
        return sum(self.graphs.values())


def _fact_graph_filter(base_iri: str) -> str:
    # Fact graphs are the per-source graphs: not the schema, the metadata or provenance.
    schema = ", ".join(f"<{base_iri}graph/{name}>" for name in ("ontology", "shapes", "meta"))
    return f'FILTER(?g NOT IN ({schema}) && !STRENDS(STR(?g), "/provenance"))'


def collect_stats(store: Store, base_iri: str) -> Stats:
    """Count triples per named graph, distinct instances per class in the fact graphs, and how
    many facts have a reified statement with ``prov:wasDerivedFrom`` in a provenance graph."""
    graphs = {
        str(g): int(str(n))
        for g, n in store.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        ).values()
    }
    facts_filter = _fact_graph_filter(base_iri)
    classes = {
        str(c): int(str(n))
        for c, n in store.select(
            f"""SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
                  GRAPH ?g {{ ?s <{_RDF}type> ?class }} {facts_filter}
                }} GROUP BY ?class ORDER BY DESC(?n) ?class"""
        ).values()
    }
    ((facts,),) = store.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {facts_filter} }}"
    ).values()
    ((proven,),) = store.select(
        f"""SELECT (COUNT(*) AS ?n) WHERE {{
              GRAPH ?g {{ ?s ?p ?o }} {facts_filter}
              FILTER EXISTS {{ GRAPH ?pg {{
                  ?st <{_RDF}subject> ?s ; <{_RDF}predicate> ?p ; <{_RDF}object> ?o ;
                      <http://www.w3.org/ns/prov#wasDerivedFrom> ?record }} }}
            }}"""
    ).values()
    return Stats(store.version, graphs, classes, int(str(facts)), int(str(proven)))
