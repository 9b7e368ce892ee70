"""A named query whose result is cut at the row limit still answers 200 with the rows it kept."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import settings_for


def test_a_named_query_cut_at_the_row_limit_answers_its_first_rows(built_store_path: Path | str) -> None:
    with TestClient(create_app(settings_for(built_store_path, max_result_rows=2))) as client:
        response = client.get(
            "/queries/collaboration-areas", headers={"Accept": "application/sparql-results+json"}
        )
        html = client.get("/queries/collaboration-areas", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["x-lskg-truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == 2
    assert html.status_code == 200
