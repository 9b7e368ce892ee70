"""A store directory holding the real data plus a synthetic graph, for the load test.

The real build contributes the ontology, the shapes, the sector scheme and the named queries'
vocabulary (so that every page and query of the service has something to work on); the seeded
synthetic graph of benchmarks/synthetic.py adds the bulk (``--triples`` distinct triples, each
in a named graph and again in the union default graph). Both are written as N-Quads and
bulk-loaded into a build directory in the layout :func:`kg.store.open_store` reads (an
``oxigraph/`` directory, a ``manifest.json``, and the store path a symlink to the build), without
validation: this is a benchmark fixture, not a build.

    python benchmarks/synthetic_store.py --triples 1000000 --real var/store --out var/bench/store-1m
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import generate  # noqa: E402 (benchmarks/ is not a package)

from kg.store import MANIFEST, open_store  # noqa: E402

__all__ = ["write_synthetic_store"]


def write_synthetic_store(real: Path, triples: int, out: Path, seed: int = 42) -> Path:
    """Write the real store's quads plus about ``triples`` synthetic triples as a store at ``out``.

    Returns ``out`` (a symlink to the new build directory beside it).
    """
    source = open_store(real)
    version = hashlib.sha256(f"{source.version}+synthetic-{triples}-{seed}".encode()).hexdigest()
    build_dir = out.parent / (out.name + ".builds") / f"{version[:16]}-{time.time_ns()}"
    build_dir.mkdir(parents=True)
    nquads = build_dir / "input.nq"
    with open(nquads, "wb") as handle:
        # Every quad of the real build, the union default graph included.
        ox.serialize(source.raw, handle, ox.RdfFormat.N_QUADS)
    with open(nquads, "a", encoding="utf-8") as handle:
        for line in generate(triples, seed):
            handle.write(line + "\n")
    store = ox.Store(str(build_dir / "oxigraph"))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    graphs = {
        str(g.value): sum(1 for _ in store.quads_for_pattern(None, None, None, g))
        for g in store.named_graphs()
        if isinstance(g, ox.NamedNode)
    }
    del store
    nquads.unlink()
    manifest = {
        "version": version,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "graphs": graphs,
        "synthetic_triples": triples,
    }
    (build_dir / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    link = out.parent / f".{out.name}.swap-{os.getpid()}"
    os.symlink(os.path.relpath(build_dir, out.parent), link)
    os.replace(link, out)
    return out


def main() -> None:
    """Write the store and print its size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--real", type=Path, required=True, help="a built store of the real data")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    path = write_synthetic_store(args.real, args.triples, args.out, args.seed)
    store = open_store(path)
    print(f"wrote {path} ({len(store)} quads in named graphs) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
