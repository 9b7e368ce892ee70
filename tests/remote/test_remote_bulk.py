"""``lskg import FILE.nt`` into a remote store: streamed in chunks into a staging graph,
validated, moved into place; nothing changes on a syntax error or a violation.

One Virtuoso server of this module's own (the session's shared one must not gain graphs),
loaded with the real graph by ``lskg build``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.build import build
from kg.config import Settings
from kg.errors import InputError, ValidationFailed
from kg.importers.rdfdump import import_dump
from kg.remote import RemoteSparqlStore
from tests.importers.test_rdf_dump import ORG, REGISTRY, write_nt
from tests.remote.virtuoso import INSTALL_HINT, Virtuoso, start_virtuoso

pytestmark = pytest.mark.slow

BASE = "https://w3id.org/lskg/"
GRAPH = BASE + "graph/dump-registry"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    if shutil.which("virtuoso-t") is None:
        pytest.fail(INSTALL_HINT)
    started = start_virtuoso(tmp_path_factory.mktemp("virtuoso-bulk"))
    build(Settings(store=started.store_url), force=True)
    yield started
    started.stop()


@pytest.fixture
def settings(server: Virtuoso) -> Settings:
    return Settings(store=server.store_url)


def store_of(settings: Settings) -> RemoteSparqlStore:
    store = RemoteSparqlStore.from_settings(settings)
    store.cache_seconds = 0
    return store


def graph_lines(settings: Settings, graph: str = GRAPH) -> set[str]:
    return {f"{q.triple} ." for q in store_of(settings).quads(graph)}


def in_union(settings: Settings, line: str) -> bool:
    return bool(store_of(settings).query(f"ASK {{ {line.removesuffix(' .')} }}"))


def all_graphs(settings: Settings) -> set[str]:
    """Every graph on the server (not only the dataset's VoID list): staging graphs show here."""
    store = store_of(settings)
    rows = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[])
    return {row["g"].value for row in rows}


def state(settings: Settings) -> tuple[str, list[str], set[str]]:
    store = store_of(settings)
    return store.version, store.graphs(), graph_lines(settings)


def test_a_dump_is_posted_in_chunks_validated_and_moved_into_place(
    settings: Settings, tmp_path: Path
) -> None:
    before = store_of(settings).version
    result = import_dump(
        settings, write_nt(tmp_path / "registry.nt", REGISTRY), source="https://example.org/r"
    )
    assert result.triples == len(REGISTRY)
    assert any("graph store POST" in note for note in result.notes)
    assert graph_lines(settings) == set(REGISTRY)
    assert in_union(settings, REGISTRY[5])
    store = store_of(settings)
    assert store.version != before
    assert {GRAPH, GRAPH + "/provenance"} <= set(store.graphs())
    assert store._meta()[2][GRAPH] == len(REGISTRY)
    assert not [g for g in all_graphs(settings) if "/graph/staging/" in g]


def test_turtle_reimported_under_the_same_name_replaces_the_graph_and_its_union_triples(
    settings: Settings, tmp_path: Path
) -> None:
    import_dump(settings, write_nt(tmp_path / "registry.nt", REGISTRY))
    dropped = REGISTRY[1]
    kept = [line for line in REGISTRY if line != dropped]
    path = tmp_path / "registry-v2.ttl"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    result = import_dump(settings, path, name="registry")
    assert result.replaced
    assert graph_lines(settings) == set(kept)
    assert not in_union(settings, dropped)
    assert in_union(settings, REGISTRY[-1])  # also stated by the curated graph


def test_without_a_graph_store_the_chunks_go_as_insert_data(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kg.remote.graph_store_urls", lambda url: [])
    result = import_dump(settings, write_nt(tmp_path / "registry.nt", REGISTRY), name="inserted")
    assert "sent in 1 request(s) by INSERT DATA" in result.notes
    assert graph_lines(settings, BASE + "graph/dump-inserted") == set(REGISTRY)


def test_a_syntax_error_names_the_line_and_leaves_the_store_as_it_was(
    settings: Settings, tmp_path: Path
) -> None:
    before = state(settings)
    path = write_nt(tmp_path / "broken.nt", [*REGISTRY[:3], "<http://e/a> <http://e/p> <unterminated ."])
    with pytest.raises(InputError, match=r"broken\.nt: syntax error at line 4"):
        import_dump(settings, path, name="registry")
    assert state(settings) == before
    assert not [g for g in all_graphs(settings) if "/graph/staging/" in g]


def test_a_violation_leaves_the_store_as_it_was(settings: Settings, tmp_path: Path) -> None:
    before = state(settings)
    lines = [*REGISTRY[:3], f"<{BASE}id/membership/dump-9> <{ORG}role> <{BASE}id/org/vinnova> ."]
    with pytest.raises(ValidationFailed) as raised:
        import_dump(settings, write_nt(tmp_path / "bad.nt", lines), name="registry")
    assert "violation" in str(raised.value)
    assert state(settings) == before
    assert not [g for g in all_graphs(settings) if "/graph/staging/" in g]


def test_a_rebuild_of_the_remote_store_keeps_the_dump(settings: Settings, tmp_path: Path) -> None:
    import_dump(settings, write_nt(tmp_path / "registry.nt", REGISTRY), name="kept")
    build(settings, force=True)
    assert graph_lines(settings, BASE + "graph/dump-kept") == set(REGISTRY)
    assert in_union(settings, REGISTRY[5])
    assert BASE + "graph/dump-kept" in store_of(settings).graphs()
