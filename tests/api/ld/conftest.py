"""Fixtures of the linked-data, dumps, named-query and JSON API tests.

The shared ``client`` (tests/api/conftest.py) serves the real graph. Tests that need an app
of their own (a fixture query catalogue, another base IRI) build it here, so the shared app
is never reconfigured.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routers.queries import get_catalogue
from api.settings import ApiSettings
from kg.build import build
from kg.catalogue import load_catalogue
from kg.config import Settings

OTHER_BASE = "http://data.example.org/kg/"

# A tiny catalogue: one parameterised SELECT, one CONSTRUCT, one ASK.
FIXTURE_QUERIES = {
    "org-labels.rq": """#+ summary: Labels of an organisation
#+ description: Every label of the given organisation, by language.
#+ tags: [fixture]
#+ params:
#+   - name: org
#+     type: iri
#+     description: The organisation.
#+     default: id/org/vinnova
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?org ?label (LANG(?label) AS ?lang) WHERE { ?org rdfs:label ?label } ORDER BY ?lang
""",
    "org-sector.rq": """#+ summary: An organisation and its sector, as a graph
#+ tags: [fixture]
#+ params:
#+   - name: org
#+     type: iri
#+     required: true
PREFIX lskg: <https://w3id.org/lskg/ontology#>
CONSTRUCT { ?org lskg:sector ?sector } WHERE { ?org lskg:sector ?sector }
""",
    "has-name.rq": """#+ summary: Is anyone called this?
#+ params:
#+   - name: name
#+     type: string
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
ASK { ?person foaf:name ?name }
""",
}


def api_settings(store: Path | str, **overrides: object) -> ApiSettings:
    """Settings over ``store`` without access log or rate limit."""
    values: dict[str, object] = {
        "store": str(store),
        "access_log": False,
        "rate_limit_per_minute": 1_000_000,
        "rate_limit_burst": 100_000,
        **overrides,
    }
    return ApiSettings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def fixture_catalogue_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A queries folder holding :data:`FIXTURE_QUERIES`."""
    folder = tmp_path_factory.mktemp("queries")
    for name, text in FIXTURE_QUERIES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def fixture_client(built_store_path: Path, fixture_catalogue_dir: Path) -> Iterator[TestClient]:
    """A client of an app over the real graph whose named queries are the fixture catalogue."""
    app = create_app(api_settings(built_store_path))
    app.dependency_overrides[get_catalogue] = lambda: load_catalogue(fixture_catalogue_dir)
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="session")
def other_base_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of an app whose graph was built with the base IRI :data:`OTHER_BASE`."""
    store = tmp_path_factory.mktemp("other-base") / "store"
    build(Settings(store=str(store), base_iri=OTHER_BASE), force=True)
    with TestClient(create_app(api_settings(store, base_iri=OTHER_BASE))) as client:
        yield client
