"""The query editor, the network explorer and the gap dashboard in a real browser.

Each test checks what a person sees against what the API answers for the same question, and
ends with :meth:`Watch.assert_clean`: no console error, no failed request, no request to any
host but the test server. Screenshots at 1280 and 390 px land in ``tests/artifacts/``.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.web.conftest import WIDTHS, Tab

pytestmark = pytest.mark.slow

PAGES = {
    "query": ("/query", "SPARQL query"),
    "network": ("/network", "Network explorer"),
    "gaps": ("/gaps", "Sector gaps"),
    "home": ("/", "lskg: the Swedish life-science knowledge graph"),
}


def table_rows(tab: Tab) -> list[list[str]]:
    """The result table's cells as the raw values the page keeps (IRI or lexical form)."""
    rows: list[list[str]] = tab.page.eval_on_selector_all(
        "#result-table tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.dataset.value))",
    )
    return rows


def api_rows(answer: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Variables and rows of a SPARQL JSON answer, unbound as ''."""
    names = answer["head"]["vars"]
    return names, [[b[v]["value"] if v in b else "" for v in names] for b in answer["results"]["bindings"]]


@pytest.mark.parametrize("size", list(WIDTHS))
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_loads_without_errors_and_fits_the_screen(tab: Tab, name: str, size: str) -> None:
    width, height = WIDTHS[size]
    tab.page.set_viewport_size({"width": width, "height": height})
    path, heading = PAGES[name]
    tab.open(path)
    if name == "network":
        tab.wait_for_network()
    if name == "query":
        tab.page.wait_for_selector(".CodeMirror")
    assert tab.page.locator("h1").first.inner_text() == heading
    scroll_width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{path} is {scroll_width} px wide at a {width} px screen"
    for link in ("/query", "/network", "/gaps"):
        assert tab.page.locator(f'header.site nav a[href="{link}"]').count() == 1
    tab.screenshot(name)
    tab.watch.assert_clean()


def test_a_gallery_query_shows_the_same_rows_as_the_api(tab: Tab, api: httpx.Client) -> None:
    tab.open("/query")
    tab.page.click('#gallery a[data-name="coordination-group-members"]')
    tab.page.wait_for_selector("#status:has-text('rows in')")
    names, expected = api_rows(
        api.get("/queries/coordination-group-members", params={"format": "json"}).json()
    )
    headers = tab.page.eval_on_selector_all(
        "#result-table thead th", "ths => ths.map(t => t.firstChild.firstChild.textContent)"
    )
    assert headers == names
    assert table_rows(tab) == expected
    assert len(expected) == 19
    first_person = tab.page.locator("#result-table tbody tr").first.locator("td").first.locator("a")
    assert re.fullmatch(r"/id/person/[a-z-]+", first_person.get_attribute("href") or "")
    assert "name=coordination-group-members" in tab.page.url
    tab.watch.assert_clean()


def test_a_shared_query_url_opens_runs_and_sorts_the_query(tab: Tab, api: httpx.Client) -> None:
    query = (
        "PREFIX lskg: <https://w3id.org/lskg/ontology#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?area ?notation WHERE { ?area a lskg:CollaborationArea ; skos:notation ?notation }"
    )
    tab.page.goto(tab.base + "/query?" + httpx.QueryParams({"query": query}).__str__())
    tab.page.wait_for_selector("#status:has-text('rows in')")
    _names, expected = api_rows(
        api.post(
            "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
        ).json()
    )
    assert sorted(table_rows(tab)) == sorted(expected)
    assert len(expected) == 8
    tab.page.click("#result-table thead th:nth-child(2) button")
    notations = [row[1] for row in table_rows(tab)]
    assert notations == sorted(notations, key=int)
    assert tab.page.get_attribute("#result-table thead th:nth-child(2)", "aria-sort") == "ascending"
    tab.page.click("#result-table thead th:nth-child(2) button")
    assert [row[1] for row in table_rows(tab)] == sorted(notations, key=int, reverse=True)
    area_link = tab.page.locator("#result-table tbody tr td a").first.get_attribute("href")
    assert area_link is not None and area_link.startswith("/id/area/")
    tab.watch.assert_clean()


def test_prefix_completion_declares_the_prefix_it_completes(tab: Tab) -> None:
    tab.open("/query")
    tab.page.wait_for_selector(".CodeMirror")
    tab.page.evaluate(
        """() => {
            const cm = window.lskgQuery.editor;
            cm.setValue("SELECT ?p WHERE {\\n  ?p a \\n}");
            cm.focus();
            cm.setCursor({line: 1, ch: 7});
        }"""
    )
    tab.page.keyboard.type("fo")
    tab.page.keyboard.press("Control+Space")
    tab.page.wait_for_selector(".CodeMirror-hints li:has-text('foaf:')")
    tab.page.keyboard.press("Enter")
    tab.page.keyboard.type("Pers")
    tab.page.keyboard.press("Control+Space")
    tab.page.wait_for_selector(".CodeMirror-hints li:has-text('foaf:Person')")
    tab.page.keyboard.press("Enter")
    text = tab.page.evaluate("window.lskgQuery.editor.getValue()")
    assert text.startswith("PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n")
    assert "?p a foaf:Person" in text
    tab.page.keyboard.press("Control+Enter")
    tab.page.wait_for_function("document.querySelectorAll('#result-table tbody tr').length > 20")
    tab.watch.assert_clean()


def test_a_failing_query_shows_the_servers_message(tab: Tab) -> None:
    tab.open("/query?" + str(httpx.QueryParams({"query": "SELECT WHERE {"})))
    tab.page.wait_for_selector("#error:not([hidden])")
    assert "syntax" in tab.page.inner_text("#error").lower()
    # The page asked for an answer the server refused: that 400 is the point of this test.
    assert [e.split()[0] for e in tab.watch.http_errors] == ["400"]
    tab.watch.http_errors.clear()
    tab.watch.console_errors[:] = [e for e in tab.watch.console_errors if "400" not in e]
    tab.watch.assert_clean()


def test_filtering_the_network_by_sector_shows_as_many_nodes_as_the_api_lists(
    tab: Tab, api: httpx.Client
) -> None:
    data = api.get("/analysis/organisations").json()
    tab.open("/network?graph=organisations")
    tab.wait_for_network()
    assert tab.page.get_attribute("#visible-count", "data-nodes") == str(data["nodes"])
    for box in tab.page.locator("#sector-boxes input").all():
        if box.get_attribute("value") != "industry":
            box.uncheck()
    industry = [n for n in data["elements"]["nodes"] if n["data"]["sector"] == "industry"]
    assert len(industry) > 10
    assert tab.page.get_attribute("#visible-count", "data-nodes") == str(len(industry))
    # Cytoscape applies the hiding style in a later frame than the count is written.
    tab.page.wait_for_function(
        "n => window.lskgExplorer.cy().nodes(':visible').length === n", arg=len(industry), timeout=5000
    )
    drawn = tab.page.evaluate("window.lskgExplorer.cy().nodes(':visible').map(n => n.id())")
    assert sorted(drawn) == sorted(n["data"]["id"] for n in industry)
    tab.screenshot("network-industry")
    tab.watch.assert_clean()


def test_clicking_a_node_shows_its_roles_measures_and_page(tab: Tab, api: httpx.Client) -> None:
    data = api.get("/analysis/affiliations").json()
    person = next(
        n["data"] for n in data["elements"]["nodes"] if n["data"]["id"].endswith("/id/person/anders-lonnberg")
    )
    tab.open("/network?graph=affiliations")
    tab.wait_for_network()
    x, y = tab.page.evaluate(
        """id => {
            const cy = window.lskgExplorer.cy();
            const node = cy.getElementById(id);
            cy.zoom(3);
            cy.center(node);
            const p = node.renderedPosition();
            const box = cy.container().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        person["id"],
    )
    tab.page.mouse.click(x, y)
    tab.page.wait_for_selector("#panel-heading:has-text('Anders Lönnberg')")
    assert (
        tab.page.locator("#panel-body a", has_text="linked-data page").get_attribute("href") == person["page"]
    )
    measures = tab.page.inner_text("#panel-measures")
    assert f"Degree\n{person['degree']}" in measures
    roles = tab.page.inner_text("#panel-roles")
    assert "Life science coordination group" in roles
    assert "Chair" in roles
    assert person["articulation"] > 0
    assert "Articulation point" in tab.page.inner_text("#panel-body")
    tab.screenshot("network-panel")
    tab.watch.assert_clean()


def test_finding_a_node_by_name_selects_it_from_the_keyboard(tab: Tab) -> None:
    tab.open("/network?graph=organisations")
    tab.wait_for_network()
    tab.page.fill("#search", "vinnova")
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_selector("#panel-heading:has-text('Vinnova')")
    assert tab.page.evaluate("document.activeElement.id") == "panel-heading"
    assert tab.page.evaluate("window.lskgExplorer.cy().$('node:selected').id()").endswith("/id/org/vinnova")
    tab.watch.assert_clean()


def test_switching_graphs_and_highlights_follows_the_api(tab: Tab, api: httpx.Client) -> None:
    people = api.get("/analysis/people").json()
    tab.open("/network")
    tab.wait_for_network()
    tab.page.select_option("#graph", "people")
    tab.page.wait_for_function(
        "document.querySelector('#cy').dataset.state === 'ready' && window.lskgExplorer.data().graph === 'people'"
    )
    assert tab.page.get_attribute("#visible-count", "data-nodes") == str(people["nodes"])
    assert tab.page.url.endswith("/network?graph=people")
    assert tab.page.get_attribute("#dl-graphml", "href") == "/network/people.graphml"
    tab.page.check("#show-ap")
    tab.page.check("#show-links")
    marked = tab.page.evaluate("window.lskgExplorer.cy().nodes('.ap').length")
    assert marked == sum(1 for n in people["elements"]["nodes"] if n["data"]["articulation"] > 0)
    shown = tab.page.evaluate("window.lskgExplorer.cy().edges('.suggested:visible').length")
    assert shown == len(people["suggested_links"])
    with tab.page.expect_download() as download:
        tab.page.click("#export-png")
    path = download.value.path()
    assert path is not None and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    tab.watch.assert_clean()


def test_the_gap_dashboard_shows_the_reports_matrix_with_links(tab: Tab, api: httpx.Client) -> None:
    report = api.get("/gaps", headers={"Accept": "application/json"}).json()
    tab.open("/gaps")
    rows = tab.page.locator("#gap-matrix tbody tr")
    assert rows.count() == len(report["areas"]) + len(report["groups"]) == 11
    group = next(g for g in report["groups"] if g["iri"].endswith("life-science-coordination-group"))
    cells = tab.page.eval_on_selector_all(
        f'#gap-matrix tr[data-iri="{group["iri"]}"] td[data-sector]',
        "tds => Object.fromEntries(tds.map(t => [t.dataset.sector, Number(t.dataset.count)]))",
    )
    assert cells == {
        s["notation"]: group["coverage"]["counts"].get(s["notation"], 0) for s in report["sectors"]
    }
    missing = tab.page.locator("#gap-matrix td.l0").count()
    assert missing == sum(len(u["coverage"]["missing"]) for u in report["areas"] + report["groups"])
    area_link = tab.page.locator("#areas-heading ~ section h3 a").first.get_attribute("href")
    assert area_link == "/id/area/biologiska-lakemedel"
    assert tab.page.locator("#spof-list li").count() == len(report["network"]["articulation_points"]["top"])
    tab.watch.assert_clean()
