"""Benchmark lskg's /sparql against in-process pyoxigraph and rdflib-endpoint on the same data.

One run measures three queries on a synthetic ecosystem graph (:mod:`synthetic`):

- ``join3``: organisations of one sector -> memberships -> people -> their other
  organisations, ``COUNT(DISTINCT ...)`` (a 3-hop join);
- ``area_sector``: organisations per collaboration area and sector (aggregation);
- ``label_filter``: English labels containing a text (string filter over every label).

Each is timed (a) in process with pyoxigraph (query + SPARQL JSON serialisation, the work the
endpoint does), (b) through our ``/sparql`` on uvicorn on 127.0.0.1 (one client for latency,
8 concurrent clients with httpx for throughput) and (c) through rdflib-endpoint serving the
same triples. rdflib is too slow for the 1M-triple graph, so it gets a smaller graph, and our
endpoint is measured on that graph too: the throughput ratio is always on equal data.
Results go to ``benchmarks/results/sparql.md``; nothing is asserted.

    .venv/bin/pip install rdflib-endpoint
    .venv/bin/python benchmarks/sparql_bench.py            # 1M triples, rdflib on 50k
    .venv/bin/python benchmarks/sparql_bench.py --quick    # 100k / 20k, for a smoke test
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import httpx
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import generate

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "sparql.md"
PREFIXES = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX lskg: <https://w3id.org/lskg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
QUERIES = {
    "join3": PREFIXES
    + """SELECT (COUNT(DISTINCT ?other) AS ?n) WHERE {
  ?org lskg:sector lskg:SectorHealthcare .
  ?m1 org:organization ?org ; org:member ?person .
  ?m2 org:member ?person ; org:organization ?other .
  FILTER(?other != ?org)
}""",
    "area_sector": PREFIXES
    + """SELECT ?area ?sector (COUNT(DISTINCT ?org) AS ?orgs) WHERE {
  ?org lskg:participatesIn ?area ; lskg:sector ?sector .
} GROUP BY ?area ?sector ORDER BY ?area ?sector""",
    "label_filter": PREFIXES
    + """SELECT ?s ?label WHERE {
  ?s rdfs:label ?label .
  FILTER(LANG(?label) = "en" && CONTAINS(LCASE(?label), "neurogen"))
}""",
}
JSON_RESULTS = "application/sparql-results+json"
WARM_UP = 4
HTTP_ALLOWANCE_MS = 5.0  # "a few ms of HTTP" in the latency target


@dataclass
class Timing:
    """Latencies (seconds) of sequential runs and the throughput of concurrent clients."""

    latencies: list[float] = field(default_factory=list)
    throughput: float | None = None
    requests: int = 0
    rows: int | None = None
    cached_throughput: float | None = None

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000


# --------------------------------------------------------------------------- data


def write_data(work: Path, triples: int, seed: int) -> tuple[Path, Path]:
    """N-Quads as an lskg build holds them (named graphs + union default graph), and N-Triples."""
    nq = work / f"synthetic-{triples}.nq"
    nt = work / f"synthetic-{triples}.nt"
    if not nq.exists() or not nt.exists():
        with open(nq, "w", encoding="utf-8") as quads, open(nt, "w", encoding="utf-8") as plain:
            for line in generate(triples, seed):
                quads.write(line + "\n")
                if "/graph/synthetic-" not in line:  # the default-graph copy of each triple
                    plain.write(line + "\n")
    return nq, nt


def build_store(work: Path, nq: Path, label: str) -> Path:
    """An lskg store link over a bulk-loaded build of ``nq`` (with a manifest, as a build has)."""
    link = work / f"store-{label}"
    build_dir = work / f"store-{label}.builds" / "bench"
    if not (build_dir / "manifest.json").exists():
        shutil.rmtree(build_dir, ignore_errors=True)
        build_dir.mkdir(parents=True)
        store = ox.Store(str(build_dir / "oxigraph"))
        store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        store.flush()
        graphs = {g.value: 0 for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
        del store
        manifest = {"version": f"synthetic-{label}", "graphs": graphs, "facts": 0, "facts_with_provenance": 0}
        (build_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if not link.is_symlink():
        link.symlink_to(build_dir.relative_to(work))
    return link


# --------------------------------------------------------------------------- measuring


def in_process(link: Path) -> ox.Store:
    """The store of ``link`` opened read-only in this process."""
    return ox.Store.read_only(str(link.resolve() / "oxigraph"))


def load_average() -> str:
    with open("/proc/loadavg", encoding="utf-8") as handle:
        return " ".join(handle.read().split()[:3])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(command: list[str], env: dict[str, str], ready_url: str, timeout: float) -> Iterator[None]:
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}: {' '.join(command)}")
            try:
                if httpx.get(ready_url, timeout=5).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        else:
            raise RuntimeError(f"server not ready after {timeout} s")
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure_http(
    url: str,
    runs: int,
    clients: int,
    budget_s: float,
    max_requests: int,
    queries: list[str],
    cache_too: bool = False,
    local: ox.Store | None = None,
    local_out: dict[str, Timing] | None = None,
) -> dict[str, Timing]:
    """Latency (one client) and throughput (``clients`` at once) of each query over HTTP.

    Every request carries a distinct text (a numbered comment), so that no result cache can
    answer it; with ``cache_too`` the throughput is measured once more with one repeated text.
    With a ``local`` store, each HTTP run alternates with an in-process run (timed into
    ``local_out``), so that both see the same load on a shared machine.
    """
    out: dict[str, Timing] = {}
    headers = {"Accept": JSON_RESULTS}
    with httpx.Client(timeout=900) as http:
        for name in queries:
            timing, mine = Timing(), Timing()
            # Warm-up: two runs per query worker (each opens the store and fills its caches).
            for i in range(runs + WARM_UP):
                if local is not None and i >= WARM_UP - 1:
                    started = time.perf_counter()
                    body = local.query(QUERIES[name]).serialize(format=ox.QueryResultsFormat.JSON)
                    if i >= WARM_UP:
                        mine.latencies.append(time.perf_counter() - started)
                    assert isinstance(body, bytes)
                    mine.rows = len(json.loads(body)["results"]["bindings"])
                started = time.perf_counter()
                response = http.get(url, params={"query": f"{QUERIES[name]}\n# {i}"}, headers=headers)
                if i >= WARM_UP:
                    timing.latencies.append(time.perf_counter() - started)
                response.raise_for_status()
            if local_out is not None:
                local_out[name] = mine
            timing.rows = len(response.json()["results"]["bindings"])
            timing.requests, elapsed = asyncio.run(
                _load(url, QUERIES[name], clients, budget_s, max_requests, True)
            )
            timing.throughput = timing.requests / elapsed
            if cache_too:
                done, elapsed = asyncio.run(_load(url, QUERIES[name], clients, budget_s, max_requests, False))
                timing.cached_throughput = done / elapsed
            out[name] = timing
    return out


async def _load(
    url: str, query: str, clients: int, budget_s: float, max_requests: int, distinct: bool
) -> tuple[int, float]:
    """``clients`` concurrent clients send ``query`` until ``budget_s`` or ``max_requests``."""
    done = sent = 0
    started = time.perf_counter()
    deadline = started + budget_s

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal done, sent
        while time.perf_counter() < deadline and sent < max_requests:
            sent += 1
            text = f"{query}\n# load {sent}" if distinct else query
            response = await http.get(url, params={"query": text}, headers={"Accept": JSON_RESULTS})
            response.raise_for_status()
            done += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=900, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return done, time.perf_counter() - started


def measure_worker_overhead(link: Path, runs: int = 300) -> tuple[float, float]:
    """Median ms of a trivial query in process and through a worker process (pipe + pickling)."""
    sys.path.insert(0, str(ROOT))
    from kg.executor import ProcessExecutor, QueryJob, evaluate

    store = ox.Store.read_only(str(link.resolve() / "oxigraph"))
    local = []
    for i in range(runs):
        started = time.perf_counter()
        evaluate(store, QueryJob(f"ASK {{ ?s ?p ?o }} # {i}"))
        local.append(time.perf_counter() - started)
    executor = ProcessExecutor(link, workers=1, timeout=30)
    try:
        executor.run(QueryJob("ASK { ?s ?p ?o }"))
        pooled = []
        for i in range(runs):  # distinct texts: the result cache never answers
            started = time.perf_counter()
            executor.run(QueryJob(f"ASK {{ ?s ?p ?o }} # {i}"))
            pooled.append(time.perf_counter() - started)
    finally:
        executor.close()
    return statistics.median(local) * 1000, statistics.median(pooled) * 1000


# --------------------------------------------------------------------------- servers


def lskg_server(link: Path, port: int) -> tuple[list[str], dict[str, str]]:
    command = [
        sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    env = {
        "LSKG_STORE": str(link),
        # The defaults (600/min per address) would throttle the load generator itself.
        "LSKG_RATE_LIMIT_PER_MINUTE": "100000000",
        "LSKG_RATE_LIMIT_BURST": "100000",
        "LSKG_QUERY_TIMEOUT": "600",
    }
    return command, env


def rdflib_server(nt: Path, port: int) -> tuple[list[str], dict[str, str]]:
    script = textwrap.dedent(
        f"""
        import rdflib, uvicorn
        from rdflib_endpoint import SparqlEndpoint
        graph = rdflib.Graph()
        graph.parse({str(nt)!r}, format="nt")
        app = SparqlEndpoint(graph=graph, path="/sparql", public_url="http://127.0.0.1:{port}/sparql")
        uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning", access_log=False)
        """
    )
    return [sys.executable, "-c", script], {}


# --------------------------------------------------------------------------- report


def machine() -> dict[str, str]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as handle:
        total_kb = int(handle.readline().split()[1])
    versions = {}
    for package in (
        "lskg",
        "pyoxigraph",
        "rdflib",
        "rdflib-endpoint",
        "fastapi",
        "starlette",
        "uvicorn",
        "httpx",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu": cpu,
        "nproc": str(os.cpu_count()),
        "ram": f"{total_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "os": platform.platform(),
        **versions,
    }


def report(
    args: argparse.Namespace,
    sizes: dict[str, int],
    inproc: dict[str, Timing],
    ours: dict[str, dict[str, Timing]],
    theirs: dict[str, dict[str, Timing]],
    load_seconds: dict[str, float],
    overhead: tuple[float, float],
    loads: list[str],
    seconds: float,
) -> str:
    """The results page in Markdown."""
    info = machine()
    packages = ("lskg", "pyoxigraph", "rdflib", "rdflib-endpoint", "fastapi", "starlette", "uvicorn", "httpx")
    lines = [
        "# SPARQL endpoint benchmark",
        "",
        f"Written by `benchmarks/sparql_bench.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"in {seconds / 60:.1f} min. Numbers are measurements of one run, not assertions.",
        "",
        "## Machine",
        "",
        f"- CPU: {info['cpu']}, {info['nproc']} cores (`nproc`), RAM {info['ram']}",
        f"- Load average (1, 5, 15 min) at the start, between phases and at the end: {' | '.join(loads)}. "
        "The machine is shared with other work, so absolute figures move from run to run; each "
        "ratio compares measurements taken side by side.",
        f"- {info['os']}, Python {info['python']}",
        "- " + ", ".join(f"{p} {info[p]}" for p in packages),
        "",
        "## Setup",
        "",
        f"- Synthetic ecosystem graph (`benchmarks/synthetic.py`, seed {args.seed}) at two sizes, "
        f"{sizes['big']:,} and {sizes['small']:,} triples. As in an lskg build, every triple is in a "
        "named graph and once more in the default graph (the union); rdflib-endpoint is given the "
        "same triples once, in one rdflib `Graph`. Every comparison is on equal data.",
        f"- Latency: median of {args.runs} sequential runs, one client, `Accept: "
        f"application/sparql-results+json`, after {WARM_UP} warm-up runs over HTTP (one in process). "
        "In process = pyoxigraph `Store.query` + SPARQL JSON serialisation, the work the endpoint does, "
        "each in-process run alternating with an HTTP run.",
        f"- Throughput: {args.clients} concurrent clients (httpx, async, keep-alive) for at most "
        f"{args.budget:g} s (rdflib-endpoint: {args.budget * 2:g} s) or {args.max_requests} requests "
        "per query; the load generator runs on the same 2 cores as the servers.",
        "- /sparql requests carry a distinct text each (a numbered comment), so the result cache never "
        "answers them: these are engine numbers. The *cached* column repeats one text, as a "
        "dashboard does; builds never change, so a cached result is exact (see `kg.executor.ResultCache`).",
        "- /sparql: `uvicorn api.app:create_app --factory` on 127.0.0.1 with the service defaults (2 "
        "query worker processes, access-log middleware on) except the rate limit, raised so that it "
        "does not throttle the load generator. rdflib-endpoint: its `SparqlEndpoint` app on uvicorn.",
        "",
    ]
    for label in ("big", "small"):
        size = sizes[label]
        rd = theirs.get(label, {})
        lines += [
            f"## {size:,} triples",
            "",
        ]
        if label in load_seconds:
            lines += [f"rdflib-endpoint needed {load_seconds[label]:.0f} s to load the graph and start.", ""]
        lines += [
            "| query | rows | in-process | /sparql | ratio | /sparql req/s | /sparql req/s cached "
            "| rdflib-endpoint | rdflib-endpoint req/s | req/s ratio | cached req/s ratio |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name in QUERIES:
            b = ours[label][name]
            a = inproc.get(label, {}).get(name)
            c = rd.get(name)
            assert b.throughput is not None and b.cached_throughput is not None
            cells = [
                name,
                str(b.rows),
                f"{a.median_ms:.1f} ms" if a else "",
                f"{b.median_ms:.1f} ms",
                f"{b.median_ms / a.median_ms:.2f}x ({b.median_ms - a.median_ms:+.1f} ms)" if a else "",
                f"{b.throughput:.2f}",
                f"{b.cached_throughput:.0f}",
            ]
            if c is not None and c.throughput:
                cells += [
                    f"{c.median_ms:.0f} ms",
                    f"{c.throughput:.3f} ({c.requests} requests)",
                    f"{b.throughput / c.throughput:.1f}x",
                    f"{b.cached_throughput / c.throughput:.0f}x",
                ]
            else:
                cells += ["not run", "", "", ""]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    local, pooled = overhead
    lines += [
        "## Reading the numbers",
        "",
        "- Latency: the worker process and HTTP add a few milliseconds per query, whatever its size; "
        "on the big graph that is within the run-to-run noise of the shared machine.",
        "- Engine to engine, the gap to rdflib depends on the query: a two-pattern aggregation is "
        "what rdflib's in-memory indexes do well (a few times slower than Oxigraph), while string "
        "filters over every label and multi-hop joins are where it falls far behind. The 50x target "
        "on the aggregation is reached only with the result cache, which a repeated query meets "
        "on an immutable build.",
        "- Throughput on 2 cores is shared by the 2 query workers, the web process and the load "
        "generator; the cached figures are bounded by the HTTP stack, not by the store.",
        "",
        "## Worker overhead",
        "",
        f"A trivial `ASK` answered in process takes {local:.3f} ms (median of 300); through a query "
        f"worker process (pipe, pickling, result bytes back) {pooled:.3f} ms: "
        f"{pooled - local:.3f} ms of overhead per query, the price of being able to stop a query.",
        "",
        "## Targets",
        "",
    ]
    for label in ("big", "small"):
        local = inproc.get(label, {})
        if not local:
            continue
        worst = max(ours[label][n].median_ms / local[n].median_ms for n in QUERIES)
        met = all(ours[label][n].median_ms <= 1.5 * local[n].median_ms + HTTP_ALLOWANCE_MS for n in QUERIES)
        lines.append(
            f"- /sparql median latency within 1.5x of in-process pyoxigraph plus {HTTP_ALLOWANCE_MS:g} ms "
            f"of HTTP ({sizes[label]:,} triples): worst ratio {worst:.2f}x ({'met' if met else 'not met'})."
        )
    for label in ("big", "small"):
        rd = theirs.get(label, {}).get("area_sector")
        if rd is None or not rd.throughput:
            continue
        mine = ours[label]["area_sector"]
        assert mine.throughput is not None and mine.cached_throughput is not None
        engine, cached = mine.throughput / rd.throughput, mine.cached_throughput / rd.throughput
        lines.append(
            f"- At least 50x rdflib-endpoint's throughput on the aggregation ({sizes[label]:,} triples): "
            f"{engine:.1f}x engine to engine ({'met' if engine >= 50 else 'not met'}), "
            f"{cached:.0f}x with the result cache ({'met' if cached >= 50 else 'not met'})."
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmark and write ``benchmarks/results/sparql.md``."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rdflib-triples", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--budget", type=float, default=15.0, help="seconds of load per query")
    parser.add_argument("--max-requests", type=int, default=2000)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--quick", action="store_true", help="small graphs and short runs")
    parser.add_argument(
        "--no-rdflib-big",
        dest="rdflib_big",
        action="store_false",
        help="rdflib-endpoint on the small graph only",
    )
    parser.add_argument("--rdflib-load-timeout", type=float, default=900.0)
    args = parser.parse_args()
    if args.quick:
        args.triples, args.rdflib_triples, args.runs, args.budget = 100_000, 20_000, 3, 3.0
    started = time.perf_counter()
    args.work.mkdir(parents=True, exist_ok=True)
    sizes = {"big": args.triples, "small": args.rdflib_triples}
    links, triples_files = {}, {}
    for label, count in sizes.items():
        nq, nt = write_data(args.work, count, args.seed)
        links[label] = build_store(args.work, nq, str(count))
        triples_files[label] = nt
        print(f"data {label}: {count} triples -> {links[label]}", flush=True)

    inproc: dict[str, dict[str, Timing]] = {"big": {}, "small": {}}
    loads = [load_average()]
    overhead = measure_worker_overhead(links["small"])
    print(f"worker overhead: {overhead}", flush=True)
    ours: dict[str, dict[str, Timing]] = {}
    for label in ("big", "small"):
        port = free_port()
        command, env = lskg_server(links[label], port)
        url = f"http://127.0.0.1:{port}/sparql"
        with server(command, env, f"{url}?query=ASK%7B%7D", timeout=120):
            ours[label] = measure_http(
                url,
                args.runs,
                args.clients,
                args.budget,
                args.max_requests,
                list(QUERIES),
                cache_too=True,
                local=in_process(links[label]),
                local_out=inproc[label],
            )
        loads.append(load_average())
        print(
            f"/sparql {label}:",
            {n: (round(t.median_ms, 1), t.throughput, t.cached_throughput) for n, t in ours[label].items()},
            flush=True,
        )
    theirs: dict[str, dict[str, Timing]] = {}
    load_seconds: dict[str, float] = {}
    for label in ("small", "big") if args.rdflib_big else ("small",):
        port = free_port()
        command, env = rdflib_server(triples_files[label], port)
        url = f"http://127.0.0.1:{port}/sparql"
        loading = time.perf_counter()
        try:
            with server(command, env, f"{url}?query=ASK%7B%7D", timeout=args.rdflib_load_timeout):
                load_seconds[label] = time.perf_counter() - loading
                runs = max(1, args.runs // 2) if label == "small" else 1
                theirs[label] = measure_http(
                    url, runs, args.clients, args.budget * 2, args.max_requests, list(QUERIES)
                )
        except RuntimeError as exc:
            print(f"rdflib-endpoint {label}: {exc}", flush=True)
            continue
        print(
            f"rdflib-endpoint {label}:",
            {n: (round(t.median_ms, 1), t.throughput) for n, t in theirs[label].items()},
            flush=True,
        )

    loads.append(load_average())
    text = report(
        args, sizes, inproc, ours, theirs, load_seconds, overhead, loads, time.perf_counter() - started
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
