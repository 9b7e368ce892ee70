"""Load test: a mixed workload from concurrent clients against a uvicorn server on 127.0.0.1.

Request types: entity pages (HTML and JSON), named queries, a SPARQL aggregation, and the
N-Quads dump (HEAD and GET). Each client picks a type at random (seeded) by weight, one request
at a time. The server runs as ``lskg serve`` would (uvicorn, the store, query worker processes)
with the rate limit raised out of the way. Before the timed window, one request of each type
warms the server up (the first dump request writes the dump file of the store version); those
are reported apart. Results go to a Markdown file: per type, requests, throughput, p50/p99
latency, 4xx/5xx/connection-error counts and the share of entity pages answered from the
response cache, with p50/p99 of those that were not; then the machine and its load average.

Each ``--run BACKEND:GRAPH`` is one table: BACKEND is ``embedded`` (the on-disk Oxigraph store)
or ``virtuoso`` (Debian's ``virtuoso-t`` on 127.0.0.1, started here and loaded with the same
quads, see tests/remote/virtuoso.py); GRAPH is ``real`` (the project's data, built fresh unless
``--store`` is given) or ``1m`` (the real data plus a seeded synthetic graph of ``--triples``
triples, see benchmarks/synthetic_store.py).

    python benchmarks/load_test.py --clients 32 --seconds 60 --run embedded:real --run embedded:1m \
        --run virtuoso:real --run virtuoso:1m

Results are written, not asserted (tests/load/test_short_load.py asserts no errors).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
ENTITY_KINDS = ("entity page (HTML)", "entity (JSON)")
AGGREGATION = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s rdf:type ?type } GROUP BY ?type ORDER BY DESC(?n)"""
ORGANISATIONS = """SELECT DISTINCT ?org WHERE { ?org <https://w3id.org/lskg/ontology#sector> ?sector }
ORDER BY ?org LIMIT 500"""
# Request type: weight (out of 100).
WEIGHTS = {
    "entity page (HTML)": 25,
    "entity (JSON)": 20,
    "named query": 20,
    "SPARQL aggregation": 20,
    "HEAD /dump.nq": 10,
    "GET /dump.nq": 5,
}


@dataclass
class Stats:
    """Latencies and outcomes of one request type."""

    latencies: list[float] = field(default_factory=list)
    client_errors: int = 0
    server_errors: int = 0
    connection_errors: int = 0
    # Latencies of answers the response cache did not have (X-LSKG-Cache: miss).
    misses: list[float] = field(default_factory=list)
    hits: int = 0
    # Body bytes as they came over the wire (compressed, if the server compressed them).
    received: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.connection_errors


@dataclass
class Server:
    """A uvicorn subprocess over a store, in its own process group."""

    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        """Stop the server and its workers (SIGTERM, then SIGKILL after 10 s)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(store: Path | str, workers: int | None = None) -> Iterator[Server]:
    """Run ``uvicorn --factory api.app:create_app`` over ``store`` (a store path or a
    ``sparql+http://`` URL) on a free 127.0.0.1 port."""
    port = free_port()
    env = {
        **os.environ,
        "LSKG_STORE": str(store),
        "LSKG_ACCESS_LOG": "false",
        "LSKG_RATE_LIMIT_PER_MINUTE": "100000000",
        "LSKG_RATE_LIMIT_BURST": "10000000",
    }
    if workers is not None:
        env["LSKG_QUERY_WORKERS"] = str(workers)
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (
                    httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}, timeout=2).status_code
                    == 200
                ):
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not answer within 30 s")
            time.sleep(0.1)
        yield server
    finally:
        server.stop()


@dataclass
class Targets:
    """What the workload asks for: entity slugs and named queries without parameters."""

    organisations: list[str]
    queries: list[str]


def discover(url: str, client: httpx.Client | None = None) -> Targets:
    """Read the entities and named queries the server offers."""
    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(httpx.Client(base_url=url, timeout=300))
        json = {"Accept": "application/json"}
        listed = client.get("/organisations", params={"limit": 500}, headers=json)
        if listed.status_code == 200:
            iris = [item["iri"] for item in listed.json()["items"]]
        else:
            # Virtuoso cannot run the collection's rdfs:subClassOf+ from an unbound start
            # (a known difference, see tests/remote): the organisations come from /sparql instead.
            found = client.get(
                "/sparql",
                params={"query": ORGANISATIONS},
                headers={"Accept": "application/sparql-results+json"},
            )
            found.raise_for_status()
            iris = [row["org"]["value"] for row in found.json()["results"]["bindings"]]
        queries = client.get("/queries", headers=json).json()
    slugs = [iri.rsplit("/", 1)[1] for iri in iris if "/id/org/" in iri]
    names = [q["name"] for q in queries if not q["parameters"] and not q.get("violation_check")]
    if not slugs or not names:
        raise RuntimeError("the server offers no organisations or no named queries to load")
    return Targets(slugs, names)


async def _one(
    client: httpx.AsyncClient, kind: str, targets: Targets, rng: random.Random, received: list[int]
) -> httpx.Response:
    if kind == "entity page (HTML)":
        slug = rng.choice(targets.organisations)
        return await client.get(f"/id/org/{slug}", headers={"Accept": "text/html"})
    if kind == "entity (JSON)":
        return await client.get(f"/organisations/{rng.choice(targets.organisations)}")
    if kind == "named query":
        return await client.get(
            f"/queries/{rng.choice(targets.queries)}", headers={"Accept": "application/json"}
        )
    if kind == "SPARQL aggregation":
        return await client.post(
            "/sparql", data={"query": AGGREGATION}, headers={"Accept": "application/sparql-results+json"}
        )
    if kind == "HEAD /dump.nq":
        return await client.head("/dump.nq")
    # The dump is read to the end and let go chunk by chunk, as a downloader writing it to disk
    # would: counted as it comes (gzip, as httpx asks for by default), neither decompressed nor
    # kept, so that the load generator does not take the CPU the server needs.
    async with client.stream("GET", "/dump.nq") as response:
        async for chunk in response.aiter_raw(1024 * 1024):
            received[0] += len(chunk)
    return response


async def _client(
    url: str, targets: Targets, stats: dict[str, Stats], seed: int, stop_at: float, max_requests: int
) -> None:
    rng = random.Random(seed)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for n in range(max_requests):
            if time.monotonic() >= stop_at:
                return
            # Each client starts with its own type, so every type runs at least once whenever
            # there are as many clients as types; then by weight.
            kind = kinds[seed % len(kinds)] if n == 0 else rng.choices(kinds, weights)[0]
            started = time.perf_counter()
            received = [0]
            try:
                response = await _one(client, kind, targets, rng, received)
            except httpx.HTTPError:
                stats[kind].connection_errors += 1
                continue
            finally:
                stats[kind].received += received[0]
            elapsed = time.perf_counter() - started
            stats[kind].latencies.append(elapsed)
            cache = response.headers.get("x-lskg-cache")
            if cache == "hit":
                stats[kind].hits += 1
            elif cache == "miss":
                stats[kind].misses.append(elapsed)
            if 400 <= response.status_code < 500:
                stats[kind].client_errors += 1
            elif response.status_code >= 500:
                stats[kind].server_errors += 1


def _run(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``main`` on an event loop of its own thread: the caller may have a loop running in
    this one (a test session after Playwright's synchronous API, for one), and ``asyncio.run``
    refuses to start inside a running loop."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-clients") as pool:
        pool.submit(asyncio.run, main()).result()


def warm_up(url: str, targets: Targets) -> dict[str, float]:
    """One request of each type, one after the other: the seconds each took (not in the stats)."""
    rng = random.Random(0)
    took: dict[str, float] = {}

    async def main() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=600) as client:
            for kind in WEIGHTS:
                started = time.perf_counter()
                response = await _one(client, kind, targets, rng, [0])
                response.raise_for_status()
                took[kind] = time.perf_counter() - started

    _run(main)
    return took


def service_times(url: str, targets: Targets, n: int = 30) -> dict[str, list[float]]:
    """Latencies of entity answers with one client and no other load from this script: each of
    ``n`` organisations not requested before (computed), then the same again (from the cache)."""
    times: dict[str, list[float]] = {}
    slugs = targets.organisations[-n:]
    with httpx.Client(base_url=url, timeout=120) as client:
        for kind, path, accept in (
            ("entity page (HTML)", "/id/org/{}", "text/html"),
            ("entity (JSON)", "/organisations/{}", "application/json"),
        ):
            for _ in range(2):
                for slug in slugs:
                    started = time.perf_counter()
                    response = client.get(path.format(slug), headers={"Accept": accept})
                    took = time.perf_counter() - started
                    response.raise_for_status()
                    state = "cached" if response.headers.get("x-lskg-cache") == "hit" else "computed"
                    times.setdefault(f"{kind}, {state}", []).append(took)
    return times


def run_load(
    url: str,
    clients: int,
    seconds: float,
    seed: int = 7,
    max_requests: int = 1_000_000,
    targets: Targets | None = None,
) -> dict[str, Stats]:
    """Run ``clients`` concurrent clients for ``seconds`` (each at most ``max_requests``)."""
    targets = targets or discover(url)
    stats = {kind: Stats() for kind in WEIGHTS}

    async def main() -> None:
        stop_at = time.monotonic() + seconds
        await asyncio.gather(
            *(_client(url, targets, stats, seed + n, stop_at, max_requests) for n in range(clients))
        )

    _run(main)
    return stats


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def machine() -> dict[str, str]:
    """nproc, RAM, CPU model and the versions that matter."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    versions = ", ".join(
        f"{name} {version(name)}"
        for name in ("lskg", "pyoxigraph", "fastapi", "starlette", "uvicorn", "httpx")
    )
    return {
        "nproc": str(os.cpu_count()),
        "RAM": ram,
        "CPU": cpu,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "versions": versions,
    }


def cpu_seconds(server_session: int) -> dict[str, float]:
    """CPU seconds used so far (user + system): the server process, its query workers and
    dump writers (every other process of its session), this load generator, and the machine.

    Differences of two readings say who had the cores during the window; Linux only (empty
    elsewhere).
    """
    tick = os.sysconf("SC_CLK_TCK")
    used = {"server process": 0.0, "query workers and dump writers": 0.0}
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                # Fields after the command name (which may hold spaces): state is field 3.
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) != server_session:
                continue
            seconds = (int(fields[11]) + int(fields[12])) / tick
            key = "server process" if int(entry.name) == server_session else "query workers and dump writers"
            used[key] += seconds
        own = os.times()
        used["load generator"] = own.user + own.system
        cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        # user, nice, system, irq, softirq: busy time of all cores (steal is the hypervisor's).
        used["machine (all processes)"] = sum(int(cpu[i]) for i in (0, 1, 2, 5, 6)) / tick
        return used
    return {}


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (as ``uptime`` prints them)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


@dataclass
class Run:
    """One table of the results: a backend and graph, its setup and what the clients saw."""

    backend: str
    graph: str
    store: str
    quads: int
    setup: str
    load_before: str
    load_after: str
    warm: dict[str, float]
    service: dict[str, list[float]]
    stats: dict[str, Stats]
    # CPU seconds each part used during the timed window (see cpu_seconds).
    cpu: dict[str, float] = field(default_factory=dict)


def _ms(values: list[float], q: float) -> str:
    return f"{_percentile(values, q) * 1000:.1f}" if values else "–"


def table(run: Run, seconds: float) -> list[str]:
    """The Markdown section of one run."""
    lines = [
        f"## {run.backend}, {run.graph} ({run.quads:,} quads in named graphs)",
        "",
        f"Store: {run.store}. {run.setup}",
        f"Load average (1, 5, 15 min) at the start: {run.load_before}; at the end: {run.load_after}.",
        "",
        "| request type | weight | requests | req/s | p50 ms | p99 ms | 4xx | 5xx | connection errors "
        "| from cache | p50 ms not cached | p99 ms not cached |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total = Stats()
    for s in run.stats.values():
        total.latencies += s.latencies
        total.client_errors += s.client_errors
        total.server_errors += s.server_errors
        total.connection_errors += s.connection_errors
    for kind, s in [*run.stats.items(), ("**all**", total)]:
        weight = str(WEIGHTS.get(kind, 100))
        cached = f"{s.hits / len(s.latencies):.0%}" if kind in ENTITY_KINDS and s.latencies else ""
        cold = [_ms(s.misses, 50), _ms(s.misses, 99)] if kind in ENTITY_KINDS else ["", ""]
        lines.append(
            f"| {kind} | {weight} | {s.requests} | {s.requests / seconds:.1f} | "
            f"{_ms(s.latencies, 50)} | {_ms(s.latencies, 99)} | "
            f"{s.client_errors} | {s.server_errors} | {s.connection_errors} | {cached} | {' | '.join(cold)} |"
        )
    dumps = run.stats["GET /dump.nq"]
    if dumps.latencies:
        lines += [
            "",
            f"GET /dump.nq: {dumps.received / 1e6:,.1f} MB received in the window "
            f"({dumps.received / len(dumps.latencies) / 1e6:,.1f} MB a download, as sent: "
            "the client accepts gzip).",
        ]
    if run.cpu:
        wall = run.cpu.get("wall clock", seconds)
        lines += [
            "",
            f"CPU seconds used while the clients ran ({wall:.0f} s: the {seconds:g} s window and the "
            f"requests still running at its end; {os.cpu_count()} cores, so at most {wall * (os.cpu_count() or 1):.0f}): "
            + ", ".join(f"{part} {used:.1f}" for part, used in run.cpu.items() if part != "wall clock")
            + ". Virtuoso (`virtuoso-t`) counts in the machine total only.",
        ]
    warm = ", ".join(f"{kind} {took * 1000:.0f} ms" for kind, took in run.warm.items())
    lines += ["", f"Warm-up (one request of each type before the timed window): {warm}."]
    if run.service:
        lines += [
            "",
            "One client alone (before the timed window, other helpers' load still on the machine): "
            + "; ".join(
                f"{kind} p50 {_ms(t, 50)} ms, max {max(t) * 1000:.1f} ms" for kind, t in run.service.items()
            )
            + ".",
        ]
    return [*lines, ""]


def report(runs: list[Run], clients: int, seconds: float, workers: str) -> str:
    """The results as Markdown."""
    flags = " ".join(f"--run {r.backend}:{r.graph}" for r in runs)
    lines = [
        "# Load test",
        "",
        f"`python benchmarks/load_test.py --clients {clients} --seconds {seconds:g} {flags}`: {clients}",
        f"clients for {seconds:g} s against a uvicorn server on 127.0.0.1 (one process, {workers} query",
        "worker processes, rate limit raised). Each client sends one request at a time; the type is",
        "drawn by weight; entity pages are drawn from the first 500 organisations of `/organisations`.",
        "The load generator runs on the same machine and competes with the server for its 2 cores,",
        "and **the machine is shared with other helpers running test suites at the same time** (see",
        "the load averages of each run): figures are comparable within a run, less so across runs.",
        "",
        '"from cache" is the share of entity answers the response cache had (`X-LSKG-Cache: hit`);',
        "the last two columns are the latencies of those it had to compute.",
        "",
    ]
    for run in runs:
        lines += table(run, seconds)
    lines += ["## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in machine().items()]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def virtuoso_over(store: Path, directory: Path) -> Iterator[tuple[str, str]]:
    """A ``virtuoso-t`` on 127.0.0.1 loaded with the named graphs of the embedded ``store``:
    its ``sparql+http://`` URL and how long loading took."""
    sys.path.insert(0, str(ROOT))
    from kg.config import Settings
    from kg.remote import RemoteSparqlStore, load_dataset
    from kg.store import open_store
    from tests.remote import virtuoso as virtuoso_module
    from tests.remote.virtuoso import start_virtuoso

    # Loading swaps every staging graph in one transaction: for the 1M graph that needs more
    # than the test server's limits (docs/remote-stores.md), as benchmarks/bulk_load.py does.
    if "TransactionAfterImageLimit" not in virtuoso_module._INI:
        virtuoso_module._INI = virtuoso_module._INI.replace(
            "MaxQueryExecutionTime = 60", "MaxQueryExecutionTime = 3600"
        ).replace("[Parameters]\n", "[Parameters]\nTransactionAfterImageLimit = 1500000000\n")
    server = start_virtuoso(directory)
    try:
        source = open_store(store)
        graphs: dict[str, list[ox.Quad]] = {}
        for quad in source.quads():
            assert isinstance(quad.graph_name, ox.NamedNode)
            graphs.setdefault(quad.graph_name.value, []).append(quad)
        remote = RemoteSparqlStore.from_settings(Settings(store=server.store_url, query_timeout=900))
        loaded = load_dataset(remote, graphs, source.version)
        yield server.store_url, f"loaded in {loaded.seconds:.0f} s ({loaded.requests} update requests)"
    finally:
        server.stop()


def _quads(store: Path) -> int:
    from kg.store import open_store

    return len(open_store(store))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--run",
        action="append",
        choices=["embedded:real", "embedded:1m", "virtuoso:real", "virtuoso:1m"],
        help="a backend and graph to load (repeatable; default embedded:real)",
    )
    parser.add_argument(
        "--store", type=Path, help="a built store of the real data (default: build it in a temp dir)"
    )
    parser.add_argument("--synthetic-store", type=Path, help="a store written by synthetic_store.py")
    parser.add_argument("--triples", type=int, default=1_000_000, help="synthetic triples for 1m")
    parser.add_argument("--workers", type=int, help="query worker processes (default: the service's)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "load.md")
    args = parser.parse_args()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="lskg-load-") as tmp:
        real = args.store
        if real is None:
            from kg.build import build
            from kg.config import Settings

            real = Path(tmp) / "store"
            build(Settings(store=str(real)), force=True)
        synthetic = args.synthetic_store
        for spec in args.run or ["embedded:real"]:
            backend, graph = spec.split(":")
            store = real
            setup = "The real data." if graph == "real" else ""
            if graph == "1m":
                if synthetic is None:
                    from synthetic_store import write_synthetic_store

                    started = time.perf_counter()
                    synthetic = write_synthetic_store(real, args.triples, Path(tmp) / "synthetic")
                    print(f"wrote the synthetic store in {time.perf_counter() - started:.0f} s", flush=True)
                store = synthetic
                setup = (
                    f"The real data plus {args.triples:,} synthetic triples (benchmarks/synthetic_store.py)."
                )
            with contextlib.ExitStack() as stack:
                target: Path | str = store
                if backend == "virtuoso":
                    target, loaded = stack.enter_context(
                        virtuoso_over(store, Path(tmp) / f"virtuoso-{graph}")
                    )
                    setup += f" Virtuoso {loaded}."
                server = stack.enter_context(serve(target, args.workers))
                with httpx.Client(base_url=server.url, timeout=600) as client:
                    targets = discover(server.url, client)
                warm = warm_up(server.url, targets)
                service = service_times(server.url, targets)
                before = load_average()
                cpu_before = cpu_seconds(server.process.pid)
                started = time.perf_counter()
                stats = run_load(server.url, args.clients, args.seconds, targets=targets)
                wall = time.perf_counter() - started
                cpu_after = cpu_seconds(server.process.pid)
                after = load_average()
            cpu = {k: cpu_after[k] - cpu_before[k] for k in cpu_after if k in cpu_before}
            cpu["wall clock"] = wall
            runs.append(
                Run(
                    backend, graph, str(store), _quads(store), setup, before, after, warm, service, stats, cpu
                )
            )
            print("\n".join(table(runs[-1], args.seconds)), flush=True)
    workers = str(args.workers) if args.workers else os.environ.get("LSKG_QUERY_WORKERS", "2 (default)")
    text = report(runs, args.clients, args.seconds, workers)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
