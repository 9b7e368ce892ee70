"""Dumps are complete, cached per version and revalidated by ETag; VoID counts the store as it is."""

from __future__ import annotations

import gzip
import json

import pyoxigraph as ox
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import RDF, XSD

from kg.store import OxigraphStore

BASE = "https://w3id.org/lskg/"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
DATASET = rdflib.URIRef(BASE + "dataset")
# TestClient (httpx) accepts gzip unless told otherwise, and decodes what it gets.
IDENTITY = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


def _blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def void_graph(client: TestClient) -> rdflib.Graph:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.text, format="turtle")


def test_the_nquads_dump_holds_every_quad_of_the_store(client: TestClient, real_store: OxigraphStore) -> None:
    response = client.get("/dump.nq", headers=IDENTITY)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/n-quads"
    assert "content-encoding" not in response.headers
    quads = list(ox.parse(response.content, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(real_store)
    assert set(quads) == set(real_store.quads())


def test_a_client_that_accepts_gzip_gets_the_same_dump_compressed(client: TestClient) -> None:
    plain = client.get("/dump.nq", headers=IDENTITY)
    with client.stream("GET", "/dump.nq", headers=GZIP) as packed:
        raw = b"".join(packed.iter_raw())
    assert packed.status_code == 200
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["content-type"] == "application/n-quads"
    assert int(packed.headers["content-length"]) == len(raw) < len(plain.content) / 4
    assert gzip.decompress(raw) == plain.content
    for response in (plain, packed):
        assert "Accept-Encoding" in response.headers["vary"]
    refused = client.get("/dump.nq", headers={"Accept-Encoding": "gzip;q=0, br"})
    assert "content-encoding" not in refused.headers
    assert refused.headers["etag"] == plain.headers["etag"]


def test_the_turtle_and_json_ld_dumps_parse(client: TestClient, real_store: OxigraphStore) -> None:
    union = {q.triple for q in real_store.quads()}
    ttl = client.get("/dump.ttl")
    assert ttl.headers["content-type"].startswith("text/turtle")
    parsed = {q.triple for q in ox.parse(ttl.content, format=ox.RdfFormat.TURTLE)}
    assert len(parsed) == len(union)
    # Blank nodes (in the shapes) are relabelled by the parser; every other triple is identical.
    assert {t for t in parsed if not _blank(t)} == {t for t in union if not _blank(t)}
    jsonld = client.get("/dump.jsonld")
    assert jsonld.headers["content-type"] == "application/ld+json"
    assert len(list(ox.parse(jsonld.content, format=ox.RdfFormat.JSON_LD))) == len(real_store)


def test_a_dump_carries_etag_and_last_modified_and_revalidates_with_304(
    client: TestClient, real_store: OxigraphStore
) -> None:
    first = client.get("/dump.nq", headers=IDENTITY)
    etag = first.headers["etag"]
    assert etag == f'"{real_store.version}-nq"'
    assert first.headers["last-modified"].endswith("GMT")
    again = client.get("/dump.nq", headers={"If-None-Match": etag, **IDENTITY})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    weak = client.get("/dump.nq", headers={"If-None-Match": f'"other", W/{etag}', **IDENTITY})
    assert weak.status_code == 304
    stale = client.get("/dump.nq", headers={"If-None-Match": '"an-older-version-nq"', **IDENTITY})
    assert stale.status_code == 200
    assert stale.content == first.content
    since = client.get("/dump.nq", headers={"If-Modified-Since": first.headers["last-modified"], **IDENTITY})
    assert since.status_code == 304


def test_the_gzip_copy_has_its_own_strong_etag_and_revalidates_with_it(
    client: TestClient, real_store: OxigraphStore
) -> None:
    identity_etag = client.get("/dump.nq", headers=IDENTITY).headers["etag"]
    packed = client.get("/dump.nq", headers=GZIP)
    etag = packed.headers["etag"]
    assert etag == f'"{real_store.version}-nq-gzip"' != identity_etag
    again = client.get("/dump.nq", headers={"If-None-Match": etag, **GZIP})
    assert again.status_code == 304
    assert (again.headers["etag"], again.headers["content-encoding"]) == (etag, "gzip")
    # Each tag names its own bytes: the other representation's tag does not match.
    assert client.get("/dump.nq", headers={"If-None-Match": identity_etag, **GZIP}).status_code == 200
    assert client.get("/dump.nq", headers={"If-None-Match": etag, **IDENTITY}).status_code == 200


def test_each_format_has_its_own_etag(client: TestClient) -> None:
    tags = {client.get(f"/dump.{suffix}").headers["etag"] for suffix in ("nq", "ttl", "jsonld")}
    assert len(tags) == 3


def test_a_dump_and_its_gzip_copy_are_written_once_per_store_version(client: TestClient) -> None:
    client.get("/dump.nt", headers=IDENTITY)
    cache = client.app.state.dump_cache  # type: ignore[attr-defined]
    files = sorted(cache.directory.glob("lskg-*.nt*"))
    assert [f.suffix for f in files] == [".nt", ".gz"]
    written = [f.stat().st_mtime_ns for f in files]
    client.get("/dump.nt", headers=IDENTITY)
    client.get("/dump.nt", headers=GZIP)
    assert [f.stat().st_mtime_ns for f in files] == written


def test_head_answers_without_a_body(client: TestClient) -> None:
    response = client.head("/dump.nq")
    assert response.status_code == 200
    assert response.headers["etag"]
    assert response.content == b""


def test_an_unknown_dump_format_is_404(client: TestClient) -> None:
    response = client.get("/dump.xlsx")
    assert response.status_code == 404
    assert "/dump.nq" in response.json()["message"]


def test_void_counts_match_the_store(client: TestClient, real_store: OxigraphStore) -> None:
    graph = void_graph(client)
    assert graph.value(DATASET, VOID.triples).toPython() == len(real_store)
    subsets = {s: graph.value(s, VOID.triples).toPython() for s in graph.objects(DATASET, VOID.subset)}
    assert set(map(str, subsets)) == set(real_store.graphs())
    assert sum(subsets.values()) == len(real_store)
    properties = [
        graph.value(p, VOID.triples).toPython() for p in graph.objects(DATASET, VOID.propertyPartition)
    ]
    assert sum(properties) == len(real_store)


def test_void_class_partitions_count_entities(client: TestClient, real_store: OxigraphStore) -> None:
    graph = void_graph(client)
    partitions = {
        graph.value(p, VOID["class"]): graph.value(p, VOID.entities).toPython()
        for p in graph.objects(DATASET, VOID.classPartition)
    }
    universities = real_store.select(
        "SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE { ?u a <https://w3id.org/lskg/ontology#University> }"
    ).values()[0][0]
    assert partitions[rdflib.URIRef("https://w3id.org/lskg/ontology#University")] == int(str(universities))
    assert partitions[rdflib.URIRef("http://xmlns.com/foaf/0.1/Person")] >= 20


def test_void_links_dumps_endpoint_licence_sources_and_examples(
    client: TestClient, real_store: OxigraphStore
) -> None:
    graph = void_graph(client)
    assert (DATASET, RDF.type, VOID.Dataset) in graph
    assert set(graph.objects(DATASET, VOID.dataDump)) == {
        rdflib.URIRef(BASE + "dump.nq"),
        rdflib.URIRef(BASE + "dump.ttl"),
        rdflib.URIRef(BASE + "dump.jsonld"),
    }
    assert graph.value(DATASET, VOID.sparqlEndpoint) == rdflib.URIRef(BASE + "sparql")
    assert graph.value(DATASET, DCTERMS.license) == rdflib.URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    sources = set(graph.objects(DATASET, DCTERMS.source))
    assert rdflib.URIRef(BASE + "id/source/cfe27d1b3417dce0") in sources
    assert rdflib.URIRef("https://sv.wikipedia.org/wiki/%C3%96stersunds_kommun") in sources
    examples = set(graph.objects(DATASET, VOID.exampleResource))
    universities = {
        u
        for (u,) in real_store.select(
            "SELECT ?u WHERE { ?u a <https://w3id.org/lskg/ontology#University> }"
        ).values()
    }
    assert {str(e) for e in examples} & universities
    assert all(str(e).startswith(BASE + "id/") for e in examples)
    assert graph.value(DATASET, VOID.triples).datatype == XSD.integer


def test_void_is_also_json_ld_and_the_dataset_iri_dereferences_to_it(client: TestClient) -> None:
    reference = void_graph(client)
    document = client.get("/.well-known/void", headers={"Accept": "application/ld+json"}).json()
    document["@context"] = client.get("/context.jsonld").json()["@context"]
    parsed = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    assert len(parsed) == len(reference)
    dataset = rdflib.Graph().parse(data=client.get("/dataset.ttl").text, format="turtle")
    assert dataset.value(DATASET, VOID.triples) == reference.value(DATASET, VOID.triples)
    page = client.get("/dataset", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/dump.nq"' in page.text
