"""Benchmark SHACL validation: the SPARQL engine (Oxigraph) against pyshacl, its reference.

Datasets: the project's real data (everything ``lskg build`` validates) and the seeded
synthetic graph of ``benchmarks/synthetic.py`` at 100k and 1M triples (its named graphs, with
the ontology graph added as a build adds it). Each measurement runs in a child process of its
own, so its peak RSS is its own:

- ``pyshacl``: ``validate_quads(quads, engine="pyshacl")`` (copy into rdflib, pyshacl) — the
  baseline, what lskg used before; skipped above ``--pyshacl-max`` triples (at 100k it already
  takes minutes and gigabytes);
- ``sparql``: ``validate_quads(quads)`` (load the quads into an in-memory Oxigraph store, one
  SPARQL query per constraint), as ``lskg build`` and imports run it;
- ``sparql on a store``: ``validate_store(store)`` on a store already loaded (from N-Quads, by
  Oxigraph's own loader), as a streaming bulk load would call it: the validation alone.

Seconds are wall time of the validation call only (parsing the input is not counted); peak
RSS is the child's maximum, input included (the RSS after loading the input is listed too).
The engines' reports are compared (a digest of the sorted results) wherever both ran.

Run: ``.venv/bin/python benchmarks/validate_bench.py [--sizes 100000 1000000] [--pyshacl-max 100000]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "validate.md"
BASE = "https://w3id.org/lskg/"
MODES = ("pyshacl", "sparql", "sparql-store")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Sampler(threading.Thread):
    """The largest resident set of this process while it runs (read from /proc every 10 ms)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.start_mb = self.peak_mb = self._now()
        self.done = threading.Event()

    @staticmethod
    def _now() -> float:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    def run(self) -> None:
        while not self.done.wait(0.01):
            self.peak_mb = max(self.peak_mb, self._now())

    def stop(self) -> float:
        """Stop sampling; the growth of the resident set over its value at the start, in MB."""
        self.done.set()
        self.join()
        return max(self.peak_mb, self._now()) - self.start_mb


def _synthetic_nquads(triples: int) -> bytes:
    """The named-graph quads of the synthetic graph (the default-graph copies are left out)."""
    sys.path.insert(0, str(HERE))
    from synthetic import generate  # type: ignore[import-not-found]

    lines = [line for line in generate(triples) if f"<{BASE}graph/" in line.rsplit(" ", 2)[-2]]
    return ("\n".join(lines) + "\n").encode()


def child(mode: str, dataset: str) -> dict[str, object]:
    """Run one measurement in this process; returns its figures."""
    import pyoxigraph as ox

    from kg.build import assemble, validate_quads
    from kg.paths import resource_dir
    from kg.validate import validate_store

    ontology = ox.NamedNode(f"{BASE}graph/ontology")
    if dataset == "real":
        quads = [q for graph in assemble(BASE).graphs.values() for q in graph]
        data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    else:
        data = _synthetic_nquads(int(dataset))
        triples = ox.parse(path=str(resource_dir("ontology") / "lskg.ttl"))
        graph = [ox.Quad(t.subject, t.predicate, t.object, ontology) for t in triples]
        data += ox.serialize(graph, format=ox.RdfFormat.N_QUADS) or b""
    if mode == "sparql-store":
        store = ox.Store()
        store.bulk_load(data, ox.RdfFormat.N_QUADS)
        size = len(store)
        loaded = _rss_mb()
        sampler = _Sampler()
        sampler.start()
        started = time.perf_counter()
        report = validate_store(store)
    else:
        quads = list(ox.parse(data, ox.RdfFormat.N_QUADS))
        size = len(quads)
        del data
        loaded = _rss_mb()
        sampler = _Sampler()
        sampler.start()
        started = time.perf_counter()
        report = validate_quads(quads, engine="pyshacl" if mode == "pyshacl" else "sparql")
    seconds = time.perf_counter() - started
    growth = sampler.stop()
    digest = hashlib.sha256(
        json.dumps([list(r.__dict__.values()) for r in report.results]).encode()
    ).hexdigest()
    return {
        "quads": size,
        "seconds": seconds,
        "rss_loaded_mb": loaded,
        "rss_peak_mb": _rss_mb(),
        "rss_growth_mb": growth,
        "results": len(report.results),
        "violations": len(report.violations),
        "digest": digest[:12],
    }


def measure(mode: str, dataset: str) -> dict[str, object]:
    """Run :func:`child` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, dataset],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if done.returncode != 0:
        return {
            "error": done.stderr.strip().splitlines()[-1]
            if done.stderr.strip()
            else f"exit {done.returncode}"
        }
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(rows: list[tuple[str, str, dict[str, object]]], sizes: list[int], pyshacl_max: int) -> str:
    """The Markdown results."""
    lines = [
        "# SHACL validation: SPARQL engine vs pyshacl",
        "",
        "`python benchmarks/validate_bench.py` — the shapes of `ontology/shapes.ttl` over the real data",
        f"and the seeded synthetic graph at {', '.join(f'{s:,}' for s in sizes)} triples (named graphs plus",
        "the ontology graph). Each row is a child process of its own; seconds are the validation call",
        "only. Peak RSS is the child's maximum, input included; *RSS loaded* is that maximum once the",
        "input was parsed, *validation RSS* how far the resident set rose during the validation call",
        "(sampled every 10 ms): the memory the engine itself needs.",
        f"pyshacl, the baseline, runs only up to {pyshacl_max:,} triples.",
        "",
        "| dataset | quads | engine | seconds | pyshacl / this | RSS loaded (MB) | peak RSS (MB) "
        "| validation RSS (MB) | results | report digest |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    names = {
        "pyshacl": "pyshacl (`validate_quads`, baseline)",
        "sparql": "SPARQL (`validate_quads`)",
        "sparql-store": "SPARQL on a loaded store (`validate_store`)",
    }
    baseline: dict[str, float] = {}
    for dataset, mode, figures in rows:
        if mode == "pyshacl" and "seconds" in figures:
            baseline[dataset] = float(figures["seconds"])  # type: ignore[arg-type]
    for dataset, mode, f in rows:
        label = "real data" if dataset == "real" else f"synthetic {int(dataset):,}"
        if "error" in f:
            lines.append(f"| {label} | | {names[mode]} | failed: {f['error']} | | | | | | |")
            continue
        seconds = float(f["seconds"])  # type: ignore[arg-type]
        ratio = f"{baseline[dataset] / seconds:.1f}×" if dataset in baseline else "—"
        lines.append(
            f"| {label} | {f['quads']:,} | {names[mode]} | {seconds:.2f} | {ratio} | "
            f"{float(f['rss_loaded_mb']):.0f} | {float(f['rss_peak_mb']):.0f} | "  # type: ignore[arg-type]
            f"{float(f['rss_growth_mb']):.0f} | {f['results']:,} | `{f['digest']}` |"  # type: ignore[arg-type]
        )
    agree = []
    for dataset in {d for d, _, _ in rows}:
        digests = {
            str(f.get("digest")) for d, m, f in rows if d == dataset and m != "sparql-store" and "digest" in f
        }
        if len(digests) > 1:
            agree.append(f"**the engines disagree on {dataset}**")
    lines += [
        "",
        "Where both engines ran on a dataset, the report digests "
        + ("are equal: the same results, value for value." if not agree else "differ: " + "; ".join(agree)),
        "`validate_store` on a loaded store reads the same data without the Python quads, so its",
        "digest is the same as well unless the store's canonical literals differ from the parsed ones.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}; other sessions shared the machine during the run.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Run every measurement and write ``benchmarks/results/validate.md``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DATASET"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--pyshacl-max", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    rows = []
    for dataset in ["real", *map(str, args.sizes)]:
        for mode in MODES:
            if mode == "pyshacl" and dataset != "real" and int(dataset) > args.pyshacl_max:
                continue
            figures = measure(mode, dataset)
            print(dataset, mode, figures, flush=True)
            rows.append((dataset, mode, figures))
    text = report(rows, args.sizes, args.pyshacl_max)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")
        print(f"Wrote {RESULTS}")


if __name__ == "__main__":
    main()
