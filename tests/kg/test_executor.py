"""kg.executor: serialised, size-limited results; worker processes that can be stopped."""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import InputError, QueryRefused, QuerySyntaxError, QueryTimeout, ValidationFailed
from kg.executor import (
    HEAVY_NICENESS,
    ProcessExecutor,
    QueryJob,
    QueryOutcome,
    ResultCache,
    ThreadExecutor,
    apply_update,
    evaluate,
)
from kg.store import current_build, open_store

EX = "http://example.org/"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

# ProcessExecutor and apply_update work on an on-disk build (a remote store uses ThreadExecutor).
WORKERS = pytest.mark.embedded_only("query worker processes and apply_update work on an on-disk build")


@pytest.fixture
def small() -> ox.Store:
    store = ox.Store()
    for i in range(3):
        store.add(
            ox.Quad(
                ox.NamedNode(f"{EX}s{i}"),
                ox.NamedNode(f"{EX}label"),
                ox.Literal(f"tab\there {i}", language="sv"),
            )
        )
    store.add(ox.Quad(ox.NamedNode(f"{EX}s0"), ox.NamedNode(f"{EX}link"), ox.BlankNode("b")))
    return store


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_every_results_format_round_trips_literals_with_tabs_and_languages(small: ox.Store, fmt: str) -> None:
    query = f"SELECT ?s ?o WHERE {{ ?s <{EX}label> ?o }} ORDER BY ?s"
    outcome = evaluate(small, QueryJob(query, results_format=fmt))
    assert (outcome.kind, outcome.rows, outcome.truncated) == ("solutions", 3, False)
    if fmt == "csv":
        assert outcome.body.decode().splitlines()[1] == f"{EX}s0,tab\there 0"
        return
    parsed = ox.parse_query_results(
        outcome.body,
        {
            "json": ox.QueryResultsFormat.JSON,
            "xml": ox.QueryResultsFormat.XML,
            "tsv": ox.QueryResultsFormat.TSV,
        }[fmt],
    )
    assert isinstance(parsed, ox.QuerySolutions)
    values = [(s["s"].value, s["o"].value, s["o"].language) for s in parsed]
    assert values[0] == (f"{EX}s0", "tab\there 0", "sv")
    assert len(values) == 3


def test_rows_past_the_limit_are_cut_and_the_json_says_so(small: ox.Store) -> None:
    outcome = evaluate(small, QueryJob(f"SELECT ?o WHERE {{ ?s <{EX}label> ?o }}", max_rows=2))
    assert (outcome.rows, outcome.truncated) == (2, True)
    data = json.loads(outcome.body)
    assert data["truncated"] is True and len(data["results"]["bindings"]) == 2


def test_bytes_past_the_limit_are_cut_to_fit(small: ox.Store) -> None:
    full = evaluate(small, QueryJob("SELECT * WHERE { ?s ?p ?o }", results_format="xml"))
    cut = evaluate(
        small, QueryJob("SELECT * WHERE { ?s ?p ?o }", results_format="xml", max_bytes=len(full.body) - 1)
    )
    assert cut.truncated and cut.rows < full.rows
    assert len(cut.body) < len(full.body)


def test_construct_results_are_serialised_in_the_graph_format(small: ox.Store) -> None:
    outcome = evaluate(small, QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", graph_format="ntriples"))
    assert outcome.kind == "graph" and outcome.rows == 4
    assert len(list(ox.parse(outcome.body, ox.RdfFormat.N_TRIPLES))) == 4


def test_ask_is_a_boolean(small: ox.Store) -> None:
    outcome = evaluate(small, QueryJob(f"ASK {{ <{EX}s1> ?p ?o }}", results_format="xml"))
    assert outcome.kind == "boolean"
    assert b"<boolean>true</boolean>" in outcome.body


def test_syntax_errors_name_line_and_column(small: ox.Store) -> None:
    with pytest.raises(QuerySyntaxError, match="line 1, column 25"):
        evaluate(small, QueryJob("SELECT * WHERE { ?s ?p }"))


def test_evaluation_errors_are_input_errors(small: ox.Store) -> None:
    with pytest.raises(InputError, match="could not be evaluated"):
        evaluate(small, QueryJob("SELECT * WHERE { SERVICE ?unbound { ?s ?p ?o } }"))


def test_the_result_cache_drops_the_least_recently_used_and_skips_large_results() -> None:
    cache = ResultCache(max_bytes=1_600)
    jobs = [QueryJob(f"ASK {{}} #{i}") for i in range(3)]
    for job in jobs:
        cache.put("b", job, QueryOutcome(b"x" * 80, "boolean", 1, False, 0.0))
    assert cache.get("b", jobs[0]) is not None  # used: now the most recent
    cache.put("b", QueryJob("ASK {} #big"), QueryOutcome(b"x" * 200, "boolean", 1, False, 0.0))
    assert cache.get("b", QueryJob("ASK {} #big")) is None  # over a sixteenth of the cache
    for i in range(3, 20):
        cache.put("b", QueryJob(f"ASK {{}} #{i}"), QueryOutcome(b"x" * 80, "boolean", 1, False, 0.0))
    assert cache.get("b", jobs[1]) is None
    assert cache.get("b", QueryJob("ASK {} #19")) is not None


@WORKERS
def test_a_repeated_job_is_served_from_the_cache_without_a_worker(pool: ProcessExecutor) -> None:
    first = pool.run(QueryJob(COUNT))
    second = pool.run(QueryJob(COUNT))
    assert (first.cached, second.cached) == (False, True)
    assert second.body == first.body


@pytest.fixture
def pool(real_store_path: Path) -> Iterator[ProcessExecutor]:
    executor = ProcessExecutor(real_store_path, workers=2, timeout=1.0)
    yield executor
    executor.close()


@WORKERS
def test_a_worker_answers_from_the_built_store(pool: ProcessExecutor, real_store_path: Path) -> None:
    outcome = pool.run(QueryJob(COUNT, results_format="csv"))
    assert outcome.body.decode().splitlines()[1] == str(
        len(list(open_store(real_store_path).raw)) - len(open_store(real_store_path))
    )


@WORKERS
def test_workers_run_at_a_lower_cpu_priority_than_the_process_that_started_them(
    pool: ProcessExecutor,
) -> None:
    for i in range(2):  # one job for each worker (the idle queue is first in, first out)
        pool.run(QueryJob(f"ASK {{}} # priority {i}"))
    own = os.getpriority(os.PRIO_PROCESS, 0)
    workers = [w.process.pid for w in pool._all]
    assert len(workers) == 2
    assert all(os.getpriority(os.PRIO_PROCESS, pid) == min(own + HEAVY_NICENESS, 19) for pid in workers)


@WORKERS
def test_a_query_past_the_limit_is_stopped_and_its_worker_replaced(pool: ProcessExecutor) -> None:
    with pytest.raises(QueryTimeout, match="more than 1 s"):
        pool.run(QueryJob(SLOW))
    assert pool.kills == 1
    # Both workers serve again, one of them new (distinct texts: none comes from the cache).
    for i in range(4):
        outcome = pool.run(QueryJob(f"ASK {{}} # {i}"))
        assert outcome.body == b'{"head":{},"boolean":true}' and not outcome.cached


def _at_once(pool: ProcessExecutor, job: QueryJob, n: int) -> list[QueryOutcome | Exception]:
    """Run ``job`` from ``n`` threads released together; the outcome or error of each."""
    start = threading.Barrier(n)

    def one() -> QueryOutcome | Exception:
        start.wait()
        try:
            return pool.run(job)
        except Exception as exc:  # noqa: BLE001 (the test inspects it)
            return exc

    with ThreadPoolExecutor(n) as threads:
        return list(threads.map(lambda _: one(), range(n)))


@WORKERS
def test_the_same_query_asked_for_at_once_is_evaluated_once(real_store_path: Path) -> None:
    # A tenth of a second or so on the real data: the other requests, released at the same
    # moment, find it running.
    job = QueryJob(
        "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?c . ?d <http://www.w3.org/2000/01/rdf-schema#label> ?f }"
    )
    executor = ProcessExecutor(real_store_path, workers=2, timeout=60, cache_bytes=0)
    try:
        outcomes = _at_once(executor, job, 3)
    finally:
        executor.close()
    assert all(isinstance(o, QueryOutcome) for o in outcomes)
    assert sorted(o.cached for o in outcomes if isinstance(o, QueryOutcome)) == [False, True, True]
    assert len({o.body for o in outcomes if isinstance(o, QueryOutcome)}) == 1


@WORKERS
def test_requests_waiting_for_a_query_stopped_at_the_limit_get_the_same_error(pool: ProcessExecutor) -> None:
    outcomes = _at_once(pool, QueryJob(SLOW), 2)
    assert all(isinstance(o, QueryTimeout) for o in outcomes)
    assert pool.kills == 1  # one evaluation, stopped once


@WORKERS
def test_worker_errors_come_back_as_the_same_lskg_errors(pool: ProcessExecutor) -> None:
    with pytest.raises(QuerySyntaxError, match="SPARQL syntax error at line 1"):
        pool.run(QueryJob("SELECT * WHERE { ?s ?p }"))
    assert pool.run(QueryJob("ASK {}")).kind == "boolean"


def test_thread_executor_answers_on_time_and_times_out_on_time() -> None:
    store = ox.Store()
    store.extend(
        ox.Quad(ox.NamedNode(f"{EX}{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(str(i))) for i in range(150)
    )
    executor = ThreadExecutor(store, workers=2, timeout=0.3)
    try:
        assert b'"value":"150"' in executor.run(QueryJob(COUNT)).body
        with pytest.raises(QueryTimeout):
            executor.run(QueryJob(SLOW))
    finally:
        executor.close()


@pytest.fixture
def store_copy(real_store_path: Path, tmp_path: Path) -> Path:
    build_dir = current_build(real_store_path)
    assert build_dir is not None
    shutil.copytree(build_dir, tmp_path / "store.builds" / build_dir.name)
    link = tmp_path / "store"
    link.symlink_to(Path("store.builds") / build_dir.name)
    return link


GRAPH = "https://w3id.org/lskg/graph/web-sources"


def dump(store_path: Path) -> set[str]:
    buffer = io.BytesIO()
    open_store(store_path).dump(buffer, ox.RdfFormat.N_QUADS)
    return set(buffer.getvalue().decode().splitlines())


@WORKERS
@pytest.mark.slow
def test_apply_update_writes_a_new_valid_build_that_workers_then_read(store_copy: Path) -> None:
    before = dump(store_copy)
    executor = ProcessExecutor(store_copy, workers=1, timeout=10)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2004/02/skos/core#altLabel> 'VINNOVA'@sv }"
    try:
        assert b'"value":"0"' in executor.run(QueryJob(query)).body
        update = f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <https://w3id.org/lskg/id/org/vinnova> <http://www.w3.org/2004/02/skos/core#altLabel> "VINNOVA"@sv }} }}'
        outcome = apply_update(store_copy, update, base_iri="https://w3id.org/lskg/", timeout=30)
        assert outcome.changed and current_build(store_copy) == outcome.build_dir
        # The worker reopens the store at the new build with its next job.
        assert b'"value":"1"' in executor.run(QueryJob(query)).body
    finally:
        executor.close()
    added = dump(store_copy) - before
    assert added == {
        f'<https://w3id.org/lskg/id/org/vinnova> <http://www.w3.org/2004/02/skos/core#altLabel> "VINNOVA"@sv <{GRAPH}> .'
    }
    manifest = json.loads((outcome.build_dir / "manifest.json").read_text())
    assert manifest["graphs"][GRAPH] == len([q for q in dump(store_copy) if q.endswith(f"<{GRAPH}> .")])


@WORKERS
@pytest.mark.slow
def test_apply_update_refuses_a_violation_and_keeps_the_store(store_copy: Path) -> None:
    before = current_build(store_copy)
    update = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <https://w3id.org/lskg/id/person/x> a <http://xmlns.com/foaf/0.1/Person> }} }}"
    with pytest.raises(ValidationFailed) as caught:
        apply_update(store_copy, update, base_iri="https://w3id.org/lskg/", timeout=30)
    assert not caught.value.report.conforms  # type: ignore[union-attr]
    assert current_build(store_copy) == before


@WORKERS
def test_apply_update_refuses_load_before_running_anything(store_copy: Path) -> None:
    with pytest.raises(QueryRefused, match="LOAD"):
        apply_update(
            store_copy, "LOAD <http://127.0.0.1:9/x.ttl>", base_iri="https://w3id.org/lskg/", timeout=30
        )
