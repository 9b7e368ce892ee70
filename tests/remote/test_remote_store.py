"""The remote store (Virtuoso) answers like the embedded one: same data, same query results."""

from __future__ import annotations

import io
import subprocess
import sys

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.catalogue import load_catalogue
from kg.config import Settings
from kg.errors import QueryRefused, QuerySyntaxError, StoreUnavailable
from kg.remote import Endpoint, RemoteSparqlStore, inject_values
from kg.store import OxigraphStore, Store, Table, open_store
from tests.remote.virtuoso import Virtuoso, free_port

BASE = "https://w3id.org/lskg/"
pytestmark = pytest.mark.slow


def rows(table: Table) -> list[tuple[str | None, ...]]:
    """Rows as sorted tuples of terms in N-Triples syntax (order-insensitive comparison)."""
    return sorted(
        (tuple(None if row.get(v) is None else str(row[v]) for v in table.variables) for row in table.rows),
        key=lambda r: tuple("" if x is None else x for x in r),
    )


HAS_VERSION = ox.NamedNode("http://purl.org/dc/terms/hasVersion")
DATE_TYPES = {"http://www.w3.org/2001/XMLSchema#date", "http://www.w3.org/2001/XMLSchema#gYear"}


def named_quads(store: Store) -> set[ox.Quad]:
    """The named-graph quads without blank nodes (servers relabel blank nodes) and without the
    remote store's version triple."""
    return {
        q
        for q in store.quads()
        if not isinstance(q.subject, ox.BlankNode)
        and not isinstance(q.object, ox.BlankNode)
        and q.predicate != HAS_VERSION
    }


def is_date(quad: ox.Quad) -> bool:
    return isinstance(quad.object, ox.Literal) and quad.object.datatype.value in DATE_TYPES


def test_open_store_returns_a_remote_store_for_a_sparql_url(loaded_virtuoso: Virtuoso) -> None:
    store = open_store(loaded_virtuoso.store_url)
    assert isinstance(store, RemoteSparqlStore)
    assert store.endpoint.query_url == loaded_virtuoso.sparql_url


def test_the_remote_store_holds_exactly_the_quads_of_the_embedded_build(
    remote_store: RemoteSparqlStore, real_store: OxigraphStore
) -> None:
    assert remote_store.graphs() == real_store.graphs()
    remote, local = named_quads(remote_store), named_quads(real_store)
    # Known Virtuoso difference: it keeps one of "2014"^^xsd:gYear and "2014-01-01"^^xsd:date
    # when one subject has both (it compares them as equal values).
    assert {q for q in local - remote if not is_date(q)} == set()
    assert remote - local == set()
    assert len(local - remote) <= 5
    blank_remote = sum(1 for q in remote_store.quads() if isinstance(q.subject, ox.BlankNode))
    blank_local = sum(1 for q in real_store.quads() if isinstance(q.subject, ox.BlankNode))
    assert blank_remote == blank_local


def test_the_remote_version_is_the_build_version(
    remote_store: RemoteSparqlStore, real_store: OxigraphStore
) -> None:
    assert remote_store.version == real_store.version


# Virtuoso 7.2.5 answers these differently from Oxigraph (not yet analysed; see
# docs/remote-stores.md). strict xfail: the test fails as soon as they agree.
KNOWN_DIFFERENCES = {
    "group-sector-coverage": "Virtuoso counts 0 where Oxigraph counts the members per sector",
    "people-with-several-organisations": "Virtuoso's aggregate over the union graph differs",
}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_DIFFERENCES[n], strict=True))
        if n in KNOWN_DIFFERENCES
        else n
        for n in sorted(load_catalogue())
    ],
)
def test_every_named_query_gives_the_same_table_on_both_stores(
    name: str, remote_store: RemoteSparqlStore, real_store: OxigraphStore
) -> None:
    query = load_catalogue()[name]
    bindings = query.bind({}, BASE)
    local = real_store.select(query.sparql, bindings)
    remote = remote_store.select(query.sparql, bindings)
    assert remote.variables == local.variables
    assert rows(remote) == rows(local)


def test_the_default_graph_is_the_deduplicated_union_of_the_named_graphs(
    remote_store: RemoteSparqlStore, real_store: OxigraphStore
) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    (remote,) = remote_store.select(count).column("n")
    (local,) = real_store.select(count).column("n")
    # Only literals Virtuoso stores as one value may differ (measured: 12,364 against 12,365).
    assert remote is not None and local is not None
    assert abs(int(remote) - int(local)) <= 10


def test_a_bound_literal_cannot_escape_its_values_block(remote_store: RemoteSparqlStore) -> None:
    nasty = ox.Literal('x" } } ; DROP ALL ; SELECT * { "')
    table = remote_store.select(
        "SELECT ?n WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?n }", {"n": nasty}
    )
    assert table.rows == []
    assert remote_store.graphs()  # still there
    assert "DROP" in inject_values("ASK { ?s ?p ?n }", {"n": nasty})  # inside a quoted literal only


def test_construct_and_ask_come_back_as_pyoxigraph_terms(remote_store: RemoteSparqlStore) -> None:
    org = ox.NamedNode(BASE + "id/org/vinnova")
    triples = list(remote_store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", bindings={"s": org}))
    assert triples and all(isinstance(t, ox.Triple) and t.subject == org for t in triples)
    assert bool(remote_store.query("ASK { ?s ?p ?o }", bindings={"s": org})) is True


def test_syntax_errors_and_service_are_refused_before_reaching_the_server(
    remote_store: RemoteSparqlStore,
) -> None:
    with pytest.raises(QuerySyntaxError, match="line 1"):
        remote_store.select("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryRefused):
        remote_store.select("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")


def test_a_dump_of_the_remote_store_parses_back_to_its_quads(remote_store: RemoteSparqlStore) -> None:
    out = io.BytesIO()
    remote_store.dump(out, ox.RdfFormat.N_QUADS)
    assert len(list(ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS))) == sum(
        1 for _ in remote_store.quads()
    )


def test_a_closed_port_is_store_unavailable_with_the_url_in_the_message() -> None:
    store = RemoteSparqlStore(Endpoint.parse(f"sparql+http://127.0.0.1:{free_port()}/sparql"), timeout=3)
    with pytest.raises(StoreUnavailable, match=r"cannot be reached .*is the server running"):
        store.version  # noqa: B018


def test_rebuilding_unchanged_input_is_skipped_and_a_forced_rebuild_swaps_in_place(
    loaded_virtuoso: Virtuoso, remote_store: RemoteSparqlStore
) -> None:
    before = named_quads(remote_store)
    assert build(Settings(store=loaded_virtuoso.store_url)).skipped
    assert not build(Settings(store=loaded_virtuoso.store_url), force=True).skipped
    fresh = RemoteSparqlStore.from_settings(Settings(store=loaded_virtuoso.store_url))
    assert named_quads(fresh) == before
    staging = fresh.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/graph/staging/')) }"
    )
    assert staging.rows == []


def test_lskg_build_cli_loads_a_remote_store(loaded_virtuoso: Virtuoso) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--store", loaded_virtuoso.store_url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout or "Built" in done.stdout
