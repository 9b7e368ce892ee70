"""The endpoint never sends a request to another host: SERVICE, LOAD and foreign FROM are refused.

A canary HTTP server on 127.0.0.1 stands in for "another host"; every test that sends it a
query checks that it received nothing. The control test shows that Oxigraph on its own *does*
call the canary, so the refusals, not an accident of the setup, keep it silent.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg.errors import QueryRefused
from kg.sparql_safety import check_update, scan_query
from tests.conftest import Canary

# Each names the canary as {url}; all must be refused with 400 and reach nothing.
REFUSED_QUERIES = {
    "plain": "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "lowercase": "select * where { service <{url}> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }",
    "variable": "SELECT * WHERE { BIND(<{url}> AS ?svc) SERVICE ?svc { ?s ?p ?o } }",
    "no space before the iri": "SELECT * WHERE { SERVICE<{url}>{ ?s ?p ?o } }",
    "glued to a prefixed name": "PREFIX c: <{url}> SELECT * WHERE { SERVICEc:x { ?s ?p ?o } }",
    "glued to an empty prefix": "PREFIX : <{url}> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "after a comment": "SELECT * WHERE { SERVICE # look away\n <{url}> { ?s ?p ?o } }",
    "inside EXISTS": "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }",
    "after a less-than read as an iri": "SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<2)SERVICE#>\n<{url}>{ ?s ?p ?o } }",
    "after a quote inside an iri": "SELECT * WHERE { BIND(1 AS ?a) FILTER(?a<'x>') SERVICE <{url}> { ?s ?p ?o } }",
    "from": "SELECT * FROM <{url}> WHERE { ?s ?p ?o }",
    "from named": "SELECT * FROM NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "from with a prefix glued on": "PREFIX c: <{url}> SELECT * FROMc:g WHERE { ?s ?p ?o }",
}

# Each mentions SERVICE, LOAD or FROM without being one: all must be answered.
HARMLESS_QUERIES = {
    "in a string": 'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/> { }" AS ?x) }',
    "in a long string": "SELECT ?x WHERE { BIND('''LOAD <http://127.0.0.1:9/>\nFROM x''' AS ?x) }",
    "in a comment": "SELECT ?x WHERE { # SERVICE <http://127.0.0.1:9/>\n BIND(1 AS ?x) }",
    "in an iri": "SELECT ?x WHERE { BIND(<http://example.org/SERVICE/load#from> AS ?x) }",
    "as variables": "SELECT ?service ?load ?from WHERE { BIND(1 AS ?service) BIND(2 AS ?load) BIND(3 AS ?from) }",
    "as prefixed names": "PREFIX ex: <http://example.org/> SELECT ?x WHERE { BIND(ex:service AS ?x) }",
    "comparisons": "SELECT ?x WHERE { BIND(1 AS ?x) FILTER(?x < 2 && ?x > 0) }",
}


def test_the_canary_is_reachable_and_oxigraph_alone_would_call_it(canary: Canary) -> None:
    with pytest.raises((OSError, RuntimeError)):  # the canary answers Turtle, not SPARQL results
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"))
    assert canary.requests == ["POST /"]


@pytest.mark.parametrize("name", list(REFUSED_QUERIES))
def test_outbound_query_is_refused_and_reaches_nothing(client: TestClient, canary: Canary, name: str) -> None:
    query = REFUSED_QUERIES[name].replace("{url}", canary.url)
    for response in (
        client.get("/sparql", params={"query": query}),
        client.post("/sparql", data={"query": query}),
        client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}),
    ):
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["error"] == "query-refused"
        assert any(word in body["message"] for word in ("SERVICE", "FROM", "LOAD"))
    assert canary.requests == []


@pytest.mark.parametrize("name", list(HARMLESS_QUERIES))
def test_keywords_in_strings_comments_iris_and_names_are_not_refused(client: TestClient, name: str) -> None:
    response = client.get("/sparql", params={"query": HARMLESS_QUERIES[name]})
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) == 1


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameter_naming_another_host_is_refused(
    client: TestClient, canary: Canary, param: str
) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", param: canary.url}
    )
    assert response.status_code == 400
    assert response.json()["message"] == (
        f"{param} <{canary.url}> names no graph in this store; this endpoint never fetches data from other hosts"
    )
    assert canary.requests == []


def test_refusal_message_says_where_the_keyword_is() -> None:
    with pytest.raises(QueryRefused, match=r"SERVICE is not allowed.*\(at line 2, column 3\)"):
        scan_query("SELECT * WHERE {\n  SERVICE <http://example.org/> { ?s ?p ?o } }")


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <{url}>",
        "load silent <{url}> into graph <https://w3id.org/lskg/graph/x>",
        "PREFIX c: <{url}> LOADc:x",
        "INSERT { GRAPH <https://w3id.org/lskg/graph/x> { ?s ?p ?o } } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    ],
)
def test_outbound_update_is_refused_before_it_runs(update: str, canary: Canary) -> None:
    with pytest.raises(QueryRefused):
        check_update(update.replace("{url}", canary.url))
    assert canary.requests == []


def test_the_scanner_gives_up_and_refuses_when_its_work_budget_runs_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every '<...>' is lexed twice (IRI and less-than); the total work is bounded, and a query
    # that exhausts the bound is refused rather than run unchecked.
    monkeypatch.setattr("kg.sparql_safety._MAX_WORK", 0)
    monkeypatch.setattr("kg.sparql_safety._MIN_WORK", 5)
    with pytest.raises(QueryRefused, match="too convoluted"):
        scan_query("SELECT * WHERE { ?s <http://example.org/a/long/iri> ?o }")
