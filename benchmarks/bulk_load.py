"""Bulk load: triples per second and peak memory of ``lskg build`` on a synthetic data directory.

The seeded synthetic graph (benchmarks/synthetic.py) is written as one ``*.trig`` data file per
synthetic source, each source described as an ``lskg:WebSource`` (the provenance layout every
build requires). ``lskg build --data DIR --store DIR --force`` then parses, validates (SHACL)
and loads it, in a child process whose peak RSS is measured. The baseline in the same run is
what a user would do without lskg: ``pyoxigraph.Store.bulk_load`` of the same quads.

    python benchmarks/bulk_load.py --triples 1000000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import BASE, ROLES, generate  # noqa: E402 (benchmarks/ is not a package)

SYNTHETIC_AREAS = 8  # benchmarks/synthetic.py's n_areas
_BASELINE = """
import resource, sys, time
import pyoxigraph as ox
started = time.perf_counter()
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
store.flush()
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


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


def run(command: list[str]) -> tuple[float, int, subprocess.CompletedProcess[str]]:
    """Run ``command``; its wall seconds and peak RSS in kB (of the largest child so far)."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    return time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "bulk_load.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lskg-bulk-") as tmp:
        work = Path(tmp)
        (work / "data").mkdir()
        nquads = work / "synthetic.nq"
        started = time.perf_counter()
        triples = write_data_dir(args.triples, work / "data", nquads)
        generated = time.perf_counter() - started
        base_seconds, base_rss, base = run(
            [sys.executable, "-c", _BASELINE, str(nquads), str(work / "baseline-store")]
        )
        if base.returncode != 0:
            raise SystemExit(base.stderr)
        lskg = str(Path(sys.executable).with_name("lskg"))
        seconds, rss, done = run(
            [lskg, "build", "--data", str(work / "data"), "--store", str(work / "store"), "--force"]
        )
    # A refused build loaded nothing: it has no throughput to report.
    rate = f"{triples / seconds:,.0f}" if done.returncode == 0 else "-"
    status = (
        "ok"
        if done.returncode == 0
        else f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1][:300]}"
    )
    text = "\n".join(
        [
            "# Bulk load",
            "",
            f"`python benchmarks/bulk_load.py --triples {args.triples}`: {triples:,} synthetic triples "
            f"({generated:.1f} s to write the data files), on {os.cpu_count()} CPUs.",
            "",
            "| loader | seconds | triples/s | peak RSS (MB) | result |",
            "| --- | ---: | ---: | ---: | --- |",
            f"| `pyoxigraph.Store.bulk_load` (baseline) | {base_seconds:.1f} | {triples / base_seconds:,.0f} "
            f"| {base_rss / 1024:.0f} | ok |",
            f"| `lskg build` (parse, SHACL, load) | {seconds:.1f} | {rate} | {rss / 1024:.0f} | {status} |",
            "",
            f"Ratio: `lskg build` takes {seconds / base_seconds:.1f}× the baseline's time. Peak RSS is the",
            "largest child process so far (the baseline runs first, so the second row is the larger of both).",
            "",
            "",
        ]
    )
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
