"""The dataset's VoID description, with figures counted from the store as it is now.

The build writes a VoID record into ``{base}graph/meta`` (title, licence, sources, triples per
named graph). :func:`void_description` starts from it and adds what a client needs to use the
dataset: class and property partitions, example resources, the dumps, the SPARQL endpoint and
the formats served. Counts are of quads: ``void:triples`` of the dataset is the number of
statements over all named graphs, which is also the number of lines of the N-Quads dump; a
fact that two sources state counts once per source.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pyoxigraph as ox

from kg.store import Store

__all__ = ["EXAMPLE_CLASSES", "FORMATS", "void_description"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
VOID = "http://rdfs.org/ns/void#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"

# Classes whose first instance (by IRI) the description names as an example resource.
EXAMPLE_CLASSES = (
    "https://w3id.org/lskg/ontology#University",
    "https://w3id.org/lskg/ontology#GovernmentAgency",
    "http://xmlns.com/foaf/0.1/Person",
    "https://w3id.org/lskg/ontology#CollaborationProgramme",
    "https://w3id.org/lskg/ontology#CollaborationArea",
)

# The W3C format IRIs of the serialisations the service offers (void:feature).
FORMATS = (
    "http://www.w3.org/ns/formats/Turtle",
    "http://www.w3.org/ns/formats/N-Triples",
    "http://www.w3.org/ns/formats/N-Quads",
    "http://www.w3.org/ns/formats/JSON-LD",
    "http://www.w3.org/ns/formats/RDF_XML",
)


def void_description(
    store: Store, base_iri: str, *, endpoint: str, dumps: Mapping[str, str]
) -> list[ox.Triple]:
    """The VoID description of the dataset ``{base}dataset``.

    Parameters
    ----------
    store
        The built store.
    base_iri
        The dataset's base IRI.
    endpoint
        The IRI of the SPARQL endpoint (``void:sparqlEndpoint``).
    dumps
        Media type → IRI of each full dump (``void:dataDump``).

    Examples
    --------
    >>> from kg.store import OxigraphStore
    >>> g = ox.NamedNode("https://w3id.org/lskg/graph/s")
    >>> s = OxigraphStore.from_quads([ox.Quad(ox.NamedNode("https://w3id.org/lskg/id/org/a"),
    ...     ox.NamedNode(RDF + "type"), ox.NamedNode("https://w3id.org/lskg/ontology#Company"), g)])
    >>> triples = void_description(s, "https://w3id.org/lskg/", endpoint="https://w3id.org/lskg/sparql",
    ...     dumps={})
    >>> [t.object.value for t in triples if t.subject.value.endswith("/dataset")
    ...  and t.predicate.value == VOID + "triples"]
    ['1']
    """
    return list(dict.fromkeys(_void(store, base_iri, endpoint, dumps)))


def _void(store: Store, base_iri: str, endpoint: str, dumps: Mapping[str, str]) -> Iterator[ox.Triple]:
    dataset = ox.NamedNode(f"{base_iri}dataset")
    meta = f"{base_iri}graph/meta"
    void_triples = ox.NamedNode(VOID + "triples")

    def t(s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> ox.Triple:
        return ox.Triple(s, ox.NamedNode(p), o)

    # The build's record, without its counts: they are recounted below, meta graph included.
    for quad in store.quads(meta):
        if quad.predicate != void_triples:
            yield quad.triple
    per_graph = {
        str(g): int(str(n))
        for g, n in store.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        ).values()
    }
    yield t(dataset, VOID + "triples", _integer(sum(per_graph.values())))
    for graph, count in per_graph.items():
        subset = ox.NamedNode(graph)
        yield t(dataset, VOID + "subset", subset)
        yield t(subset, RDF + "type", ox.NamedNode(VOID + "Dataset"))
        yield t(subset, VOID + "triples", _integer(count))

    subjects = store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o }").column("s")
    uri_space = f"{base_iri}id/"
    yield t(dataset, VOID + "distinctSubjects", _integer(len(subjects)))
    yield t(dataset, VOID + "entities", _integer(sum(1 for s in subjects if s and s.startswith(uri_space))))

    classes = store.select(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class"
    ).values()
    yield t(dataset, VOID + "classes", _integer(len(classes)))
    for i, (cls, n) in enumerate(classes):
        partition = ox.BlankNode(f"class{i}")
        yield t(dataset, VOID + "classPartition", partition)
        yield t(partition, VOID + "class", ox.NamedNode(str(cls)))
        yield t(partition, VOID + "entities", _integer(int(str(n))))

    properties = store.select(
        "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p ORDER BY ?p"
    ).values()
    yield t(dataset, VOID + "properties", _integer(len(properties)))
    for i, (prop, n) in enumerate(properties):
        partition = ox.BlankNode(f"property{i}")
        yield t(dataset, VOID + "propertyPartition", partition)
        yield t(partition, VOID + "property", ox.NamedNode(str(prop)))
        yield t(partition, VOID + "triples", _integer(int(str(n))))

    for cls in EXAMPLE_CLASSES:
        first = store.select(
            "SELECT ?class ?s WHERE { ?s a ?class } ORDER BY ?s LIMIT 1", {"class": ox.NamedNode(cls)}
        ).column("s")
        if first and first[0]:
            yield t(dataset, VOID + "exampleResource", ox.NamedNode(first[0]))

    yield t(dataset, VOID + "sparqlEndpoint", ox.NamedNode(endpoint))
    for _media, iri in sorted(dumps.items()):
        yield t(dataset, VOID + "dataDump", ox.NamedNode(iri))
    for feature in FORMATS:
        yield t(dataset, VOID + "feature", ox.NamedNode(feature))


def _integer(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))
