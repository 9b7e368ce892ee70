"""Load test: a mixed workload from concurrent clients against a uvicorn server on 127.0.0.1.

Request types: entity pages (HTML and JSON), named queries, a SPARQL aggregation, and the
N-Quads dump (HEAD and GET). Each client picks a type at random (seeded) by weight, one request
at a time. The server runs as ``lskg serve`` would (uvicorn, the on-disk store, query worker
processes) with the rate limit raised out of the way. Results go to a Markdown file: per type,
requests, throughput, p50/p99 latency, and 4xx/5xx/connection-error counts, with the machine.

    python benchmarks/load_test.py --clients 32 --seconds 60 --store var/store
    python benchmarks/load_test.py --clients 32 --seconds 60      # builds the real data first

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
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
AGGREGATION = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s rdf:type ?type } GROUP BY ?type ORDER BY DESC(?n)"""
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
def serve(store: Path, workers: int | None = None) -> Iterator[Server]:
    """Run ``uvicorn --factory api.app:create_app`` over ``store`` on a free 127.0.0.1 port."""
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


def discover(url: str) -> Targets:
    """Read the entities and named queries the server offers."""
    with httpx.Client(base_url=url, timeout=30, headers={"Accept": "application/json"}) as client:
        orgs = client.get("/organisations", params={"limit": 500}).json()["items"]
        queries = client.get("/queries").json()
    slugs = [item["iri"].rsplit("/", 1)[1] for item in orgs]
    names = [q["name"] for q in queries if not q["parameters"] and not q.get("violation_check")]
    if not slugs or not names:
        raise RuntimeError("the server offers no organisations or no named queries to load")
    return Targets(slugs, names)


async def _one(client: httpx.AsyncClient, kind: str, targets: Targets, rng: random.Random) -> httpx.Response:
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
    return await client.get("/dump.nq")


async def _client(
    url: str, targets: Targets, stats: dict[str, Stats], seed: int, stop_at: float, max_requests: int
) -> None:
    rng = random.Random(seed)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        for _ in range(max_requests):
            if time.monotonic() >= stop_at:
                return
            kind = rng.choices(kinds, weights)[0]
            started = time.perf_counter()
            try:
                response = await _one(client, kind, targets, rng)
                await response.aread()
            except httpx.HTTPError:
                stats[kind].connection_errors += 1
                continue
            stats[kind].latencies.append(time.perf_counter() - started)
            if 400 <= response.status_code < 500:
                stats[kind].client_errors += 1
            elif response.status_code >= 500:
                stats[kind].server_errors += 1


def run_load(
    url: str, clients: int, seconds: float, seed: int = 7, max_requests: int = 1_000_000
) -> dict[str, Stats]:
    """Run ``clients`` concurrent clients for ``seconds`` (each at most ``max_requests``)."""
    targets = discover(url)
    stats = {kind: Stats() for kind in WEIGHTS}

    async def main() -> None:
        stop_at = time.monotonic() + seconds
        await asyncio.gather(
            *(_client(url, targets, stats, seed + n, stop_at, max_requests) for n in range(clients))
        )

    asyncio.run(main())
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


def report(stats: dict[str, Stats], clients: int, seconds: float, store: str, workers: str) -> str:
    """The results as Markdown."""
    lines = [
        "# Load test",
        "",
        f"`python benchmarks/load_test.py --clients {clients} --seconds {seconds:g}` against a uvicorn",
        f"server on 127.0.0.1 (one process, {workers} query worker processes, rate limit raised) over",
        f"the store `{store}`. Each client sends one request at a time; the type is drawn by weight.",
        "The load generator runs on the same machine and competes with the server for its cores.",
        "",
        "| request type | weight | requests | req/s | p50 ms | p99 ms | 4xx | 5xx | connection errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total = Stats()
    for s in stats.values():
        total.latencies += s.latencies
        total.client_errors += s.client_errors
        total.server_errors += s.server_errors
        total.connection_errors += s.connection_errors
    for kind, s in [*stats.items(), ("**all**", total)]:
        weight = str(WEIGHTS.get(kind, 100))
        lines.append(
            f"| {kind} | {weight} | {s.requests} | {s.requests / seconds:.1f} | "
            f"{_percentile(s.latencies, 50) * 1000:.1f} | {_percentile(s.latencies, 99) * 1000:.1f} | "
            f"{s.client_errors} | {s.server_errors} | {s.connection_errors} |"
        )
    lines += ["", "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in machine().items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--store", type=Path, help="a built store (default: build the real data in a temp dir)"
    )
    parser.add_argument("--workers", type=int, help="query worker processes (default: the service's)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "load.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lskg-load-") as tmp:
        store = args.store
        if store is None:
            from kg.build import build
            from kg.config import Settings

            store = Path(tmp) / "store"
            build(Settings(store=str(store)), force=True)
        with serve(store, args.workers) as server:
            stats = run_load(server.url, args.clients, args.seconds)
    workers = str(args.workers) if args.workers else os.environ.get("LSKG_QUERY_WORKERS", "2 (default)")
    store_name = str(args.store) if args.store else "the real data, built fresh"
    text = report(stats, args.clients, args.seconds, store_name, workers)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
