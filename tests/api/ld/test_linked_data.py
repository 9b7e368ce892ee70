"""Every IRI dereferences: HTML pages for people, the concise bounded description for machines."""

from __future__ import annotations

import json
import re

import httpx
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from kg.store import OxigraphStore
from kg.vocab import TERMS

BASE = "https://w3id.org/lskg/"
KI = rdflib.URIRef(BASE + "id/org/karolinska-institutet")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def varies(headers: httpx.Headers) -> set[str]:
    return {part.strip() for part in headers.get("vary", "").split(",")}


def turtle(client: TestClient, path: str) -> rdflib.Graph:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200, response.text
    return rdflib.Graph().parse(data=response.text, format="turtle")


def test_karolinska_institutet_as_turtle_states_its_english_label(client: TestClient) -> None:
    response = client.get("/id/org/karolinska-institutet", headers={"Accept": "text/turtle"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert 'rdfs:label "Karolinska Institutet"@en' in response.text
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (KI, RDFS.label, rdflib.Literal("Karolinska Institutet", lang="en")) in graph
    assert (KI, RDF.type, rdflib.URIRef("https://w3id.org/lskg/ontology#University")) in graph


def test_the_ttl_suffix_gives_the_same_document_as_accept_negotiation(client: TestClient) -> None:
    negotiated = client.get("/id/org/karolinska-institutet", headers={"Accept": "text/turtle"})
    suffixed = client.get("/id/org/karolinska-institutet.ttl")
    assert suffixed.status_code == 200
    assert suffixed.headers["content-type"] == negotiated.headers["content-type"]
    assert suffixed.content == negotiated.content


def test_each_suffix_answers_in_its_media_type(client: TestClient) -> None:
    expected = {
        ".ttl": "text/turtle",
        ".nt": "application/n-triples",
        ".jsonld": "application/ld+json",
        ".rdf": "application/rdf+xml",
        ".html": "text/html",
    }
    for suffix, media in expected.items():
        response = client.get(f"/id/org/vinnova{suffix}")
        assert response.status_code == 200, suffix
        assert response.headers["content-type"].split(";")[0] == media, suffix


def test_every_rdf_syntax_holds_the_same_description(client: TestClient) -> None:
    reference = turtle(client, "/id/org/vinnova")
    for media, fmt in (("application/n-triples", "nt"), ("application/rdf+xml", "xml")):
        body = client.get("/id/org/vinnova", headers={"Accept": media}).text
        assert isomorphic(rdflib.Graph().parse(data=body, format=fmt), reference), media


def test_a_client_that_accepts_anything_gets_turtle_and_responses_vary_on_accept(client: TestClient) -> None:
    response = client.get("/id/org/vinnova", headers={"Accept": "*/*"})
    assert response.headers["content-type"].startswith("text/turtle")
    assert "Accept" in varies(response.headers)
    assert "Accept" in varies(client.get("/id/org/vinnova", headers=HTML).headers)


def test_q_values_choose_the_representation(client: TestClient) -> None:
    response = client.get("/id/org/vinnova", headers={"Accept": "text/turtle;q=0.5, application/ld+json"})
    assert response.headers["content-type"] == "application/ld+json"


def test_the_rdf_description_says_where_each_fact_comes_from(client: TestClient) -> None:
    graph = turtle(client, "/id/org/karolinska-institutet")
    statements = set(graph.subjects(RDF.subject, KI))
    outgoing = {(p, o) for p, o in graph.predicate_objects(KI)}
    facts = {(graph.value(s, RDF.predicate), graph.value(s, RDF.object)): s for s in statements}
    assert set(facts) == outgoing
    for statement in statements:
        assert (statement, RDF.type, RDF.Statement) in graph
        assert graph.value(statement, PROV.wasDerivedFrom) is not None
    label = facts[(RDFS.label, rdflib.Literal("Karolinska Institutet", lang="en"))]
    assert (label, PROV.wasDerivedFrom, rdflib.URIRef(BASE + "id/excerpt/cfe27d1b3417dce0/L63")) in graph


def test_sara_riggares_page_lists_her_two_memberships_with_their_source(client: TestClient) -> None:
    page = client.get("/id/person/sara-riggare", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    memberships = re.findall(r'href="(/id/membership/[^"]+)"[^>]*>([^<]+)</a>', html)
    assert sorted(memberships) == [
        ("/id/membership/cg-sara-riggare", "Sara Riggare – Life science coordination group (Patient)"),
        (
            "/id/membership/sara-riggare-karolinska-institutet",
            "Sara Riggare – Karolinska Institutet (Engineer &amp; Researcher)",
        ),
    ]
    assert "000_cfe27d1b3417dce0.txt, lines 64–64" in html
    assert 'href="/id/excerpt/cfe27d1b3417dce0/L64"' in html


def test_vinnovas_incoming_links_include_darja_isakssons_membership(client: TestClient) -> None:
    html = client.get("/id/org/vinnova", headers=HTML).text
    incoming = html.split('id="incoming"', 1)[1]
    assert 'href="/id/membership/darja-isaksson-vinnova"' in incoming
    assert "Darja Isaksson – Vinnova (Director General)" in incoming
    assert "000_cfe27d1b3417dce0.txt, lines 57–57" in incoming


def test_pages_show_english_and_swedish_labels_with_language_tags(client: TestClient) -> None:
    html = client.get("/id/org/linkoping-university", headers=HTML).text
    assert "<h1>Linköping University</h1>" in html
    assert '<p class="sv" lang="sv">Linköpings universitet</p>' in html
    assert (
        '<span class="literal" lang="sv">Linköpings universitet</span> <span class="tag">@sv</span>' in html
    )
    assert '<html lang="en">' in html


def test_facts_read_from_the_web_show_the_address_and_the_date_read(client: TestClient) -> None:
    html = client.get("/id/org/ostersunds-kommun", headers=HTML).text
    assert 'href="https://sv.wikipedia.org/wiki/%C3%96stersunds_kommun" rel="external"' in html
    assert "(read 2026-11-24)" in html


def test_same_as_links_to_wikidata_are_external_links(client: TestClient) -> None:
    html = client.get("/id/org/socialdemokraterna", headers=HTML).text
    sameas = html.split('class="sameas"', 1)[1].split("</p>", 1)[0]
    assert '<a href="http://www.wikidata.org/entity/Q105112" rel="external">wd:Q105112</a>' in sameas


def test_links_to_ontology_terms_and_entities_stay_on_this_server(client: TestClient) -> None:
    html = client.get("/id/org/karolinska-institutet", headers=HTML).text
    assert 'href="/ontology#University"' in html
    assert 'href="/ontology#SectorAcademia"' in html
    assert 'href="/id/person/ole-petter-ottersen"' in html


def test_an_excerpt_page_lists_the_facts_it_states(client: TestClient) -> None:
    html = client.get("/id/excerpt/cfe27d1b3417dce0/L64", headers=HTML).text
    assert "<h1>000_cfe27d1b3417dce0.txt, lines 64–64</h1>" in html
    stated = html.split('id="stated"', 1)[1]
    assert 'href="/id/person/sara-riggare"' in stated
    assert 'href="/id/membership/sara-riggare-karolinska-institutet"' in stated


def test_an_unknown_iri_is_404_html_for_browsers_and_json_otherwise(client: TestClient) -> None:
    browser = client.get("/id/org/no-such-organisation", headers=HTML)
    assert browser.status_code == 404
    assert browser.headers["content-type"].startswith("text/html")
    machine = client.get("/id/org/no-such-organisation", headers={"Accept": "text/turtle"})
    assert machine.status_code == 404
    assert machine.json()["error"] == "not-found"
    assert client.get("/id/org/no-such-organisation.ttl").status_code == 404


def test_an_unsupported_accept_is_406_with_the_offered_types(client: TestClient) -> None:
    response = client.get("/id/org/vinnova", headers={"Accept": "image/png"})
    assert response.status_code == 406
    offered = response.json()["offered"]
    assert {"text/turtle", "text/html", "application/ld+json", "application/n-triples"} <= set(offered)


def test_json_ld_parses_against_the_published_context_into_the_turtle_graph(client: TestClient) -> None:
    context = client.get("/context.jsonld")
    assert context.headers["content-type"] == "application/ld+json"
    document = client.get("/id/org/karolinska-institutet", headers={"Accept": "application/ld+json"}).json()
    assert document["@context"] == "http://testserver/context.jsonld"
    node = next(n for n in document["@graph"] if n["@id"] == str(KI))
    assert node["@type"] == "lskg:University"
    assert node["sector"] == "https://w3id.org/lskg/ontology#SectorAcademia"
    assert {"@value": "Karolinska Institutet", "@language": "en"} in node["label"]
    # Parse with the context given as a dict: no network.
    document["@context"] = context.json()["@context"]
    parsed = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    assert isomorphic(parsed, turtle(client, "/id/org/karolinska-institutet"))


def test_named_graphs_dereference(client: TestClient, real_store: OxigraphStore) -> None:
    graph = turtle(client, "/graph/web-sources")
    assert len(graph) == sum(1 for _ in real_store.quads(BASE + "graph/web-sources"))
    assert client.get("/graph/web-sources.nt").headers["content-type"] == "application/n-triples"
    html = client.get("/graph/s000-life-science-office/provenance", headers=HTML)
    assert html.status_code == 200
    assert client.get("/graph/no-such-graph").status_code == 404


def test_the_ontology_page_has_an_anchor_for_every_term(client: TestClient) -> None:
    html = client.get("/ontology", headers=HTML).text
    anchors = set(re.findall(r'<section class="term" id="([^"]+)"', html))
    assert anchors >= TERMS, sorted(TERMS - anchors)
    assert 'href="/ontology#Sector"' in html
    sector = html.split('id="sector"', 1)[1].split("</section>", 1)[0]
    assert "The sector an organisation belongs to." in sector
    assert '<p lang="sv">Den sektor som en organisation tillhör.</p>' in sector


def test_the_ontology_is_served_as_rdf_by_accept_and_by_suffix(
    client: TestClient, real_store: OxigraphStore
) -> None:
    negotiated = turtle(client, "/ontology")
    suffixed = rdflib.Graph().parse(data=client.get("/ontology.ttl").text, format="turtle")
    assert isomorphic(negotiated, suffixed)
    assert len(negotiated) == sum(1 for _ in real_store.quads(BASE + "graph/ontology"))
    assert (rdflib.URIRef("https://w3id.org/lskg/ontology"), RDF.type, OWL.Ontology) in negotiated
    version = client.get("/ontology/0.1.0", headers={"Accept": "text/turtle"})
    assert version.status_code == 200
    assert client.get("/ontology/9.9.9", headers={"Accept": "text/turtle"}).status_code == 404


def test_the_shapes_are_served_as_turtle_and_json_ld(client: TestClient) -> None:
    shapes = turtle(client, "/shapes")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert (rdflib.URIRef("https://w3id.org/lskg/shapes#OrganisationShape"), RDF.type, sh.NodeShape) in shapes
    document = client.get("/shapes", headers={"Accept": "application/ld+json"}).json()
    document["@context"] = client.get("/context.jsonld").json()["@context"]
    assert isomorphic(rdflib.Graph().parse(data=json.dumps(document), format="json-ld"), shapes)


def test_the_base_iri_is_configurable(other_base_client: TestClient) -> None:
    graph = turtle(other_base_client, "/id/org/vinnova")
    vinnova = rdflib.URIRef("http://data.example.org/kg/id/org/vinnova")
    assert (vinnova, RDFS.label, rdflib.Literal("Vinnova", lang="en")) in graph
    html = other_base_client.get("/id/org/vinnova", headers=HTML).text
    assert 'href="/ontology#GovernmentAgency"' in html
    assert 'href="/id/membership/darja-isaksson-vinnova"' in html
    assert "https://w3id.org/lskg/id/" not in html
