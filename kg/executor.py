"""Run SPARQL queries with a time limit, a size limit, and without blocking other clients.

Oxigraph cannot interrupt a query from another thread, so :class:`ProcessExecutor` evaluates
queries in a small pool of worker processes, each holding the current build open read-only
(builds are never modified, so any number of readers is safe). A worker that runs past the
time limit is killed and replaced; the caller gets :class:`~kg.errors.QueryTimeout`. The
other workers keep serving. A worker reopens the store when a new build has been swapped in.

:class:`ThreadExecutor` does the same over an in-memory store (tests, small tools) with
threads: it answers :class:`~kg.errors.QueryTimeout` on time, but cannot stop the query, which
runs on in the background until it ends and holds one of the executor's threads meanwhile.

Results come back serialised in the requested format, with the row count and whether the
result was cut at ``max_rows`` rows or ``max_bytes`` bytes. :func:`apply_update` runs a SPARQL
Update on a copy of the current build in a worker process, validates the result against the
shapes and writes it as a new build (see :func:`kg.build.write_build`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import multiprocessing
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from kg.errors import (
    InputError,
    LskgError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    StoreUnavailable,
    ValidationFailed,
)
from kg.results import GRAPH_FORMATS, PREFIXES, RESULT_FORMATS
from kg.sparql_safety import check_update
from kg.store import current_build, read_manifest, syntax_message

__all__ = [
    "HEAVY_NICENESS",
    "Executor",
    "ProcessExecutor",
    "QueryJob",
    "QueryOutcome",
    "ResultCache",
    "ThreadExecutor",
    "UpdateOutcome",
    "apply_update",
    "evaluate",
    "lower_priority",
    "worker_context",
]

_DATA_DIR = "oxigraph"
# How much lower than the web server's the CPU priority of heavy work is (query workers, dump
# writers): on a machine with few cores they would otherwise take turns with the process that
# answers entity pages, whose requests take milliseconds (docs/decisions/0011).
HEAVY_NICENESS = 10
# Errors a worker may send back, by name (anything else is reported as a crashed worker).
_ERRORS: dict[str, type[LskgError]] = {
    cls.__name__: cls for cls in (InputError, QueryRefused, QuerySyntaxError, StoreUnavailable)
}


@dataclass(frozen=True)
class QueryJob:
    """One query to evaluate, with the formats to answer in and the limits to respect.

    ``substitutions`` binds variables to terms (``("org", "<https://…>")``, N-Triples syntax,
    so that a job pickles to a worker process); the engine substitutes them (SEP-0007).
    ``results_format`` (a key of :data:`kg.results.RESULT_FORMATS`) serialises SELECT and ASK
    results, ``graph_format`` (a key of :data:`kg.results.GRAPH_FORMATS`) CONSTRUCT and DESCRIBE
    results. ``default_graph`` and ``named_graphs`` override the dataset (protocol parameters);
    by default the default graph is the union of the named graphs, as the store holds it.
    """

    sparql: str
    results_format: str = "json"
    graph_format: str = "turtle"
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_rows: int = 10_000
    max_bytes: int = 50_000_000
    substitutions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class QueryOutcome:
    """A serialised result: ``kind`` is ``solutions``, ``boolean`` or ``graph``."""

    body: bytes
    kind: str
    rows: int
    truncated: bool
    seconds: float
    cached: bool = False


class ResultCache:
    """Serialised results by build and job, least recently used first out.

    A build never changes, so a result cached for it stays exact; a new build has a new key.
    Entries larger than a sixteenth of ``max_bytes`` are not kept; ``max_bytes=0`` turns the
    cache off.

    Examples
    --------
    >>> cache = ResultCache(max_bytes=1000)
    >>> job = QueryJob("ASK {}")
    >>> cache.put("build-1", job, QueryOutcome(b"true", "boolean", 1, False, 0.01))
    >>> cache.get("build-1", job).cached, cache.get("build-2", job)
    (True, None)
    """

    def __init__(self, max_bytes: int = 64_000_000) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, QueryJob], QueryOutcome] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, build: str, job: QueryJob) -> QueryOutcome | None:
        """The cached outcome of ``job`` on ``build``, marked ``cached``, or ``None``."""
        with self._lock:
            outcome = self._entries.get((build, job))
            if outcome is None:
                return None
            self._entries.move_to_end((build, job))
        return dataclasses.replace(outcome, cached=True)

    def put(self, build: str, job: QueryJob, outcome: QueryOutcome) -> None:
        """Keep ``outcome``, dropping the least recently used entries to stay within bounds."""
        size = len(outcome.body) + len(job.sparql)
        if size > self.max_bytes // 16:
            return
        with self._lock:
            if (build, job) in self._entries:
                return
            self._entries[(build, job)] = outcome
            self._size += size
            while self._size > self.max_bytes:
                (_, old_job), old = self._entries.popitem(last=False)
                self._size -= len(old.body) + len(old_job.sparql)


def evaluate(store: ox.Store, job: QueryJob) -> QueryOutcome:
    """Evaluate ``job`` on ``store`` and serialise the (possibly cut) result.

    Examples
    --------
    >>> s = ox.Store()
    >>> s.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("1")))
    >>> out = evaluate(s, QueryJob("SELECT ?o WHERE { ?s ?p ?o }", results_format="csv"))
    >>> out.body, out.rows, out.truncated
    (b'o\\r\\n1\\r\\n', 1, False)
    """
    started = time.perf_counter()
    kwargs: dict[str, Any] = {}
    if job.default_graph is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graph]
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    if job.substitutions:
        kwargs["substitutions"] = {ox.Variable(name): parse_term(term) for name, term in job.substitutions}
    try:
        result = store.query(job.sparql, **kwargs)
        if isinstance(result, ox.QueryBoolean):
            body = result.serialize(format=RESULT_FORMATS[job.results_format])
            kind, rows, truncated = "boolean", 1, False
        elif isinstance(result, ox.QuerySolutions):
            body, rows, truncated = _solutions(result, job)
            kind = "solutions"
        else:
            body, rows, truncated = _graph(result, job)
            kind = "graph"
    except SyntaxError as exc:
        raise QuerySyntaxError(syntax_message(str(exc))) from exc
    except OSError as exc:
        raise StoreUnavailable(f"the store could not be read: {exc}") from exc
    except (RuntimeError, ValueError) as exc:
        # Evaluation errors Oxigraph raises for a well-formed query (unbound SERVICE name, ...).
        raise InputError(f"the query could not be evaluated: {exc}") from exc
    assert isinstance(body, bytes)
    return QueryOutcome(body, kind, rows, truncated, time.perf_counter() - started)


def parse_term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Read one RDF term written in N-Triples syntax (``str(term)`` of a pyoxigraph term).

    Examples
    --------
    >>> parse_term('"Vinnova"@sv')
    <Literal value=Vinnova language=sv>
    """
    (quad,) = ox.parse(f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES)
    obj = quad.object
    assert not isinstance(obj, ox.Triple)
    return obj


def _solutions(result: ox.QuerySolutions, job: QueryJob) -> tuple[bytes, int, bool]:
    variables = [v.value for v in result.variables]
    rows: list[list[str]] = []
    truncated = False
    for solution in result:
        if len(rows) == job.max_rows:
            truncated = True
            break
        rows.append(["" if solution[v] is None else str(solution[v]) for v in variables])
    fmt = RESULT_FORMATS[job.results_format]
    # The solutions are written as TSV (whose terms are N-Triples terms, as str() gives them)
    # and re-read, so that the cut result is serialised by Oxigraph's own writers.
    while True:
        tsv = "\t".join("?" + v for v in variables) + "\n" + "".join("\t".join(r) + "\n" for r in rows)
        body = ox.parse_query_results(tsv.encode("utf-8"), ox.QueryResultsFormat.TSV).serialize(format=fmt)
        assert isinstance(body, bytes)
        if len(body) + 20 <= job.max_bytes or not rows:
            break
        truncated = True
        rows = rows[: min(len(rows) - 1, int(len(rows) * job.max_bytes / len(body) * 0.9))]
    if truncated and job.results_format == "json":
        body = body.rstrip()[:-1] + b',"truncated":true}'
    return body, len(rows), truncated


def _graph(result: ox.QueryTriples, job: QueryJob) -> tuple[bytes, int, bool]:
    triples: list[ox.Triple] = []
    truncated = False
    for triple in result:
        if len(triples) == job.max_rows:
            truncated = True
            break
        triples.append(triple)
    fmt = GRAPH_FORMATS[job.graph_format]
    while True:
        buffer = io.BytesIO()
        if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
            ox.serialize(triples, buffer, fmt, prefixes=_used_prefixes(triples))
        elif fmt.supports_datasets:
            ox.serialize((ox.Quad(t.subject, t.predicate, t.object) for t in triples), buffer, fmt)
        else:
            ox.serialize(triples, buffer, fmt)
        body = buffer.getvalue()
        if len(body) <= job.max_bytes or not triples:
            return body, len(triples), truncated
        truncated = True
        triples = triples[: min(len(triples) - 1, int(len(triples) * job.max_bytes / len(body) * 0.9))]


def _used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    iris = {t.predicate.value for t in triples}
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


class Executor(Protocol):
    """Evaluates queries within the time limit; what the API needs from the two executors."""

    timeout: float

    def run(self, job: QueryJob) -> QueryOutcome:
        """Evaluate ``job``; raise :class:`~kg.errors.QueryTimeout` past the time limit."""
        ...

    def lookup(self, job: QueryJob) -> QueryOutcome | None:
        """The cached outcome of ``job`` on the current build, without waiting for a worker."""
        ...

    def close(self) -> None:
        """Stop the workers."""
        ...


def worker_context() -> multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext:
    """The multiprocessing context of query workers and other child processes."""
    # Workers come from a fork server that imported this module once: a replacement starts in
    # milliseconds, and no worker inherits the threads of the web server that asked for it.
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(["kg.executor"])
        return forkserver
    return multiprocessing.get_context("spawn")


def lower_priority() -> None:
    """Give the calling process (on Linux: thread) :data:`HEAVY_NICENESS` lower CPU priority."""
    with contextlib.suppress(OSError):
        os.nice(HEAVY_NICENESS)


def _worker_main(conn: Connection) -> None:
    """Serve jobs from ``conn`` until it closes: ``(build_dir, job)`` in, ``(status, ...)`` out."""
    lower_priority()
    store: ox.Store | None = None
    opened: str | None = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        build_dir, job = message
        try:
            if store is None or build_dir != opened:
                store = None
                try:
                    store = ox.Store.read_only(str(Path(build_dir) / _DATA_DIR))
                except OSError as exc:
                    raise StoreUnavailable(f"cannot open the store at {build_dir}: {exc}") from exc
                opened = build_dir
            conn.send(("ok", evaluate(store, job)))
        except LskgError as exc:
            conn.send(("error", type(exc).__name__, str(exc)))


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection


class ProcessExecutor:
    """A pool of worker processes over the read-only build behind ``store_path``.

    Parameters
    ----------
    store_path
        The store link; each job goes to the build it points at when the job starts.
    workers
        Worker processes, that is queries evaluated at the same time.
    timeout
        Seconds a query may run; also the longest a job waits for a free worker.
    cache_bytes
        Size of the :class:`ResultCache` of serialised results (0: no cache).
    """

    def __init__(
        self,
        store_path: str | Path,
        *,
        workers: int = 2,
        timeout: float = 30.0,
        cache_bytes: int = 64_000_000,
    ) -> None:
        if workers < 1:
            raise InputError("the query executor needs at least one worker")
        self.store_path = Path(store_path)
        self.timeout = timeout
        self.cache = ResultCache(cache_bytes)
        self.kills = 0
        self._ctx = worker_context()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        # Jobs being evaluated, by build and job: a request for one of them waits for that
        # evaluation instead of starting its own (see run).
        self._running: dict[tuple[str, QueryJob], Future[QueryOutcome]] = {}
        for _ in range(workers):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_worker_main, args=(child,), daemon=True, name="lskg-query")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        """Kill ``worker`` and put a fresh one in its place."""
        with contextlib.suppress(OSError):
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        with self._lock:
            self._all.discard(worker)
            closed = self._closed
        if not closed:
            self._idle.put(self._start())

    def lookup(self, job: QueryJob) -> QueryOutcome | None:
        """The cached outcome of ``job`` on the current build, without waiting for a worker."""
        build_dir = current_build(self.store_path)
        return None if build_dir is None else self.cache.get(str(build_dir), job)

    def run(self, job: QueryJob) -> QueryOutcome:
        """Evaluate ``job`` in a worker; kill the worker if it runs past the time limit.

        A job that is already being evaluated on the same build is not evaluated again: the
        request waits for that evaluation and gets its outcome (marked ``cached``) or its error.
        Without this, clients asking for the same slow query at once would each start it on
        the few workers, slow each other past the limit, and none would reach the cache.
        """
        build_dir = current_build(self.store_path)
        if build_dir is None:
            raise StoreUnavailable(f"no lskg store at {self.store_path}; run `lskg build` first")
        cached = self.cache.get(str(build_dir), job)
        if cached is not None:
            return cached
        key = (str(build_dir), job)
        future: Future[QueryOutcome] = Future()
        with self._lock:
            running = self._running.setdefault(key, future)
        if running is not future:
            # That evaluation ends within twice the limit (a wait for a worker, then the run).
            return dataclasses.replace(running.result(), cached=True)
        try:
            outcome = self._evaluate(build_dir, job)
        except BaseException as exc:
            future.set_exception(exc)
            raise
        else:
            future.set_result(outcome)
            return outcome
        finally:
            with self._lock:
                del self._running[key]

    def _evaluate(self, build_dir: Path, job: QueryJob) -> QueryOutcome:
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryTimeout(
                f"all query workers stayed busy for {self.timeout:g} s; try again later"
            ) from None
        try:
            worker.conn.send((str(build_dir), job))
            if not worker.conn.poll(self.timeout):
                self.kills += 1
                self._retire(worker)
                raise QueryTimeout(
                    f"the query ran for more than {self.timeout:g} s and was stopped; "
                    "narrow it down (add a LIMIT, fix a variable, drop a cartesian product)"
                )
            reply = worker.conn.recv()
        except (EOFError, OSError) as exc:
            self._retire(worker)
            raise StoreUnavailable("a query worker stopped unexpectedly; try again") from exc
        self._idle.put(worker)
        if reply[0] == "ok":
            outcome: QueryOutcome = reply[1]
            self.cache.put(str(build_dir), job, outcome)
            return outcome
        raise _ERRORS.get(reply[1], InputError)(reply[2])

    def close(self) -> None:
        """Stop every worker (those still running a query are killed)."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
        for worker in workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in workers:
            worker.process.join(timeout=1)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=5)
            worker.conn.close()


class ThreadExecutor:
    """Evaluate queries on an in-process store in threads, with the same time limit.

    A thread cannot be stopped: a query past the limit answers
    :class:`~kg.errors.QueryTimeout` but keeps one of the ``workers`` threads busy until it ends.
    """

    def __init__(self, store: ox.Store, *, workers: int = 2, timeout: float = 30.0) -> None:
        self.store = store
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lskg-query")

    def lookup(self, job: QueryJob) -> QueryOutcome | None:
        """Nothing is cached in process (the store may be changed by its owner)."""
        return None

    def run(self, job: QueryJob) -> QueryOutcome:
        """Evaluate ``job`` in a thread and wait at most the time limit for it."""
        future = self._pool.submit(evaluate, self.store, job)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            future.cancel()
            raise QueryTimeout(
                f"the query ran for more than {self.timeout:g} s; narrow it down "
                "(add a LIMIT, fix a variable, drop a cartesian product)"
            ) from None

    def close(self) -> None:
        """Stop accepting queries (running ones finish in the background)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class UpdateOutcome:
    """What an accepted update did: the new build (or the old one, if nothing changed)."""

    version: str
    build_dir: Path
    changed: bool
    quads: int
    warnings: int


def _update_main(conn: Connection, build_dir: str, update: str) -> None:
    """Apply ``update`` to an in-memory copy of a build; send back its named-graph quads
    (as N-Quads), or ``None`` if the update changed nothing."""
    lower_priority()
    try:
        source = ox.Store.read_only(str(Path(build_dir) / _DATA_DIR))
        store = ox.Store()
        store.bulk_extend(source.quads_for_pattern(None, None, None))
        default_before = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        named_before = {q for q in store if isinstance(q.graph_name, ox.NamedNode)}
        store.update(update)
        default_after = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        if default_after != default_before:
            raise InputError(
                "the update changes the default graph, which is derived as the union of the named "
                "graphs; write into a named graph instead: INSERT DATA { GRAPH <...> { ... } }"
            )
        named = [q for q in store if isinstance(q.graph_name, ox.NamedNode)]
        if set(named) == named_before:
            conn.send(("ok", None))
        else:
            conn.send(("ok", ox.serialize(named, format=ox.RdfFormat.N_QUADS)))
    except SyntaxError as exc:
        conn.send(("error", "QuerySyntaxError", syntax_message(str(exc))))
    except (RuntimeError, ValueError) as exc:
        conn.send(("error", "InputError", f"the update could not be applied: {exc}"))
    except OSError as exc:
        conn.send(("error", "StoreUnavailable", f"the store could not be read: {exc}"))
    except LskgError as exc:
        conn.send(("error", type(exc).__name__, str(exc)))


def _in_worker(target: Callable[..., None], args: tuple[Any, ...], timeout: float, what: str) -> Any:
    ctx = worker_context()
    parent, child = ctx.Pipe()
    process = ctx.Process(target=target, args=(child, *args), daemon=True, name="lskg-update")
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise QueryTimeout(f"the {what} ran for more than {timeout:g} s and was stopped; nothing changed")
        reply = parent.recv()
    except EOFError as exc:
        raise StoreUnavailable(f"the {what} worker stopped unexpectedly; nothing changed") from exc
    finally:
        process.kill()
        process.join(timeout=5)
        parent.close()
    if reply[0] == "error":
        raise _ERRORS.get(reply[1], InputError)(reply[2])
    return reply[1]


def apply_update(
    store_path: str | Path, update: str, *, base_iri: str, timeout: float = 30.0
) -> UpdateOutcome:
    """Apply a SPARQL Update to the store at ``store_path`` by writing a new build.

    Builds are immutable, so the update runs on a copy of the current build in a worker
    process (stopped after ``timeout`` seconds). The result is validated with SHACL against the
    project's shapes; on any Violation :class:`~kg.errors.ValidationFailed` carries the report
    and the store is left as it was. Otherwise the result becomes a new build and the store link
    is swapped to it atomically; readers move to it with their next query. ``LOAD`` and
    ``SERVICE`` are refused before anything runs (:class:`~kg.errors.QueryRefused`).
    """
    # kg.build brings rdflib and pyshacl: imported here, so that query workers start light.
    from kg.build import build_lock, validate_quads, write_build

    check_update(update)
    path = Path(store_path)
    with build_lock(path):
        current = current_build(path)
        if current is None:
            raise StoreUnavailable(f"no lskg store at {path}; run `lskg build` first")
        previous = read_manifest(current)
        nquads: bytes | None = _in_worker(_update_main, (str(current), update), timeout, "update")
        if nquads is None:
            quads_before = sum(int(n) for n in previous.get("graphs", {}).values())
            return UpdateOutcome(
                str(previous.get("version")), current, False, quads_before, int(previous.get("warnings", 0))
            )
        lines = sorted(set(nquads.splitlines()))
        version = "update-" + hashlib.sha256(b"\n".join(lines)).hexdigest()
        quads = list(ox.parse(b"\n".join(lines) + b"\n", ox.RdfFormat.N_QUADS))
        report = validate_quads(quads)
        if not report.conforms:
            raise ValidationFailed(
                f"the update was refused: the result violates the shapes ({len(report.violations)} "
                "violation(s)); nothing changed",
                report,
            )
        facts, with_provenance = _fact_counts(quads, base_iri)
        build_dir, _counts = write_build(
            path,
            quads,
            version,
            report,
            {
                "facts": facts,
                "facts_with_provenance": with_provenance,
                "derived_from": previous.get("version"),
                "update_sha256": hashlib.sha256(update.encode("utf-8")).hexdigest(),
                "updated_by": f"SPARQL Update (pid {os.getpid()})",
            },
        )
    return UpdateOutcome(version, build_dir, True, len(quads), len(report.warnings))


def _fact_counts(quads: list[ox.Quad], base_iri: str) -> tuple[int, int]:
    """Facts (quads of source graphs, those with a provenance graph) and how many are reified."""
    from kg.build import statement_iri

    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    sources = {g for g in graphs if g + "/provenance" in graphs}
    statements = {
        q.subject
        for q in quads
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.endswith("/provenance")
    }
    facts = [q for q in quads if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in sources]
    with_provenance = sum(1 for q in facts if statement_iri(base_iri, q.triple) in statements)
    return len(facts), with_provenance
