"""The home page, label search and the shared layout: offline, accessible, versioned, licensed."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kg.store import OxigraphStore

HTML = {"Accept": "text/html"}


def test_the_home_page_links_every_entry_point(client: TestClient) -> None:
    page = client.get("/", headers=HTML)
    assert page.status_code == 200
    hrefs = set(re.findall(r'href="([^"]+)"', page.text))
    expected = {"/sparql", "/queries", "/organisations", "/ontology", "/.well-known/void", "/docs"}
    expected |= {"/dump.nq", "/dump.ttl", "/dump.jsonld"}
    assert expected <= hrefs


def test_every_page_shows_the_dataset_version_and_the_licence(
    client: TestClient, real_store: OxigraphStore
) -> None:
    for path in ("/", "/id/org/vinnova", "/ontology", "/queries", "/search?q=vinnova", "/dataset"):
        html = client.get(path, headers=HTML).text
        assert f'<code title="{real_store.version}">{real_store.version[:12]}</code>' in html, path
        assert '<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>' in html, (
            path
        )


def test_pages_load_nothing_from_other_hosts(client: TestClient) -> None:
    for path in ("/", "/id/person/sara-riggare", "/ontology", "/organisations"):
        html = client.get(path, headers=HTML).text
        assets = re.findall(r'<(?:link|script|img)[^>]+(?:href|src)="([^"]+)"', html)
        assert assets, path
        assert all(a.startswith("/") for a in assets), (path, assets)
    css = client.get("/static/lskg.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "http" not in css.text
    assert ":focus-visible" in css.text


def test_the_layout_is_accessible(client: TestClient) -> None:
    html = client.get("/", headers=HTML).text
    assert '<html lang="en">' in html
    assert '<label for="site-search">Search labels</label>' in html
    assert '<input id="site-search" name="q" type="search"' in html
    assert '<a class="skip" href="#main">' in html
    assert '<nav aria-label="Main">' in html


def test_the_home_page_answers_json_on_request(client: TestClient) -> None:
    body = client.get("/", headers={"Accept": "application/json"}).json()
    assert body["licence"] == "https://creativecommons.org/licenses/by/4.0/"
    assert body["links"]["sparql"] == "http://testserver/sparql"


def test_search_finds_labels_without_caring_for_case_or_diacritics(client: TestClient) -> None:
    body = client.get(
        "/search", params={"q": "LINKOPINGS UNIVERSITET"}, headers={"Accept": "application/json"}
    ).json()
    first = body["items"][0]
    assert first["iri"] == "https://w3id.org/lskg/id/org/linkoping-university"
    assert first["matched"] == "Linköpings universitet"
    assert first["page"] == "http://testserver/id/org/linkoping-university"
    assert "https://w3id.org/lskg/ontology#University" in first["types"]


def test_search_ranks_exact_matches_first_and_finds_ontology_terms(client: TestClient) -> None:
    body = client.get("/search", params={"q": "vinnova"}, headers={"Accept": "application/json"}).json()
    assert body["items"][0]["label"] == "Vinnova"
    terms = client.get("/search", params={"q": "biobank"}, headers={"Accept": "application/json"}).json()
    assert "http://testserver/ontology#Biobank" in {i["page"] for i in terms["items"]}


def test_search_results_are_a_list_of_links_for_browsers(client: TestClient) -> None:
    html = client.get("/search", params={"q": "riggare"}, headers=HTML).text
    assert (
        '<a href="/id/person/sara-riggare" title="https://w3id.org/lskg/id/person/sara-riggare">Sara Riggare</a>'
        in html
    )
    assert 'value="riggare"' in html
    empty = client.get("/search", params={"q": "zzzz-nothing"}, headers=HTML)
    assert empty.status_code == 200
    assert "0 results" in empty.text
