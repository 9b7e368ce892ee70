"""Named queries: listed, runnable with bound parameters, published as SPARQL examples."""

from __future__ import annotations

import csv
import io
import json

import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import RDF, RDFS

from kg.paths import resource_dir
from kg.store import OxigraphStore

BASE = "https://w3id.org/lskg/"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = rdflib.Namespace("https://schema.org/")
MALICIOUS = "x> } ; DROP ALL ; #"


def rows(response: object) -> list[dict[str, str]]:
    """SPARQL JSON results as plain {variable: value} rows."""
    body = response.json()  # type: ignore[attr-defined]
    return [{k: v["value"] for k, v in b.items()} for b in body["results"]["bindings"]]


def test_the_list_holds_every_file_of_the_queries_folder(client: TestClient) -> None:
    response = client.get("/queries")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    names = {item["name"] for item in response.json()}
    assert names == {path.stem for path in resource_dir("queries").glob("*.rq")}


def test_each_listed_query_has_its_metadata_and_a_link(client: TestClient) -> None:
    items = {item["name"]: item for item in client.get("/queries").json()}
    links = items["organisation-links"]
    assert links["summary"] == "What a given organisation is linked to"
    assert links["tags"] == ["organisations", "links"]
    assert links["form"] == "SELECT"
    assert links["link"] == "http://testserver/queries/organisation-links"
    assert links["parameters"] == [
        {
            "name": "organisation",
            "type": "iri",
            "description": "The organisation's IRI, absolute or relative to the base (id/org/vinnova).",
            "default": "id/org/vinnova",
            "required": False,
        }
    ]
    assert items["personal-contact-violation"]["violation_check"] is True


def test_browsers_get_the_list_as_html(client: TestClient) -> None:
    page = client.get("/queries", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/queries/fact-provenance"' in page.text


def test_a_real_query_runs_with_a_bound_parameter(client: TestClient) -> None:
    response = client.get("/queries/fact-provenance", params={"subject": "id/org/karolinska-institutet"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    found = rows(response)
    assert {r["subject"] for r in found} == {BASE + "id/org/karolinska-institutet"}
    # Every fact is traced to lines of a document or to a web page read on a date.
    assert all("file" in r or ("url" in r and "read" in r) for r in found)
    label = [r for r in found if r["object"] == "Karolinska Institutet" and "file" in r]
    assert [(r["file"], r["startLine"], r["endLine"]) for r in label] == [
        ("000_cfe27d1b3417dce0.txt", "63", "63")
    ] * len(label)
    assert label


def test_a_fixture_query_returns_the_expected_rows(fixture_client: TestClient) -> None:
    response = fixture_client.get("/queries/org-labels", params={"org": "id/org/linkoping-university"})
    assert rows(response) == [
        {"org": BASE + "id/org/linkoping-university", "label": "Linköping University", "lang": "en"},
        {"org": BASE + "id/org/linkoping-university", "label": "Linköpings universitet", "lang": "sv"},
    ]
    default = rows(fixture_client.get("/queries/org-labels"))
    assert {r["label"] for r in default} == {"Vinnova"}


def test_results_are_negotiated_like_sparql_results(fixture_client: TestClient) -> None:
    path = "/queries/org-labels?org=id/org/linkoping-university"
    as_csv = fixture_client.get(path, headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(as_csv.text)))[1]["label"] == "Linköpings universitet"
    as_tsv = fixture_client.get(path, headers={"Accept": "text/tab-separated-values"})
    assert '"Linköpings universitet"@sv' in as_tsv.text
    as_xml = fixture_client.get(path + "&format=xml")
    assert as_xml.headers["content-type"].startswith("application/sparql-results+xml")
    assert "Linköpings universitet" in as_xml.text
    assert "Accept" in as_csv.headers["vary"]
    refused = fixture_client.get(path, headers={"Accept": "text/turtle"})
    assert refused.status_code == 406
    assert "text/csv" in refused.json()["offered"]


def test_a_construct_query_answers_in_rdf(fixture_client: TestClient) -> None:
    response = fixture_client.get(
        "/queries/org-sector", params={"org": "id/org/vinnova"}, headers={"Accept": "text/turtle"}
    )
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert list(graph) == [
        (
            rdflib.URIRef(BASE + "id/org/vinnova"),
            rdflib.URIRef("https://w3id.org/lskg/ontology#sector"),
            rdflib.URIRef("https://w3id.org/lskg/ontology#SectorPublic"),
        )
    ]
    document = fixture_client.get("/queries/org-sector?org=id/org/vinnova&format=jsonld").json()
    assert document["@graph"][0]["sector"] == "https://w3id.org/lskg/ontology#SectorPublic"


def test_an_ask_query_answers_true_or_false(fixture_client: TestClient) -> None:
    assert fixture_client.get("/queries/has-name", params={"name": "Sara Riggare"}).json()["boolean"] is True
    assert fixture_client.get("/queries/has-name", params={"name": "Nobody"}).json()["boolean"] is False


def test_a_malicious_parameter_is_refused_with_400_and_nothing_runs(
    fixture_client: TestClient, real_store: OxigraphStore
) -> None:
    before = len(real_store)
    response = fixture_client.get("/queries/org-labels", params={"org": MALICIOUS})
    assert response.status_code == 400
    assert response.json()["error"] == "bad-input"
    assert "is not a valid IRI" in response.json()["message"]
    assert len(real_store) == before
    # As a string it is only ever a literal: the query runs and finds nobody of that name.
    literal = fixture_client.get("/queries/has-name", params={"name": MALICIOUS})
    assert literal.json()["boolean"] is False


def test_parameter_errors_are_400_with_the_reason(fixture_client: TestClient) -> None:
    unknown = fixture_client.get("/queries/org-labels", params={"organisation": "id/org/vinnova"})
    assert unknown.status_code == 400
    assert "has no parameter organisation" in unknown.json()["message"]
    missing = fixture_client.get("/queries/org-sector")
    assert missing.status_code == 400
    assert "needs the parameter 'org'" in missing.json()["message"]
    twice = fixture_client.get("/queries/org-labels?org=id/org/vinnova&org=id/org/lif")
    assert twice.status_code == 400


def test_an_unknown_query_is_404(fixture_client: TestClient) -> None:
    response = fixture_client.get("/queries/no-such-query")
    assert response.status_code == 404
    assert "org-labels" in response.json()["message"]


def test_a_browser_gets_a_form_and_a_results_table(fixture_client: TestClient) -> None:
    html = fixture_client.get("/queries/org-labels?org=id/org/vinnova", headers={"Accept": "text/html"}).text
    assert '<label for="param-org">' in html
    assert '<input id="param-org" name="org" value="id/org/vinnova"' in html
    assert '<th scope="col">label</th>' in html
    form_only = fixture_client.get("/queries/org-sector", headers={"Accept": "text/html"})
    assert form_only.status_code == 200
    assert "Results" not in form_only.text


def test_the_query_text_is_served_at_the_rq_suffix(fixture_client: TestClient) -> None:
    response = fixture_client.get("/queries/org-labels.rq")
    assert response.headers["content-type"].startswith("application/sparql-query")
    assert "SELECT ?org ?label" in response.text


def test_the_catalogue_is_published_as_sparql_examples(client: TestClient) -> None:
    response = client.get("/.well-known/sparql-examples", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    names = {path.stem for path in resource_dir("queries").glob("*.rq")}
    examples = set(graph.subjects(RDF.type, SH.SPARQLExecutable))
    assert examples == {rdflib.URIRef(f"{BASE}queries/{name}") for name in names}
    example = rdflib.URIRef(BASE + "queries/organisation-links")
    assert (example, RDF.type, SH.SPARQLSelectExecutable) in graph
    assert graph.value(example, SCHEMA.target) == rdflib.URIRef(BASE + "sparql")
    assert str(graph.value(example, RDFS.label)) == "What a given organisation is linked to"
    select = str(graph.value(example, SH.select))
    assert select.startswith("PREFIX") and "#+" not in select
    jsonld = client.get("/.well-known/sparql-examples", headers={"Accept": "application/ld+json"}).json()
    jsonld["@context"] = client.get("/context.jsonld").json()["@context"]
    assert len(rdflib.Graph().parse(data=json.dumps(jsonld), format="json-ld")) == len(graph)
