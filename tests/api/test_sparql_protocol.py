"""/sparql speaks the SPARQL 1.1 Protocol: three ways to send a query, negotiated result formats."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from kg.store import OxigraphStore
from tests.api.conftest import COORDINATION_GROUP, MEMBERS_QUERY

GRAPH = "https://w3id.org/lskg/graph/"
SRX = "{http://www.w3.org/2005/sparql-results#}"
NAMES = 19
FIRST, LAST = "Anders Blanck", "Sara Riggare"
CONSTRUCT = f"""PREFIX org: <http://www.w3.org/ns/org#>
CONSTRUCT {{ ?m org:member ?p }} WHERE {{ ?m org:organization <{COORDINATION_GROUP}> ; org:member ?p }}"""


def names_from_json(body: bytes) -> list[str]:
    data = json.loads(body)
    assert data["head"]["vars"] == ["name"]
    return [b["name"]["value"] for b in data["results"]["bindings"]]


def test_get_with_query_parameter_answers_sparql_json_by_default(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": MEMBERS_QUERY})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert response.headers["vary"].startswith("Accept")
    assert response.headers["x-lskg-truncated"] == "false"
    names = names_from_json(response.content)
    assert len(names) == NAMES
    assert names[0] == FIRST and names[-1] == LAST


def test_post_form_encoded_query_gives_the_same_rows(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": MEMBERS_QUERY})
    assert response.status_code == 200
    assert len(names_from_json(response.content)) == NAMES


def test_post_sparql_query_body_gives_the_same_rows(client: TestClient) -> None:
    response = client.post(
        "/sparql", content=MEMBERS_QUERY.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 200
    assert len(names_from_json(response.content)) == NAMES


def test_post_with_another_body_type_is_415(client: TestClient) -> None:
    response = client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 415
    assert "application/sparql-query" in response.json()["message"]


def test_sparql_xml_results_are_valid_xml_with_every_member(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": MEMBERS_QUERY}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert response.headers["content-type"] == "application/sparql-results+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    literals = [e.text for e in root.iter(f"{SRX}literal")]
    assert len(literals) == NAMES and literals[-1] == LAST


def test_csv_results_have_a_header_and_one_line_per_member(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": MEMBERS_QUERY}, headers={"Accept": "text/csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["name"]
    assert [r[0] for r in rows[1:]][:1] == [FIRST] and len(rows) == NAMES + 1


def test_tsv_results_hold_rdf_terms(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": MEMBERS_QUERY}, headers={"Accept": "text/tab-separated-values"}
    )
    assert response.headers["content-type"] == "text/tab-separated-values; charset=utf-8"
    lines = response.text.splitlines()
    assert lines[0] == "?name"
    assert lines[1] == f'"{FIRST}"' and len(lines) == NAMES + 1


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("application/json", "application/sparql-results+json"),
        ("text/*", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        ("text/html;q=0.9, text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_accept_q_values_choose_the_results_format(client: TestClient, accept: str, expected: str) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": MEMBERS_QUERY, "format": "csv"}, headers={"Accept": "application/json"}
    )
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text.startswith("name\r\n")


def test_unacceptable_media_type_is_406_with_the_offered_list(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": MEMBERS_QUERY}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["vary"].startswith("Accept")
    assert response.json()["offered"] == [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ]


def test_ask_answers_a_boolean(client: TestClient) -> None:
    query = f"ASK {{ <{COORDINATION_GROUP}> a <https://w3id.org/lskg/ontology#CoordinationGroup> }}"
    assert client.get("/sparql", params={"query": query}).json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize(
    ("accept", "content_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml; charset=utf-8", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/trig", "application/trig; charset=utf-8", "trig"),
        ("application/n-quads", "application/n-quads", "nquads"),
    ],
)
def test_construct_answers_in_each_rdf_syntax(
    client: TestClient, accept: str, content_type: str, rdflib_format: str
) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    graph = rdflib.Dataset() if rdflib_format in ("trig", "nquads") else rdflib.Graph()
    graph.parse(data=response.content, format=rdflib_format)
    members = {
        str(o) for _s, _p, o in graph.triples((None, rdflib.URIRef("http://www.w3.org/ns/org#member"), None))
    }
    assert len(members) == NAMES
    assert "https://w3id.org/lskg/id/person/sara-riggare" in members


def test_construct_is_turtle_for_any_media_type(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "*/*"})
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"


def test_construct_refuses_a_results_only_media_type(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert "text/turtle" in response.json()["offered"]


def test_describe_answers_the_resource_description(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": f"DESCRIBE <{COORDINATION_GROUP}>", "format": "nt"})
    triples = list(ox.parse(response.content, ox.RdfFormat.N_TRIPLES))
    labels = {t.object.value for t in triples if t.predicate.value.endswith("#label")}
    assert "Life science coordination group" in labels


def test_syntax_error_is_400_with_the_parsers_position(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "query-syntax"
    assert body["message"].startswith("SPARQL syntax error at line 1, column 25:")


def test_default_graph_uri_restricts_the_default_graph(client: TestClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    whole = client.get("/sparql", params={"query": query}).json()
    web = client.get("/sparql", params={"query": query, "default-graph-uri": GRAPH + "web-sources"}).json()
    count = int(web["results"]["bindings"][0]["n"]["value"])
    assert 0 < count < int(whole["results"]["bindings"][0]["n"]["value"])


def test_named_graph_uri_limits_the_graphs_graph_sees(client: TestClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    response = client.post(
        "/sparql",
        data={"query": query, "named-graph-uri": [GRAPH + "web-sources", GRAPH + "meta"]},
    )
    graphs = [b["g"]["value"] for b in response.json()["results"]["bindings"]]
    assert graphs == [GRAPH + "meta", GRAPH + "web-sources"]


def test_from_a_graph_of_the_store_is_allowed(client: TestClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}meta> WHERE {{ ?s ?p ?o }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) > 0


def test_dataset_parameters_must_name_graphs_of_the_store(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "ASK {}", "default-graph-uri": "https://w3id.org/lskg/graph/nope"}
    )
    assert response.status_code == 400
    assert "names no graph in this store" in response.json()["message"]


def test_query_given_twice_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": ["ASK {}", "ASK {}"]})
    assert response.status_code == 400


def test_head_answers_headers_without_a_body(client: TestClient) -> None:
    response = client.head("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content == b""


def test_service_description_in_turtle(client: TestClient, real_store: OxigraphStore) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = graph.value(predicate=rdflib.RDF.type, object=sd.Service)
    assert graph.value(service, sd.endpoint) == rdflib.URIRef("http://testserver/sparql")
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Update) not in graph
    names = {str(o) for o in graph.objects(None, sd.name)}
    assert GRAPH + "s000-life-science-office" in names
    assert names == set(real_store.graphs())


def test_service_description_in_json_ld(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"] == "application/ld+json"
    graph = rdflib.Graph().parse(data=response.text, format="json-ld")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = set(graph.objects(None, sd.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats


def test_browsers_get_the_query_editor_that_submits_to_sparql(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<form id="query-form" action="/sparql" method="get">' in response.text
    assert 'name="query"' in response.text


def test_a_shared_sparql_link_opens_the_editor_in_a_browser_and_json_elsewhere(client: TestClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    browser = client.get("/sparql", params={"query": query}, headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.headers["content-type"] == "text/html; charset=utf-8"
    assert "COUNT(*) AS ?n" in browser.text
    machine = client.get("/sparql", params={"query": query}, headers={"Accept": "*/*"})
    assert machine.headers["content-type"].startswith("application/sparql-results+json")


def test_head_of_the_service_description(client: TestClient) -> None:
    response = client.head("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"


def test_a_repeated_query_is_answered_from_the_result_cache(client: TestClient) -> None:
    query = MEMBERS_QUERY + "\n# cache test"
    first = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    second = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert (first.headers["x-lskg-cache"], second.headers["x-lskg-cache"]) == ("miss", "hit")
    assert second.content == first.content
    other_format = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "text/tab-separated-values"}
    )
    assert other_format.headers["x-lskg-cache"] == "miss"
