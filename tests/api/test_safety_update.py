"""The service is read-only unless a token is configured; an accepted update is a new, valid build."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from kg.store import current_build
from tests.api.conftest import settings_for
from tests.conftest import Canary

TOKEN = "correct horse battery staple"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WEB = "https://w3id.org/lskg/graph/web-sources"
VINNOVA = "https://w3id.org/lskg/id/org/vinnova"
ALT_LABEL = "Sveriges innovationsmyndighet"
GOOD_UPDATE = f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
INSERT DATA {{ GRAPH <{WEB}> {{ <{VINNOVA}> skos:altLabel "{ALT_LABEL}"@sv }} }}"""
# A person without a label violates PersonShape.
BAD_UPDATE = f"""INSERT DATA {{ GRAPH <{WEB}> {{
  <https://w3id.org/lskg/id/person/nobody> a <http://xmlns.com/foaf/0.1/Person> }} }}"""
# Updates are applied as a new on-disk build; over a remote store /sparql refuses them
# (503, docs/remote-stores.md).
pytestmark = pytest.mark.embedded_only("updates through /sparql write a new on-disk build")

ALT_LABELS = f"SELECT ?alt WHERE {{ <{VINNOVA}> <http://www.w3.org/2004/02/skos/core#altLabel> ?alt }}"


def alt_labels(client: TestClient) -> set[str]:
    response = client.get("/sparql", params={"query": ALT_LABELS})
    return {b["alt"]["value"] for b in response.json()["results"]["bindings"]}


@pytest.fixture
def make_client(writable_store: Path) -> Callable[..., TestClient]:
    clients: list[TestClient] = []

    def make(**settings: object) -> TestClient:
        app: FastAPI = create_app(settings_for(writable_store, **settings))
        test_client = TestClient(app)
        test_client.__enter__()
        clients.append(test_client)
        return test_client

    yield make  # type: ignore[misc]
    for test_client in clients:
        test_client.__exit__(None, None, None)


def send_update(client: TestClient, update: str, headers: dict[str, str] | None = None, how: str = "body"):  # type: ignore[no-untyped-def]
    if how == "body":
        return client.post(
            "/update",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update", **(headers or {})},
        )
    if how == "sparql-form":
        return client.post("/sparql", data={"update": update}, headers=headers or {})
    return client.post(
        "/sparql",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", **(headers or {})},
    )


@pytest.mark.parametrize("how", ["body", "sparql-form", "sparql-body"])
def test_without_a_configured_token_updates_are_disabled(
    make_client: Callable[..., TestClient], writable_store: Path, how: str
) -> None:
    client = make_client()
    before = current_build(writable_store)
    response = send_update(client, GOOD_UPDATE, AUTH, how)
    assert response.status_code == 403
    assert response.json()["message"].startswith("updates are disabled")
    assert current_build(writable_store) == before


@pytest.mark.parametrize("how", ["body", "sparql-form", "sparql-body"])
def test_an_update_without_the_token_is_401_and_with_a_wrong_one_403(
    make_client: Callable[..., TestClient], writable_store: Path, how: str
) -> None:
    client = make_client(update_token=TOKEN)
    before = current_build(writable_store)
    missing = send_update(client, GOOD_UPDATE, None, how)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="lskg"'
    wrong = send_update(client, GOOD_UPDATE, {"Authorization": "Bearer guess"}, how)
    assert wrong.status_code == 403
    assert current_build(writable_store) == before
    assert ALT_LABEL not in alt_labels(client)


def test_an_update_is_never_accepted_on_get(make_client: Callable[..., TestClient]) -> None:
    client = make_client(update_token=TOKEN)
    response = client.get("/sparql", params={"update": GOOD_UPDATE}, headers=AUTH)
    assert response.status_code == 400


@pytest.mark.slow
def test_a_valid_update_with_the_token_becomes_a_new_build(
    make_client: Callable[..., TestClient], writable_store: Path
) -> None:
    client = make_client(update_token=TOKEN)
    before = current_build(writable_store)
    assert before is not None
    files_before = sorted(p.name for p in (before / "oxigraph").iterdir())
    response = send_update(client, GOOD_UPDATE, AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["changed"] is True
    after = current_build(writable_store)
    assert after is not None and after != before
    manifest = json.loads((after / "manifest.json").read_text())
    assert manifest["version"] == response.json()["version"]
    assert manifest["derived_from"] == json.loads((before / "manifest.json").read_text())["version"]
    # The old build is untouched and stays as the previous one.
    assert sorted(p.name for p in (before / "oxigraph").iterdir()) == files_before
    assert ALT_LABEL in alt_labels(client)
    # The default graph (union of the named graphs) carries the new fact too.
    graphs = client.get(
        "/sparql",
        params={"query": f'SELECT ?g WHERE {{ GRAPH ?g {{ <{VINNOVA}> ?p "{ALT_LABEL}"@sv }} }}'},
    ).json()
    assert [b["g"]["value"] for b in graphs["results"]["bindings"]] == [WEB]


@pytest.mark.parametrize("how", ["body", "sparql-form", "sparql-body"])
def test_an_update_that_changes_nothing_keeps_the_build(
    make_client: Callable[..., TestClient], writable_store: Path, how: str
) -> None:
    client = make_client(update_token=TOKEN)
    build = current_build(writable_store)
    noop = f'DELETE DATA {{ GRAPH <{WEB}> {{ <{VINNOVA}> <http://www.w3.org/2004/02/skos/core#altLabel> "never there" }} }}'
    response = send_update(client, noop, AUTH, how)
    assert response.status_code == 200, response.text
    assert response.json()["changed"] is False
    assert current_build(writable_store) == build


@pytest.mark.slow
def test_an_update_that_violates_the_shapes_is_422_and_changes_nothing(
    make_client: Callable[..., TestClient], writable_store: Path
) -> None:
    client = make_client(update_token=TOKEN)
    before = current_build(writable_store)
    response = send_update(client, BAD_UPDATE, AUTH)
    assert response.status_code == 422
    report = response.json()["report"]
    assert report["conforms"] is False
    assert any(
        r["focus"] == "https://w3id.org/lskg/id/person/nobody" and r["severity"] == "Violation"
        for r in report["results"]
    )
    assert current_build(writable_store) == before
    ask = client.get("/sparql", params={"query": "ASK { <https://w3id.org/lskg/id/person/nobody> ?p ?o }"})
    assert ask.json()["boolean"] is False


def test_an_update_of_the_derived_default_graph_is_refused(
    make_client: Callable[..., TestClient], writable_store: Path
) -> None:
    client = make_client(update_token=TOKEN)
    before = current_build(writable_store)
    response = send_update(
        client, f'INSERT DATA {{ <{VINNOVA}> <http://www.w3.org/2004/02/skos/core#altLabel> "x" }}', AUTH
    )
    assert response.status_code == 400
    assert "default graph" in response.json()["message"]
    assert current_build(writable_store) == before


def test_an_update_with_a_syntax_error_is_400(make_client: Callable[..., TestClient]) -> None:
    client = make_client(update_token=TOKEN)
    response = send_update(client, "INSERT DATA { <a> }", AUTH)
    assert response.status_code == 400
    assert response.json()["error"] == "query-syntax"


def test_load_is_refused_even_with_the_token(
    make_client: Callable[..., TestClient], writable_store: Path, canary: Canary
) -> None:
    client = make_client(update_token=TOKEN)
    before = current_build(writable_store)
    response = send_update(client, f"LOAD <{canary.url}data.ttl> INTO GRAPH <{WEB}>", AUTH)
    assert response.status_code == 400
    assert response.json()["error"] == "query-refused"
    assert canary.requests == []
    assert current_build(writable_store) == before


def test_service_description_lists_update_only_when_a_token_is_configured(
    make_client: Callable[..., TestClient],
) -> None:
    text = make_client(update_token=TOKEN).get("/sparql", headers={"Accept": "application/n-triples"}).text
    assert "<http://www.w3.org/ns/sparql-service-description#SPARQL11Update>" in text
