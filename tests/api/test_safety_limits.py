"""Limits: query time, result size, request body, request rate; and CORS without credentials."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from kg.store import OxigraphStore
from tests.api.conftest import MEMBERS_QUERY, LiveServer, settings_for

# Three independent scans of everything: about 10^11 solutions on the real graph.
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def member_count(body: bytes) -> int:
    return len(json.loads(body)["results"]["bindings"])


@pytest.mark.slow
def test_a_slow_query_is_stopped_while_twenty_simple_ones_are_answered(
    built_store_path: Path, serve: Callable[[FastAPI], LiveServer]
) -> None:
    timeout = 3.0
    url = serve(create_app(settings_for(built_store_path, query_timeout=timeout, query_workers=2)))
    finished: dict[str, float] = {}
    results: dict[str, httpx.Response] = {}
    started = time.monotonic()

    def ask(name: str, query: str) -> None:
        with httpx.Client(timeout=30) as http:
            results[name] = http.get(f"{url}/sparql", params={"query": query})
        finished[name] = time.monotonic() - started

    slow = threading.Thread(target=ask, args=("slow", SLOW_QUERY))
    slow.start()
    time.sleep(0.3)  # let the slow query take its worker
    # Each text differs (a comment), so that none is answered from the result cache.
    simple = [threading.Thread(target=ask, args=(f"q{i}", f"{MEMBERS_QUERY}\n# {i}")) for i in range(20)]
    for thread in simple:
        thread.start()
    for thread in [*simple, slow]:
        thread.join(timeout=60)

    assert results["slow"].status_code == 503
    assert results["slow"].json()["error"] == "query-timeout"
    assert "ran for more than 3 s and was stopped" in results["slow"].json()["message"]
    assert results["slow"].headers["retry-after"] == "5"
    assert finished["slow"] >= timeout
    for i in range(20):
        response = results[f"q{i}"]
        assert response.status_code == 200
        assert response.headers["x-lskg-cache"] == "miss"
        assert member_count(response.content) == 19
        assert finished[f"q{i}"] < finished["slow"]
    # The killed worker was replaced: the service answers as before.
    with httpx.Client(timeout=30) as http:
        after = http.get(f"{url}/sparql", params={"query": MEMBERS_QUERY})
    assert after.status_code == 200 and member_count(after.content) == 19


def test_in_process_mode_answers_503_on_time_too() -> None:
    # 200 triples: the slow query takes a few seconds and then ends (a thread cannot be stopped,
    # so in-process mode must not be given a query that never ends).
    import pyoxigraph as ox

    quads = [
        ox.Quad(
            ox.NamedNode(f"http://example.org/{i}"),
            ox.NamedNode("http://example.org/p"),
            ox.Literal(str(i)),
            ox.NamedNode("http://example.org/g"),
        )
        for i in range(200)
    ]
    app = create_app(settings_for("unused", query_timeout=0.5), store=OxigraphStore.from_quads(quads))
    with TestClient(app) as client:
        started = time.monotonic()
        response = client.get("/sparql", params={"query": SLOW_QUERY})
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert response.json()["error"] == "query-timeout"
        assert 0.5 <= elapsed < 2
        count = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        assert count.json()["results"]["bindings"][0]["n"]["value"] == "200"


@pytest.fixture(scope="module")
def small_limits(built_store_path: Path) -> TestClient:
    app = create_app(settings_for(built_store_path, max_result_rows=5, max_result_bytes=100_000))
    with TestClient(app) as client:
        yield client  # type: ignore[misc]


def test_rows_over_the_limit_are_cut_and_flagged_in_header_and_json(small_limits: TestClient) -> None:
    response = small_limits.get("/sparql", params={"query": MEMBERS_QUERY})
    assert response.status_code == 200
    assert response.headers["x-lskg-truncated"] == "true"
    assert response.headers["x-lskg-rows"] == "5"
    data = json.loads(response.content)  # still valid JSON
    assert data["truncated"] is True
    assert [b["name"]["value"] for b in data["results"]["bindings"]][:1] == ["Anders Blanck"]
    assert len(data["results"]["bindings"]) == 5


def test_truncated_csv_is_flagged_by_the_header(small_limits: TestClient) -> None:
    response = small_limits.get("/sparql", params={"query": MEMBERS_QUERY, "format": "csv"})
    assert response.headers["x-lskg-truncated"] == "true"
    assert response.text.splitlines() == [
        "name",
        "Anders Blanck",
        "Anders Henriksson",
        "Anders Lönnberg",
        "Ann-Sofie Lodin",
        "Anna Lefevre Skjöldebrand",
    ]


def test_a_result_under_the_limit_is_not_flagged(small_limits: TestClient) -> None:
    response = small_limits.get("/sparql", params={"query": "ASK {}"})
    assert response.headers["x-lskg-truncated"] == "false"
    assert "truncated" not in response.json()


def test_constructed_triples_over_the_limit_are_cut(small_limits: TestClient) -> None:
    response = small_limits.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert response.headers["x-lskg-truncated"] == "true"
    assert len(response.text.splitlines()) == 5


def test_bytes_over_the_limit_are_cut_and_flagged(built_store_path: Path) -> None:
    app = create_app(settings_for(built_store_path, max_result_bytes=600))
    with TestClient(app) as client:
        response = client.get("/sparql", params={"query": MEMBERS_QUERY})
    assert response.headers["x-lskg-truncated"] == "true"
    assert len(response.content) <= 600
    data = json.loads(response.content)
    assert data["truncated"] is True and 0 < len(data["results"]["bindings"]) < 19


@pytest.fixture(scope="module")
def small_body_server(built_store_path: Path) -> LiveServer:
    from tests.api.conftest import start_server, stop_server

    url, running = start_server(create_app(settings_for(built_store_path, max_body_bytes=1_000)))
    yield url  # type: ignore[misc]
    stop_server(running)


def test_a_body_over_the_limit_is_413(small_body_server: LiveServer) -> None:
    query = MEMBERS_QUERY + "\n#" + "x" * 2_000
    response = httpx.post(f"{small_body_server}/sparql", data={"query": query})
    assert response.status_code == 413
    assert response.json()["error"] == "payload-too-large"


def test_a_body_under_the_limit_is_answered(small_body_server: LiveServer) -> None:
    response = httpx.post(f"{small_body_server}/sparql", data={"query": MEMBERS_QUERY})
    assert response.status_code == 200


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(
    small_body_server: LiveServer,
) -> None:
    host, port = small_body_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 50000000\r\n\r\n"
        )
        # No body is sent: the answer can only come from the headers.
        answer = sock.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 413")


def test_a_chunked_body_over_the_limit_is_413(small_body_server: LiveServer) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"#" + b"x" * 299 + b"\n"

    response = httpx.post(
        f"{small_body_server}/sparql",
        content=chunks(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 413


def test_a_client_over_its_rate_is_429_with_retry_after(built_store_path: Path) -> None:
    # One token every 10 s: requests that take a while (a remote store) earn none back.
    app = create_app(settings_for(built_store_path, rate_limit_per_minute=6, rate_limit_burst=3))
    with (
        TestClient(app, client=("192.0.2.1", 50000)) as first,
        TestClient(app, client=("192.0.2.2", 50000)) as second,
    ):
        codes = [first.get("/sparql", params={"query": "ASK {}"}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = first.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 10  # seconds until the next token
        assert refused.json()["error"] == "rate-limited"
        assert refused.headers["access-control-allow-origin"] == "*"
        # Another address has its own bucket.
        assert second.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_cors_preflight_allows_any_origin_without_credentials(client: TestClient) -> None:
    response = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in response.headers


def test_cors_simple_request_allows_any_origin_even_with_cookies(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": "ASK {}"},
        headers={"Origin": "https://evil.example", "Cookie": "session=1"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers.get("access-control-allow-credentials") != "true"
    assert "x-lskg-truncated" in response.headers["access-control-expose-headers"].lower()
