"""The analysis endpoints, the gap report and the graph downloads over the real graph.

Values are checked against the real data (the coordination group's 19 members from all five
sectors, the eight collaboration areas, the one organisation that holds the organisation
graph's periphery together) and against the library functions the endpoints wrap.
"""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from api.routers import analysis
from api.routers.analysis import ANALYSES, Analysis
from kg.analysis.graphs import GRAPHS, build_graph
from kg.store import open_store
from tests.web.conftest import serve, web_app

BASE = "https://w3id.org/lskg/"
GROUP = BASE + "id/group/life-science-coordination-group"
COORDINATION_COUNTS = {"academia": 2, "civil-society": 2, "healthcare": 4, "industry": 6, "public": 4}
AREAS = [
    "Joint effort on biological medicines",
    "Career merits and forms of employment",
    "Digital standardisation and collaboration",
    "Access to and funding of data and information",
    "Opening public and private physical infrastructure to external parties, including SMEs",
    "Innovation sites for healthcare, industry and academia",
    "Reimbursement, uptake of innovation and generation of evidence",
    "Antimicrobial resistance (AMR)",
]


@pytest.fixture(scope="module")
def client(real_store_path: Path) -> Iterator[TestClient]:
    """A client of the API (with the analysis and page routers) over the real graph."""
    with TestClient(web_app(real_store_path)) as test_client:
        yield test_client


def run(client: TestClient, path: str, **params: object) -> dict:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


# --------------------------------------------------------------------------- the index


def test_the_index_lists_four_graphs_and_eight_analyses_with_their_parameters(client: TestClient) -> None:
    body = run(client, "/analysis")
    assert [g["name"] for g in body["graphs"]] == ["affiliations", "areas", "people", "organisations"]
    assert [a["name"] for a in body["analyses"]] == [
        "centrality",
        "brokerage",
        "holes",
        "fragility",
        "communities",
        "assortativity",
        "links",
        "coverage",
    ]
    centrality = next(a for a in body["analyses"] if a["name"] == "centrality")
    k = next(p for p in centrality["parameters"] if p["name"] == "k")
    assert (k["type"], k["default"], k["minimum"]) == ("integer", 256, 1)


@pytest.mark.parametrize("graph", list(GRAPHS))
@pytest.mark.parametrize("name", list(ANALYSES))
def test_every_analysis_runs_on_every_graph_and_echoes_what_it_ran(
    client: TestClient, graph: str, name: str
) -> None:
    body = run(client, f"/analysis/{graph}/{name}")
    net = build_graph(open_store(client.app.state.settings.store), graph)  # type: ignore[attr-defined]
    assert (body["graph"], body["analysis"]) == (graph, name)
    assert body["parameters"] == {p.name: p.default for p in ANALYSES[name].params}
    assert (body["nodes"], body["edges"]) == (net.number_of_nodes(), net.number_of_edges())
    assert isinstance(body["result"], dict) and body["result"]


# --------------------------------------------------------------------------- real values


def test_coverage_of_the_affiliations_graph_finds_all_five_sectors_in_the_coordination_group(
    client: TestClient,
) -> None:
    body = run(client, "/analysis/affiliations/coverage")
    group = next(u for u in body["result"]["coverage"] if u["iri"] == GROUP)
    assert group["counts"] == COORDINATION_COUNTS
    assert group["present"] == sorted(COORDINATION_COUNTS)
    assert group["absent"] == []
    assert group["members"] == 19
    assert group["page"] == "/id/group/life-science-coordination-group"


def test_centrality_ranks_people_with_exact_betweenness_and_the_chairs_nineteen_ties(
    client: TestClient,
) -> None:
    body = run(client, "/analysis/people/centrality", sort="degree", top=3)
    assert body["parameters"] == {"k": 256, "seed": 42, "top": 3, "sort": "degree"}
    assert body["result"]["betweenness_method"]["method"] == "exact"
    rows = body["result"]["nodes"]
    assert len(rows) == 3
    chair = next(r for r in rows if r["iri"] == BASE + "id/person/anders-lonnberg")
    assert chair["degree"] == 19.0
    assert [r["degree"] for r in rows] == sorted((r["degree"] for r in rows), reverse=True)


def test_brokerage_counts_the_chairs_open_two_paths_by_role(client: TestClient) -> None:
    rows = run(client, "/analysis/people/brokerage")["result"]["nodes"]
    chair = next(r for r in rows if r["iri"] == BASE + "id/person/anders-lonnberg")
    # Göran Ando has no current role, so no sector: paths ending at him are not counted.
    assert (chair["total"], chair["coordinator"], chair["gatekeeper"], chair["representative"]) == (
        32,
        4,
        14,
        14,
    )


def test_fragility_names_the_coordination_group_as_the_most_damaging_cut_point(client: TestClient) -> None:
    result = run(client, "/analysis/affiliations/fragility", top=3, max_listed=5)["result"]
    points = result["articulation_points"]
    assert points["count"] == 20
    assert points["top"][0]["iri"] == GROUP
    assert points["top"][0]["cut_off_count"] == 33
    assert len(points["top"]) == 3 and len(points["top"][0]["cut_off"]) == 5
    assert result["local_bridges"]["count"] >= result["bridges"]["count"]


def test_links_suggest_astrazeneca_and_the_life_science_office_first(client: TestClient) -> None:
    first = run(client, "/analysis/organisations/links", limit=3)["result"]["suggestions"][0]
    assert [p["iri"] for p in first["pair"]] == [
        BASE + "id/org/astrazeneca",
        BASE + "id/org/life-science-office",
    ]
    assert first["score"] == pytest.approx(0.679, abs=5e-4)


def test_assortativity_of_organisations_is_slightly_negative_over_all_ties(client: TestClient) -> None:
    result = run(client, "/analysis/organisations/assortativity")["result"]
    assert result["ties"] == 174
    assert result["assortativity"] == pytest.approx(-0.036, abs=5e-4)
    assert result["sectors"] == sorted(COORDINATION_COUNTS)


def test_communities_echo_their_seed_and_partition_every_organisation(client: TestClient) -> None:
    body = run(client, "/analysis/organisations/communities", seed=7, members=100_000, top=100_000)
    assert body["parameters"]["seed"] == 7
    found = body["result"]
    assert sum(c["size"] for c in found["communities"]) == 154
    assert found["method"] == "louvain" and 0 < found["modularity"] < 1


# --------------------------------------------------------------------------- refusals


def test_an_unknown_graph_or_analysis_is_404_with_the_names_that_exist(client: TestClient) -> None:
    response = client.get("/analysis/friends")
    assert response.status_code == 404
    assert "affiliations, areas, people, organisations" in response.json()["message"]
    response = client.get("/analysis/people/gossip")
    assert response.status_code == 404
    assert (
        "centrality, brokerage, holes, fragility, communities, assortativity, links, coverage"
        in (response.json()["message"])
    )
    assert client.get("/network/friends.graphml").status_code == 404
    assert "graphml, gexf, cyjs, csv" in client.get("/network/people.pdf").json()["message"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("k=0", "k must be at least 1"),
        ("k=ten", "k must be an integer"),
        ("sort=fame", "sort must be one of degree, betweenness, eigenvector, pagerank"),
        ("colour=red", "unknown parameter 'colour'; this analysis takes: k, seed, top, sort"),
        ("top=1&top=2", "parameter 'top' is given more than once"),
    ],
)
def test_a_bad_parameter_is_refused_with_400_before_anything_runs(
    client: TestClient, query: str, message: str
) -> None:
    response = client.get(f"/analysis/people/centrality?{query}")
    assert response.status_code == 400
    assert (
        response.json() == {"error": "bad-input", "message": message} or message in response.json()["message"]
    )


def test_the_resolution_must_be_a_finite_number(client: TestClient) -> None:
    response = client.get("/analysis/people/communities?resolution=nan")
    assert response.status_code == 400
    assert "finite" in response.json()["message"]


# --------------------------------------------------------------------------- explorer data


def test_the_explorer_data_are_cytoscape_elements_with_measures(client: TestClient) -> None:
    response = client.get("/analysis/organisations", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    body = response.json()
    assert (body["graph"], body["nodes"], body["edges"]) == ("organisations", 154, 174)
    nodes = {n["data"]["id"]: n["data"] for n in body["elements"]["nodes"]}
    assert len(nodes) == 154
    assert all(
        e["data"]["source"] in nodes and e["data"]["target"] in nodes for e in body["elements"]["edges"]
    )
    vinnova = nodes[BASE + "id/org/vinnova"]
    assert (vinnova["sector"], vinnova["page"], vinnova["kind"]) == (
        "public",
        "/id/org/vinnova",
        "organisation",
    )
    assert vinnova["degree"] == 19
    assert {s["notation"]: s["colour"] for s in body["sectors"]}["industry"] == "#E69F00"
    assert body["articulation_points"] == sum(1 for n in nodes.values() if n["articulation"] > 0) == 1
    assert len(body["suggested_links"]) == 15
    assert len(body["areas"]) == 8
    assert body["betweenness"]["method"] == "exact"


def test_a_persons_explorer_node_lists_memberships_with_role_labels(client: TestClient) -> None:
    body = run(client, "/analysis/affiliations", k=32, seed=1)
    assert body["parameters"] == {"k": 32, "seed": 1}
    chair = next(n["data"] for n in body["elements"]["nodes"] if n["data"]["id"].endswith("/anders-lonnberg"))
    roles = {m["label"]: m["roles"] for m in chair["memberships"]["listed"]}
    assert roles["Life science coordination group"] == ["Chair"]
    assert chair["memberships"]["count"] == 4


# --------------------------------------------------------------------------- the gap report


def test_gaps_answer_html_to_browsers_json_and_markdown_on_request(client: TestClient) -> None:
    page = client.get("/gaps", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"].split(", ")
    assert 'href="/id/group/life-science-coordination-group"' in page.text
    as_json = client.get("/gaps", headers={"Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/json"
    assert "Accept" in as_json.headers["vary"].split(", ")
    report = as_json.json()
    assert [a["label"] for a in report["areas"]] == AREAS
    group = next(g for g in report["groups"] if g["iri"] == GROUP)
    assert [s["notation"] for s in group["coverage"]["present"]] == sorted(COORDINATION_COUNTS)
    assert group["coverage"]["counts"] == COORDINATION_COUNTS
    markdown = client.get("/gaps", headers={"Accept": "text/markdown"})
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert markdown.text.startswith("# Sector gap report\n")
    assert client.get("/gaps?format=json").json() == report
    assert client.get("/gaps?format=md").text == markdown.text
    refused = client.get("/gaps", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert client.get("/gaps?top=3").status_code == 400


def test_the_gap_dashboard_marks_every_missing_cell(client: TestClient) -> None:
    page = client.get("/gaps", headers={"Accept": "text/html"}).text
    report = client.get("/gaps?format=json").json()
    missing = sum(len(u["coverage"]["missing"]) for u in report["areas"] + report["groups"])
    assert page.count('class="l0"') == missing == 8 * 5 + 2 * 5
    assert page.count('data-count="6"') == 1  # industry in the coordination group


# --------------------------------------------------------------------------- downloads


def test_graphml_and_gexf_downloads_hold_the_graph_with_its_measures(
    client: TestClient, tmp_path: Path
) -> None:
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        response = client.get(f"/network/people.{fmt}")
        assert response.status_code == 200
        assert response.headers["content-disposition"] == f'attachment; filename="lskg-people.{fmt}"'
        path = tmp_path / f"people.{fmt}"
        path.write_bytes(response.content)
        read = reader(path)
        if fmt == "graphml":  # GraphML ids are name tokens (n0, n1, …); the IRI is an attribute
            read = nx.relabel_nodes(read, dict(read.nodes(data="iri")))
        assert read.number_of_nodes() == 22 and read.number_of_edges() == 174
        chair = read.nodes[BASE + "id/person/anders-lonnberg"]
        assert float(chair["degree"]) == 19.0 and "betweenness" in chair and "community" in chair


def test_cyjs_and_csv_downloads(client: TestClient) -> None:
    cyjs = client.get("/network/organisations.cyjs")
    assert cyjs.headers["content-type"] == "application/json"
    assert len(json.loads(cyjs.content)["elements"]["nodes"]) == 154
    csv = client.get("/network/organisations.csv")
    assert csv.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(csv.content)) as archive:
        assert sorted(archive.namelist()) == ["edges.csv", "nodes.csv"]
        nodes = archive.read("nodes.csv").decode().splitlines()
        edges = archive.read("edges.csv").decode().splitlines()
    assert nodes[0].startswith("Label,Type,ID,Tags") and len(nodes) == 155
    assert edges[0].startswith("From,To,Type,Direction,Strength") and len(edges) == 175


# --------------------------------------------------------------------------- pages and assets


def test_the_query_page_opens_a_shared_query_and_the_gallery(client: TestClient) -> None:
    page = client.get("/query", params={"query": "SELECT ?s WHERE { ?s a <x:y> } # <b>"})
    assert page.status_code == 200
    assert "SELECT ?s WHERE { ?s a &lt;x:y&gt; } # &lt;b&gt;</textarea>" in page.text
    assert 'data-name="coordination-group-members"' in page.text
    assert '"autorun": true' in page.text and '"base_iri": "https://w3id.org/lskg/"' in page.text
    assert client.get("/query", params={"name": "no-such-query"}).status_code == 404
    named = client.get("/query", params={"name": "organisation-links", "organisation": "id/org/vinnova"})
    assert '"named": "organisation-links"' in named.text and '"organisation": "id/org/vinnova"' in named.text


def test_the_query_page_is_callable_from_another_route(client: TestClient) -> None:
    from starlette.requests import Request

    from api.routers.pages import query_page

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/sparql",
        "query_string": b"query=ASK%20%7B%7D",
        "headers": [(b"accept", b"text/html")],
        "app": client.app,
        "server": ("testserver", 80),
        "scheme": "http",
        "root_path": "",
    }
    response = query_page(Request(scope))
    assert response.status_code == 200
    assert b"ASK {}</textarea>" in response.body


def test_vendored_files_and_their_licences_are_served_and_nothing_outside(client: TestClient) -> None:
    for path in (
        "/static/vendor/cytoscape/cytoscape.min.js",
        "/static/vendor/cytoscape/LICENSE",
        "/static/vendor/codemirror/sparql.js",
        "/static/vendor/VENDORED.md",
        "/static/app/network.js",
        "/favicon.ico",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get("/static/vendor/..%2F..%2Frouters/pages.py").status_code == 404
    assert client.get("/static/app/..%2Fvendor%2FVENDORED.md").status_code == 404


def test_pages_load_nothing_from_other_hosts(client: TestClient) -> None:
    for path in ("/query", "/network", "/gaps"):
        text = client.get(path, headers={"Accept": "text/html"}).text
        for tag in ('src="http', "src='http", 'href="http://', "@import", "//cdn"):
            assert tag not in text, (path, tag)


# --------------------------------------------------------------------------- concurrency


def test_a_slow_analysis_does_not_block_other_requests(
    real_store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(ctx: analysis.Context, params: dict) -> dict:
        time.sleep(2.0)
        return {"slept": 2.0}

    monkeypatch.setitem(ANALYSES, "slow", Analysis("slow", "sleeps", slow))
    running = serve(web_app(real_store_path))
    try:
        import httpx

        with httpx.Client(base_url=running.url, timeout=30) as http:
            started = time.perf_counter()
            worker = threading.Thread(target=lambda: http.get("/analysis/people/slow"))
            worker.start()
            time.sleep(0.3)
            quick = http.get("/analysis")
            answered = time.perf_counter() - started
            worker.join()
            total = time.perf_counter() - started
        assert quick.status_code == 200
        assert answered < 1.5 < total
    finally:
        running.stop()
