"""Known-nasty inputs, each with the clear answer the service owes it.

Oversized bodies (413), deeply nested queries, requests to other services (SERVICE, LOAD),
a billion-laughs RDF/XML document, invalid UTF-8 in a query body and in a data file.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.build import parse_rdf_file
from kg.errors import InputError
from kg.store import current_build, open_store
from tests.api.conftest import settings_for
from tests.conftest import Canary

QUERY_TYPE = {"Content-Type": "application/sparql-query"}
TOKEN = "nasty-inputs-token"
PING = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def client(real_store_path: Path) -> Iterator[TestClient]:
    """The API over the real graph with the default limits (1 MB bodies), no rate limit."""
    with TestClient(create_app(settings_for(real_store_path))) as test_client:
        yield test_client


@pytest.fixture
def writable_store(real_store_path: Path, tmp_path: Path) -> Path:
    """A store link of its own, over a copy of the real build."""
    build = current_build(real_store_path)
    assert build is not None
    shutil.copytree(build, tmp_path / "store.builds" / build.name)
    link = tmp_path / "store"
    link.symlink_to(Path("store.builds") / build.name)
    return link


def answers_normally(client: TestClient) -> bool:
    response = client.get("/sparql", params={"query": PING}, headers={"Accept": "application/json"})
    return response.status_code == 200 and int(response.json()["results"]["bindings"][0]["n"]["value"]) > 1000


# --------------------------------------------------------------------------- request bodies


def test_a_ten_megabyte_literal_in_a_posted_query_is_413(client: TestClient) -> None:
    query = 'SELECT * WHERE { ?s ?p "' + "a" * 10_000_000 + '" }'
    response = client.post("/sparql", content=query, headers=QUERY_TYPE)
    assert response.status_code == 413
    assert response.json()["error"] == "payload-too-large"
    assert answers_normally(client)


def test_an_oversized_form_body_is_413(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": PING, "padding": "x" * 2_000_000})
    assert response.status_code == 413
    assert "larger than the limit" in response.json()["message"]


def test_invalid_utf8_in_a_query_body_is_400_naming_the_byte(client: TestClient) -> None:
    response = client.post("/sparql", content=b'SELECT * WHERE { ?s ?p "\xff\xfe" }', headers=QUERY_TYPE)
    assert response.status_code == 400
    assert response.json()["message"] == "the request body is not UTF-8 (byte 24)"


def test_invalid_utf8_in_a_form_body_is_400(client: TestClient) -> None:
    body = b'query=SELECT * WHERE { ?s ?p "\xff" }'
    response = client.post(
        "/sparql", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    assert "not UTF-8" in response.json()["message"]


# --------------------------------------------------------------------------- deep nesting


def test_five_thousand_nested_groups_fail_fast_without_500_and_the_service_recovers(
    client: TestClient,
) -> None:
    query = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    started = time.perf_counter()
    response = client.post("/sparql", content=query, headers=QUERY_TYPE)
    elapsed = time.perf_counter() - started
    # The scanner refuses deep nesting before Oxigraph's recursive parser could overflow.
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"] == "query-syntax"
    assert elapsed < 10
    assert answers_normally(client)


def test_five_thousand_nested_groups_are_refused_with_400(client: TestClient) -> None:
    query = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    response = client.post("/sparql", content=query, headers=QUERY_TYPE)
    assert response.status_code == 400


# --------------------------------------------------------------------------- outbound requests


def test_service_to_a_local_canary_is_400_and_the_canary_hears_nothing(
    client: TestClient, canary: Canary
) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"
    for send in (
        lambda: client.get("/sparql", params={"query": query}),
        lambda: client.post("/sparql", data={"query": query}),
        lambda: client.post("/sparql", content=query, headers=QUERY_TYPE),
    ):
        response = send()
        assert response.status_code == 400
        assert response.json()["error"] == "query-refused"
        assert "SERVICE is not allowed" in response.json()["message"]
    time.sleep(0.2)
    assert canary.requests == []


def test_service_to_a_local_file_is_400(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "SERVICE is not allowed" in response.json()["message"]


@pytest.mark.embedded_only("updates with a token apply to an on-disk build")
def test_load_of_a_local_file_with_a_valid_token_is_400_and_the_store_is_unchanged(
    writable_store: Path,
) -> None:
    before_build = current_build(writable_store)
    before = _nquads(writable_store)
    app = create_app(settings_for(writable_store, update_token=TOKEN))
    with TestClient(app) as client:
        response = client.post(
            "/update",
            content="LOAD <file:///etc/passwd> INTO GRAPH <https://w3id.org/lskg/graph/passwd>",
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        )
    assert response.status_code == 400
    assert "LOAD is not allowed" in response.json()["message"]
    assert current_build(writable_store) == before_build
    assert _nquads(writable_store) == before


def _nquads(store_link: Path) -> list[str]:
    """The store's quads as sorted N-Quads lines (order-free, so two dumps compare as sets)."""
    output = io.BytesIO()
    open_store(store_link).dump(output, ox.RdfFormat.N_QUADS)
    return sorted(output.getvalue().decode("utf-8").splitlines())


# --------------------------------------------------------------------------- data files


def _billion_laughs(levels: int = 9) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    ]
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ {" ".join(entities)} ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/s"><ex:p>&lol{levels};</ex:p></rdf:Description>
</rdf:RDF>
"""


# Run in a child with its address space capped at 1 GB: the expanded document is 3 GB, so a parser
# that expanded it would die here instead of taking the test machine's memory.
_BOUNDED_PARSE = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1_000_000_000, 1_000_000_000))
from pathlib import Path
from kg.build import parse_rdf_file
from kg.errors import InputError
started = time.perf_counter()
try:
    quads = parse_rdf_file(Path(sys.argv[1]))
    print("PARSED", len(quads), max((len(q.object.value) for q in quads), default=0))
except InputError as exc:
    print("INPUT-ERROR", exc)
print("SECONDS", time.perf_counter() - started)
print("MAXRSS-KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.parametrize("suffix", [".rdf", ".ttl", ".jsonld"])
def test_a_billion_laughs_document_is_an_input_error_in_bounded_time_and_memory(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"laughs{suffix}"
    path.write_text(_billion_laughs(), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _BOUNDED_PARSE, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert "INPUT-ERROR" in lines, done.stdout
    assert str(path) in lines["INPUT-ERROR"]
    assert float(lines["SECONDS"]) < 10
    assert int(lines["MAXRSS-KB"]) < 500_000


def test_invalid_utf8_in_a_data_file_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_bytes(b'<http://e/s> <http://e/p> "caf\xe9" .\n')
    with pytest.raises(InputError) as caught:
        parse_rdf_file(path)
    assert str(path) in str(caught.value)
