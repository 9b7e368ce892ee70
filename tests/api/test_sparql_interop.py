"""Standard SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore) talk to a live /sparql."""

from __future__ import annotations

import csv
import io

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.Wrapper import GET, POST, POSTDIRECTLY, URLENCODED

from tests.api.conftest import COORDINATION_GROUP, MEMBERS_QUERY, LiveServer

FIRST, LAST, MEMBERS = "Anders Blanck", "Sara Riggare", 19
ORG_MEMBER = rdflib.URIRef("http://www.w3.org/ns/org#member")
CONSTRUCT = f"""PREFIX org: <http://www.w3.org/ns/org#>
CONSTRUCT {{ ?m org:member ?p }} WHERE {{ ?m org:organization <{COORDINATION_GROUP}> ; org:member ?p }}"""
# SPARQLWrapper's three protocol forms: GET, POST form-encoded, POST application/sparql-query.
METHODS = {"get": (GET, URLENCODED), "post-form": (POST, URLENCODED), "post-direct": (POST, POSTDIRECTLY)}


def wrapper(url: str, query: str, fmt: str, method: str) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    http_method, request_method = METHODS[method]
    client.setMethod(http_method)
    client.setRequestMethod(request_method)
    return client


def names_from(fmt: str, converted: object) -> list[str]:
    if fmt == JSON:
        assert isinstance(converted, dict)
        return [b["name"]["value"] for b in converted["results"]["bindings"]]
    if fmt == XML:
        return [n.firstChild.data for n in converted.getElementsByTagName("literal")]  # type: ignore[attr-defined]
    assert isinstance(converted, bytes)
    text = converted.decode("utf-8")
    if fmt == CSV:
        return [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    return [line.strip('"') for line in text.splitlines()[1:]]


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_results_format(live_server: LiveServer, fmt: str, method: str) -> None:
    result = wrapper(live_server, MEMBERS_QUERY, fmt, method).query()
    content_type = result.info()["content-type"]
    assert (
        content_type.split(";")[0]
        == {
            JSON: "application/sparql-results+json",
            XML: "application/sparql-results+xml",
            CSV: "text/csv",
            TSV: "text/tab-separated-values",
        }[fmt]
    )
    names = names_from(fmt, result.convert())
    assert len(names) == MEMBERS
    assert names[0] == FIRST and names[-1] == LAST


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(live_server: LiveServer, fmt: str) -> None:
    query = f"ASK {{ <{COORDINATION_GROUP}> a <https://w3id.org/lskg/ontology#CoordinationGroup> }}"
    converted = wrapper(live_server, query, fmt, "get").query().convert()
    if fmt == JSON:
        assert converted == {"head": {}, "boolean": True}
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        (TURTLE, "text/turtle"),
        (N3, "text/turtle"),
        (RDFXML, "application/rdf+xml"),
        (XML, "application/rdf+xml"),
        (JSONLD, "application/ld+json"),
    ],
)
def test_sparqlwrapper_construct_in_every_rdf_format(
    live_server: LiveServer, fmt: str, content_type: str, method: str
) -> None:
    result = wrapper(live_server, CONSTRUCT, fmt, method).query()
    assert result.info()["content-type"].split(";")[0] == content_type
    graph = result.convert()
    assert isinstance(graph, rdflib.Graph | bytes)
    if isinstance(graph, bytes):
        graph = rdflib.Graph().parse(data=graph, format="turtle")
    members = {str(o) for o in graph.objects(None, ORG_MEMBER)}
    assert len(members) == MEMBERS
    assert "https://w3id.org/lskg/id/person/sara-riggare" in members


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("fmt", ["xml", "json", "csv"])
def test_rdflib_sparqlstore_select(live_server: LiveServer, method: str, fmt: str) -> None:
    store = SPARQLStore(f"{live_server}/sparql", method=method, returnFormat=fmt)
    rows = list(store.query(MEMBERS_QUERY))
    names = [str(row[0]) for row in rows]
    assert len(names) == MEMBERS
    assert names[0] == FIRST and names[-1] == LAST


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_construct_and_ask(live_server: LiveServer, method: str) -> None:
    graph = rdflib.Graph(SPARQLStore(f"{live_server}/sparql", method=method))
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None
    assert len(set(constructed.objects(None, ORG_MEMBER))) == MEMBERS
    ask = graph.query(f"ASK {{ ?m <{ORG_MEMBER}> <https://w3id.org/lskg/id/person/sara-riggare> }}")
    assert ask.askAnswer is True


def test_rdflib_sparqlstore_triples_pattern(live_server: LiveServer) -> None:
    graph = rdflib.Graph(SPARQLStore(f"{live_server}/sparql"))
    group = rdflib.URIRef(COORDINATION_GROUP)
    memberships = set(graph.subjects(rdflib.URIRef("http://www.w3.org/ns/org#organization"), group))
    assert len(memberships) == MEMBERS
