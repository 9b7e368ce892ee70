"""Resource pages are cached per store version, with ETag and Last-Modified validators.

The stores here are tiny builds written with :func:`kg.build.write_build`, so that a test can
swap in a new version and see the new content served.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.middleware import CachedResponse, ResponseCache
from kg.build import write_build
from kg.validate import ValidationReport
from tests.api.conftest import settings_for

BASE = "https://w3id.org/lskg/"
ALPHA = BASE + "id/org/alpha"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
GRAPH = ox.NamedNode(BASE + "graph/test")
HTML = {"Accept": "text/html"}
TURTLE = {"Accept": "text/turtle"}


def build(store: Path, label: str) -> None:
    """Write a build of one organisation called ``label`` and point ``store`` at it."""
    quads = [
        ox.Quad(ox.NamedNode(ALPHA), LABEL, ox.Literal(label, language="en"), GRAPH),
        ox.Quad(
            ox.NamedNode(ALPHA),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("https://w3id.org/lskg/ontology#University"),
            GRAPH,
        ),
    ]
    write_build(store, quads, f"version-{label}", ValidationReport())


@pytest.fixture
def tiny(tmp_path: Path) -> Iterator[tuple[Path, TestClient]]:
    """A store of its own (to swap builds in) and a client of an app over it."""
    store = tmp_path / "store"
    build(store, "Alpha University")
    with TestClient(create_app(settings_for(store, base_iri=BASE))) as client:
        yield store, client


def test_a_resource_page_carries_an_etag_and_the_build_time(tiny: tuple[Path, TestClient]) -> None:
    _, client = tiny
    response = client.get("/id/org/alpha", headers=HTML)
    assert response.status_code == 200
    assert "Alpha University" in response.text
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"].endswith("GMT")
    assert response.headers["x-lskg-cache"] == "miss"


def test_the_second_request_is_served_from_the_cache_with_the_same_body(
    tiny: tuple[Path, TestClient],
) -> None:
    _, client = tiny
    first = client.get("/id/org/alpha", headers=HTML)
    second = client.get("/id/org/alpha", headers=HTML)
    assert second.headers["x-lskg-cache"] == "hit"
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.headers["vary"] == first.headers["vary"]


def test_a_matching_if_none_match_is_answered_304_without_a_body(tiny: tuple[Path, TestClient]) -> None:
    _, client = tiny
    etag = client.get("/id/org/alpha", headers=HTML).headers["etag"]
    response = client.get("/id/org/alpha", headers={**HTML, "If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    other = client.get("/id/org/alpha", headers={**HTML, "If-None-Match": '"something-else"'})
    assert other.status_code == 200 and "Alpha University" in other.text


def test_an_if_modified_since_after_the_build_is_answered_304(tiny: tuple[Path, TestClient]) -> None:
    _, client = tiny
    modified = client.get("/id/org/alpha", headers=HTML).headers["last-modified"]
    response = client.get("/id/org/alpha", headers={**HTML, "If-Modified-Since": modified})
    assert response.status_code == 304
    older = client.get(
        "/id/org/alpha", headers={**HTML, "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert older.status_code == 200


def test_each_representation_has_its_own_etag_and_body(tiny: tuple[Path, TestClient]) -> None:
    _, client = tiny
    page = client.get("/id/org/alpha", headers=HTML)
    turtle = client.get("/id/org/alpha", headers=TURTLE)
    turtle_again = client.get("/id/org/alpha", headers=TURTLE)
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert turtle_again.headers["x-lskg-cache"] == "hit"
    assert turtle_again.headers["content-type"].startswith("text/turtle")
    assert "Alpha University" in turtle_again.text and "<html" not in turtle_again.text
    assert page.headers["etag"] != turtle.headers["etag"]
    stale = client.get("/id/org/alpha", headers={**TURTLE, "If-None-Match": page.headers["etag"]})
    assert stale.status_code == 200


def test_a_new_build_is_served_at_once_with_a_new_etag(tiny: tuple[Path, TestClient]) -> None:
    store, client = tiny
    before = client.get("/id/org/alpha", headers=HTML)
    assert client.get("/id/org/alpha", headers=HTML).headers["x-lskg-cache"] == "hit"
    build(store, "Beta Institute")
    after = client.get("/id/org/alpha", headers=HTML)
    assert after.headers["x-lskg-cache"] == "miss"
    assert "Beta Institute" in after.text and "Alpha University" not in after.text
    assert after.headers["etag"] != before.headers["etag"]
    revalidated = client.get("/id/org/alpha", headers={**HTML, "If-None-Match": before.headers["etag"]})
    assert revalidated.status_code == 200 and "Beta Institute" in revalidated.text


def test_a_missing_resource_is_not_cached_and_gets_no_validators(tiny: tuple[Path, TestClient]) -> None:
    _, client = tiny
    for _ in range(2):
        response = client.get("/id/org/nobody", headers=HTML)
        assert response.status_code == 404
        assert "etag" not in response.headers
        assert "x-lskg-cache" not in response.headers
    star = client.get("/id/org/nobody", headers={**HTML, "If-None-Match": "*"})
    assert star.status_code == 404


def test_head_is_answered_from_the_cache_without_a_body(tiny: tuple[Path, TestClient]) -> None:
    _, client = tiny
    page = client.get("/id/org/alpha", headers=HTML)
    head = client.head("/id/org/alpha", headers=HTML)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == page.headers["etag"]
    assert head.headers["content-length"] == str(len(page.content))


def test_paths_outside_the_resource_pages_are_not_cached(tiny: tuple[Path, TestClient]) -> None:
    _, client = tiny
    response = client.get("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 200
    assert response.headers.get("x-lskg-cache") != "hit"
    assert "etag" not in response.headers


def test_the_cache_drops_the_old_version_when_a_new_one_is_asked_for() -> None:
    cache = ResponseCache(max_bytes=16_000)
    cache.put("v1", "a", CachedResponse(200, (), b"old"))
    assert cache.get("v2", "a") is None
    assert cache.get("v1", "a") is None
    assert len(cache) == 0


def test_the_cache_lets_the_least_recently_used_pages_go_first() -> None:
    cache = ResponseCache(max_bytes=1600)
    for n in range(16):
        cache.put("v1", f"k{n:02}", CachedResponse(200, (), b"x" * 96))
    assert cache.get("v1", "k00") is not None  # now the most recently used
    cache.put("v1", "k16", CachedResponse(200, (), b"x" * 96))
    assert cache.get("v1", "k01") is None
    assert cache.get("v1", "k00") is not None and cache.get("v1", "k16") is not None


def test_a_page_larger_than_a_sixteenth_of_the_cache_is_not_kept() -> None:
    cache = ResponseCache(max_bytes=1600)
    cache.put("v1", "big", CachedResponse(200, (), b"x" * 101))
    assert cache.get("v1", "big") is None
