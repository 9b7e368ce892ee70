"""Bulk load: seconds, triples/s and peak memory of ``lskg import FILE.nt`` into each backend.

For each size (default 1M and 10M synthetic triples, benchmarks/synthetic.py, plus the triples
describing its roles and areas so that it validates), one N-Triples file is imported by:

- embedded Oxigraph: ``lskg import`` (streamed, validated by SPARQL SHACL, written as a new
  build and swapped in) against the baseline in the same run, ``pyoxigraph.Store.bulk_load``
  of the same file into an empty store (no validation, no union graph, no swap);
- Virtuoso (``virtuoso-t`` on 127.0.0.1, started here): ``lskg import --store sparql+http://…``
  against Virtuoso's own bulk loader (``ld_dir`` + ``rdf_loader_run`` through ``isql-vt``),
  each on a fresh server (tests/remote/virtuoso.py's configuration, ``MaxQueryExecutionTime``
  raised from 60 s to an hour and ``TransactionAfterImageLimit`` from 50 MB to 2 GB: the swap
  request of an import is one transaction as large as the dump, and 20 GB made Virtuoso
  refuse even the build's inserts; ``NumberOfBuffers`` 340,000 and ``MaxDirtyBuffers`` 250,000,
  Virtuoso's figures for 4 GB of RAM).

Every loader runs as a child process; its peak RSS is its own ``ru_maxrss`` (``os.wait4``), and
Virtuoso's is the largest ``VmRSS`` read from /proc while the load runs. A loader still running
after ``--limit`` seconds is stopped and its partial throughput (triples read so far, from
``lskg import --progress``) is recorded as such. The old row, ``lskg build`` of a data directory
(parse everything, SHACL, load), is kept at ``--build-triples`` for comparison.

    python benchmarks/bulk_load.py --sizes 1000000 10000000 --build-triples 100000
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from synthetic import BASE, ROLES, generate  # noqa: E402 (benchmarks/ is not a package)

SYNTHETIC_AREAS = 8  # benchmarks/synthetic.py's n_areas
SKOS = "http://www.w3.org/2004/02/skos/core#"
GRAPH = f"{BASE}graph/dump-synthetic"
_BASELINE = """
import sys
import pyoxigraph as ox
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(sys.argv[3]))
store.flush()
"""


def vocabulary() -> list[str]:
    """Triples describing the roles and areas the generator names without describing them (an
    org:Role with a label; an area with a Swedish label in a concept scheme), as the shapes ask."""
    scheme = f"<{BASE}id/scheme/synthetic-areas>"
    lines = [f"{scheme} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SKOS}ConceptScheme> ."]
    for n, role in enumerate(ROLES):
        role_iri = f"<{BASE}id/role/{n}>"
        lines.append(
            f"{role_iri} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/org#Role> ."
        )
        lines.append(f'{role_iri} <{SKOS}prefLabel> "{role}"@en .')
        lines.append(f'{role_iri} <{SKOS}prefLabel> "{role}"@sv .')
    for n in range(SYNTHETIC_AREAS):
        lines.append(f'<{BASE}id/area/{n}> <{SKOS}prefLabel> "Område {n}"@sv .')
        lines.append(f"<{BASE}id/area/{n}> <{SKOS}inScheme> {scheme} .")
    return lines


def write_data_dir(triples: int, data_dir: Path, nquads: Path) -> int:
    """Write the synthetic graph as data files (one per source) and as N-Quads; return its triples."""
    by_source: dict[str, list[str]] = defaultdict(list)
    with nquads.open("w", encoding="utf-8") as flat:
        for line in generate(triples):
            head, _, graph = line.rstrip(" .").rpartition(" ")
            if not graph.startswith(f"<{BASE}graph/"):
                continue  # the default-graph copy: every build derives the union itself
            flat.write(line + "\n")
            by_source[graph[len(f"<{BASE}graph/") : -1]].append(head)
    # The generator names roles and areas without describing them as the shapes require (an
    # org:Role with a label; an area with one Swedish label in a concept scheme): one more source
    # describes them, so that the build validates and loads instead of stopping.
    vocabulary = by_source["synthetic-vocabulary"]
    scheme = f"<{BASE}id/scheme/synthetic-areas>"
    skos = "http://www.w3.org/2004/02/skos/core#"
    vocabulary.append(f"{scheme} a <{skos}ConceptScheme>")
    for n, role in enumerate(ROLES):
        vocabulary.append(f"<{BASE}id/role/{n}> a <http://www.w3.org/ns/org#Role>")
        vocabulary.append(f'<{BASE}id/role/{n}> <{skos}prefLabel> "{role}"@en, "{role}"@sv')
    for n in range(SYNTHETIC_AREAS):
        vocabulary.append(f'<{BASE}id/area/{n}> <{skos}prefLabel> "Område {n}"@sv')
        vocabulary.append(f"<{BASE}id/area/{n}> <{skos}inScheme> {scheme}")
    count = 0
    for source, facts in by_source.items():
        web = f"<{BASE}id/websource/{source}>"
        lines = [
            "@prefix lskg: <https://w3id.org/lskg/ontology#> .",
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
            "@prefix schema: <https://schema.org/> .",
            "@prefix dcterms: <http://purl.org/dc/terms/> .",
            "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
            f'{web} a lskg:WebSource ; rdfs:label "Synthetic source {source}"@en ;',
            f'    schema:url <https://example.org/{source}> ; dcterms:date "2026-01-01"^^xsd:date .',
            f"GRAPH {web} {{",
            *(f"  {fact} ." for fact in facts),
            "}",
        ]
        (data_dir / f"{source}.trig").write_text("\n".join(lines) + "\n", encoding="utf-8")
        count += len(facts)
    return count


def write_ntriples(triples: int, path: Path) -> int:
    """The synthetic graph as one N-Triples file (named-graph copies only); its line count."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for line in vocabulary():
            out.write(line + "\n")
            count += 1
        for line in generate(triples):
            head, _, graph = line.rstrip(" .").rpartition(" ")
            if graph.startswith(f"<{BASE}graph/"):
                out.write(head + " .\n")
                count += 1
    return count


@dataclass
class Run:
    """One loader's run: wall seconds, own peak RSS (kB), server peak RSS (kB) and outcome."""

    seconds: float
    rss_kb: int
    server_kb: int | None
    code: int | None
    read: int | None
    stderr: str

    @property
    def finished(self) -> bool:
        return self.code == 0


class RssSampler:
    """The largest VmRSS of a process, sampled every 0.2 s from /proc while running."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        if self.pid is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self.pid is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, rss_kb(self.pid))


def rss_kb(pid: int | None) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(match.group(1)) if match else 0


def run(command: list[str], limit: float, server_pid: int | None = None) -> Run:
    """Run ``command`` in its own process group; stop it after ``limit`` seconds."""
    started = time.perf_counter()
    errors = tempfile.TemporaryFile()  # noqa: SIM115 (read back after the child exits)
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True
    )
    code: int | None = None
    rusage = None
    with RssSampler(server_pid) as sampler:
        while time.perf_counter() - started < limit:
            pid, status, rusage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        if code is None:
            os.killpg(process.pid, signal.SIGKILL)
            _, _, rusage = os.wait4(process.pid, 0)
    process.returncode = code if code is not None else -9
    errors.seek(0)
    stderr = errors.read().decode("utf-8", "replace")
    read = [int(n) for n in re.findall(r"read (\d+) triples", stderr)]
    return Run(
        seconds,
        rusage.ru_maxrss if rusage else 0,
        sampler.peak or None,
        code,
        read[-1] if read else None,
        stderr,
    )


def lskg() -> str:
    return str(Path(sys.executable).with_name("lskg"))


def embedded(nt: Path, work: Path, limit: float) -> tuple[Run, Run]:
    """Baseline bulk_load and ``lskg import`` into an embedded store built from the curated data."""
    base = run([sys.executable, "-c", _BASELINE, str(nt), str(work / "baseline"), GRAPH], limit)
    shutil.rmtree(work / "baseline", ignore_errors=True)
    store = work / "store"
    subprocess.run(
        [lskg(), "build", "--store", str(store), "--force"], check=True, capture_output=True, cwd=ROOT
    )
    ours = run([lskg(), "import", str(nt), "--name", "synthetic", "--store", str(store), "--progress"], limit)
    shutil.rmtree(work / "store.builds", ignore_errors=True)
    (work / "store").unlink(missing_ok=True)
    return base, ours


def virtuoso(nt: Path, work: Path, limit: float) -> tuple[Run, Run]:
    """Virtuoso's bulk loader and ``lskg import`` into a fresh server each."""
    import tests.remote.virtuoso as test_server
    from tests.remote.virtuoso import start_virtuoso

    # The test servers stop any query or update after 60 s and abort a transaction whose log
    # exceeds 50 MB (SR325); the swap request of a million-triple import (MOVE and ADD of the
    # whole graph, one transaction) needs more of both.
    # Both servers also get the buffers Virtuoso's documentation gives for 4 GB of RAM (the
    # tests' 20,000 pages, 160 MB, are far below ten million triples' indexes).
    test_server._INI = (  # type: ignore[attr-defined]
        test_server._INI.replace("MaxQueryExecutionTime = 60", "MaxQueryExecutionTime = 3600")
        .replace("[Parameters]\n", "[Parameters]\nTransactionAfterImageLimit = 2000000000\n")
        .replace("NumberOfBuffers = 20000", "NumberOfBuffers = 340000")
        .replace("MaxDirtyBuffers = 15000", "MaxDirtyBuffers = 250000")
    )
    isql = shutil.which("isql-vt") or shutil.which("isql")
    server = start_virtuoso(work / "virtuoso-baseline")
    try:
        loaddir = server.directory / "load"
        loaddir.mkdir()
        os.link(nt, loaddir / nt.name)
        script = f"ld_dir('{loaddir}', '{nt.name}', '{GRAPH}');\nrdf_loader_run();\ncheckpoint;\n"
        script_path = work / "load.sql"
        script_path.write_text(script, encoding="utf-8")
        assert isql is not None, "isql-vt is not installed"
        command = [isql, f"127.0.0.1:{server.sql_port}", "dba", "dba", str(script_path)]
        base = run(command, limit, server.process.pid if server.process else None)
    finally:
        server.stop()
        shutil.rmtree(work / "virtuoso-baseline", ignore_errors=True)
    server = start_virtuoso(work / "virtuoso-lskg")
    try:
        subprocess.run(
            [lskg(), "build", "--store", server.store_url, "--force"],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        ours = run(
            [lskg(), "import", str(nt), "--name", "synthetic", "--store", server.store_url, "--progress"],
            limit,
            server.process.pid if server.process else None,
        )
    finally:
        server.stop()
        shutil.rmtree(work / "virtuoso-lskg", ignore_errors=True)
    return base, ours


def old_build(triples: int, work: Path, limit: float) -> tuple[int, Run]:
    """The previous path: ``lskg build`` of a data directory of *.trig files (whole parse)."""
    data = work / "data"
    data.mkdir()
    count = write_data_dir(triples, data, work / "flat.nq")
    done = run([lskg(), "build", "--data", str(data), "--store", str(work / "build-store"), "--force"], limit)
    shutil.rmtree(data, ignore_errors=True)
    return count, done


def row(loader: str, triples: int, r: Run, server: bool) -> str:
    if r.finished:
        rate, result = f"{triples / r.seconds:,.0f}", "ok"
    elif r.code is None and r.read:
        rate = f"{r.read / r.seconds:,.0f} (partial)"
        result = f"stopped after {r.seconds:.0f} s with {r.read:,} triples read"
    elif r.code is None:
        rate, result = "-", f"stopped after {r.seconds:.0f} s, unfinished"
    else:
        rate, result = "-", f"exit {r.code}: {(r.stderr.strip().splitlines() or [''])[-1][:200]}"
    server_mb = f"{r.server_kb / 1024:,.0f}" if server and r.server_kb else "-"
    return f"| {loader} | {triples:,} | {r.seconds:,.1f} | {rate} | {r.rss_kb / 1024:,.0f} | {server_mb} | {result} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument(
        "--backends", nargs="+", default=["embedded", "virtuoso"], choices=["embedded", "virtuoso"]
    )
    parser.add_argument(
        "--build-triples", type=int, default=100_000, help="size of the old `lskg build` row (0: skip)"
    )
    parser.add_argument("--limit", type=float, default=1200.0, help="seconds before a loader is stopped")
    parser.add_argument(
        "--work", type=Path, default=None, help="scratch directory (default: a temporary one)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "bulk_load.md")
    args = parser.parse_args()
    rows: list[str] = []
    notes: list[str] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="lskg-bulk-", dir=args.work) as tmp:
        work = Path(tmp)
        for size in args.sizes:
            nt = work / f"synthetic-{size}.nt"
            started = time.perf_counter()
            triples = write_ntriples(size, nt)
            notes.append(
                f"{triples:,} lines written in {time.perf_counter() - started:.0f} s ({nt.stat().st_size / 1e6:,.0f} MB)"
            )
            if "embedded" in args.backends:
                base, ours = embedded(nt, work, args.limit)
                rows.append(row("embedded: `pyoxigraph.Store.bulk_load` (baseline)", triples, base, False))
                rows.append(row("embedded: `lskg import` (stream, SHACL, swap)", triples, ours, False))
                write(args, rows, notes, load_before)
            if "virtuoso" in args.backends:
                base, ours = virtuoso(nt, work, args.limit)
                rows.append(row("Virtuoso: `ld_dir` + `rdf_loader_run` (baseline)", triples, base, True))
                rows.append(
                    row("Virtuoso: `lskg import` (Graph Store POST, SHACL, swap)", triples, ours, True)
                )
                write(args, rows, notes, load_before)
            nt.unlink()
        if args.build_triples:
            count, done = old_build(args.build_triples, work, args.limit)
            rows.append(row("embedded: `lskg build` of *.trig files (old path)", count, done, False))
            write(args, rows, notes, load_before)


def write(
    args: argparse.Namespace, rows: list[str], notes: list[str], load_before: tuple[float, float, float]
) -> None:
    """Write the results file (after every pair of rows, so that a stopped run keeps them)."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    text = "\n".join(
        [
            "# Bulk load",
            "",
            f"`python benchmarks/bulk_load.py --sizes {' '.join(map(str, args.sizes))} "
            f"--build-triples {args.build_triples} --limit {args.limit:g}`",
            "",
            "| loader | triples | seconds | triples/s | peak RSS, loader (MB) | peak RSS, server (MB) | result |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
            *rows,
            "",
            f"Machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), {memory:.1f} GiB RAM, "
            f"Python {platform.python_version()}, pyoxigraph {_version('pyoxigraph')}.",
            f"Load average when the run started: {' '.join(f'{x:.2f}' for x in load_before)}; when this "
            f"file was written: `{uptime}`. Other work ran on the machine at the same time.",
            *(f"- {note}" for note in notes),
            "",
        ]
    )
    args.output.write_text(text, encoding="utf-8")
    print(text, flush=True)


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main()
