"""The API over a remote store answers like the API over the embedded one, and a remote that
goes away is a clear 503 that heals when the server is back."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.build import build
from kg.config import Settings
from tests.api.conftest import MEMBERS_QUERY, settings_for
from tests.remote.virtuoso import Virtuoso, free_port

pytestmark = pytest.mark.slow
ENTITY = "/id/org/vinnova"


def sparql_rows(client: TestClient) -> list[str]:
    response = client.post(
        "/sparql", data={"query": MEMBERS_QUERY}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return sorted(b["name"]["value"] for b in response.json()["results"]["bindings"])


def test_sparql_an_entity_and_a_named_query_answer_the_same_over_both_stores(
    loaded_virtuoso: Virtuoso, real_store_path: object
) -> None:
    with (
        TestClient(create_app(settings_for(loaded_virtuoso.store_url))) as remote,
        TestClient(create_app(settings_for(real_store_path))) as local,
    ):
        assert sparql_rows(remote) == sparql_rows(local)
        assert len(sparql_rows(remote)) == 19
        for path in (ENTITY, "/queries/office-ministries"):
            a = remote.get(path, headers={"Accept": "application/json"})
            b = local.get(path, headers={"Accept": "application/json"})
            assert (a.status_code, b.status_code) == (200, 200), (path, a.text[:300])
            assert a.json() == b.json() if path != ENTITY else a.json().get("label") == b.json().get("label")


def test_a_closed_port_gives_503_with_a_clear_message_not_a_hang() -> None:
    app = create_app(settings_for(f"sparql+http://127.0.0.1:{free_port()}/sparql"))
    with TestClient(app) as client:
        started = time.monotonic()
        response = client.post("/sparql", data={"query": "ASK {}"})
        assert time.monotonic() - started < 10
    assert response.status_code == 503
    assert "cannot be reached" in response.text


def test_a_killed_remote_gives_503_and_the_service_recovers_when_it_returns(spare_virtuoso: Virtuoso) -> None:
    build(Settings(store=spare_virtuoso.store_url), force=True)
    with TestClient(create_app(settings_for(spare_virtuoso.store_url))) as client:
        assert len(sparql_rows(client)) == 19
        spare_virtuoso.kill()
        time.sleep(2.5)  # past the store's metadata cache
        down = client.post("/sparql", data={"query": MEMBERS_QUERY})
        assert down.status_code == 503
        assert "is the server running" in down.text
        assert client.get(ENTITY, headers={"Accept": "application/json"}).status_code == 503
        spare_virtuoso.start()
        assert len(sparql_rows(client)) == 19
