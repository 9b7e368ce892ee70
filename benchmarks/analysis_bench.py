"""Benchmark of kg.analysis on synthetic ecosystems of 10k, 100k (and optionally 1M) edges.

A seeded generator writes a synthetic Swedish-style life-science ecosystem as RDF (people,
organisations with sectors and regions, groups, the eight collaboration areas, memberships,
posts, participation), loads it into an in-memory store with the ontology, and then times
every step the gap report takes, plus every analysis on its own, recording wall time and
the peak resident memory the step added (Linux: the kernel's high-water mark, reset before
each step through /proc/self/clear_refs, so one pass measures both and Oxigraph's own Rust
allocations count too). Where nx-parallel is installed, the analyses it implements are also
run with ``backend="parallel"`` in the same run, so the ratio is measured, not assumed.

"Edges" are the edges of the affiliation and area graphs the data states: person–organisation
and person–group memberships plus organisation–area participation.

Usage::

    .venv/bin/python benchmarks/analysis_bench.py                 # 10k and 100k edges
    .venv/bin/python benchmarks/analysis_bench.py --sizes 10000   # one size
    .venv/bin/python benchmarks/analysis_bench.py --sizes 10000 100000 1000000

Results are merged into ``benchmarks/results/analysis.json`` (one entry per interpreter and
size) and rendered to ``benchmarks/results/analysis.md``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import sys
import time
from collections.abc import Callable
from itertools import accumulate
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.analysis import centrality, graphs
from kg.analysis.assortativity import sector_mixing
from kg.analysis.brokerage import brokerage_roles
from kg.analysis.communities import communities
from kg.analysis.coverage import sector_coverage
from kg.analysis.fragility import articulation_points, bridges, local_bridges
from kg.analysis.holes import structural_holes
from kg.analysis.links import cross_sector_links
from kg.analysis.report import gap_report, render_html, render_markdown
from kg.paths import resource_dir
from kg.store import OxigraphStore, with_union_default_graph

RESULTS = Path(__file__).resolve().parent / "results"
LSKG = "https://w3id.org/lskg/ontology#"
ORG = "http://www.w3.org/ns/org#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FOAF_PERSON = "http://xmlns.com/foaf/0.1/Person"
SKOS = "http://www.w3.org/2004/02/skos/core#"
BASE = "https://w3id.org/lskg/id/bench/"

# Sector shares and the organisation classes that carry each sector.
SECTORS = {
    "Academia": (0.20, ["University"]),
    "Industry": (0.35, ["Company", "IndustryAssociation"]),
    "Public": (0.15, ["GovernmentAgency", "Municipality", "Ministry"]),
    "Healthcare": (0.20, ["CareProvider", "ProfessionalAssociation"]),
    "CivilSociety": (0.10, ["PatientOrganisation", "NonProfitOrganisation"]),
}
GROUP_CLASSES = ["CoordinationGroup", "ReferenceGroup", "WorkingGroup"]
REGIONS = 21  # Sweden's regions


def generate(edges: int, seed: int = 1) -> list[ox.Quad]:
    """A synthetic ecosystem with about ``edges`` stated affiliation and participation edges.

    A quarter of the edges are group memberships (groups of 20 people), 3 % are
    organisation–area participations (about 30 organisations per area, so at least 8 areas),
    the rest organisation memberships over people averaging 1.4 organisations each;
    organisation sizes are heavy-tailed (preferential choice with Pareto(1.5) weights capped
    at 30 times the minimum), as real affiliation data are. 10 % of memberships are
    former, 10 % of people head their first organisation, 2 % of group members represent a
    sector directly, 30 % of organisations state a region.
    """
    rng = random.Random(seed)
    graph = ox.NamedNode(BASE + "graph")
    quads: list[ox.Quad] = []

    def add(s: str, p: str, o: str | ox.Literal) -> None:
        obj = o if isinstance(o, ox.Literal) else ox.NamedNode(o)
        quads.append(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), obj, graph))

    group_edges = edges // 4
    participation = max(8, edges * 3 // 100)
    org_edges = edges - group_edges - participation
    n_people = max(10, int(org_edges / 1.4))
    n_orgs = max(10, n_people // 4)
    n_groups = max(2, group_edges // 20)

    regions = [f"{BASE}org/region-{i}" for i in range(REGIONS)]
    for i, r in enumerate(regions):
        add(r, RDF_TYPE, LSKG + "Region")
        add(r, RDFS_LABEL, ox.Literal(f"Region {i}", language="en"))
        add(r, LSKG + "sector", LSKG + "SectorHealthcare")
    orgs = regions + [f"{BASE}org/o{i}" for i in range(n_orgs - REGIONS)]
    names, shares = zip(*((k, v[0]) for k, v in SECTORS.items()), strict=True)
    org_sector: dict[str, str] = {r: "Healthcare" for r in regions}
    for i, org in enumerate(orgs[REGIONS:]):
        sector = rng.choices(names, shares)[0]
        org_sector[org] = sector
        add(org, RDF_TYPE, LSKG + rng.choice(SECTORS[sector][1]))
        add(org, RDFS_LABEL, ox.Literal(f"Organisation {i}", language="en"))
        add(org, LSKG + "sector", LSKG + "Sector" + sector)
        if rng.random() < 0.3:
            add(org, LSKG + "region", rng.choice(regions))
    weights = [min(rng.paretovariate(1.5), 30.0) for _ in orgs]

    people = [f"{BASE}person/p{i}" for i in range(n_people)]
    for i, p in enumerate(people):
        add(p, RDF_TYPE, FOAF_PERSON)
        add(p, RDFS_LABEL, ox.Literal(f"Person {i}"))
    pairs: set[tuple[str, str]] = set()
    count = 0

    def membership(person: str, org: str, *, former: bool = False, represents: str | None = None) -> None:
        nonlocal count
        m = f"{BASE}membership/m{count}"
        count += 1
        add(m, RDF_TYPE, ORG + "Membership")
        add(m, ORG + "member", person)
        add(m, ORG + "organization", org)
        add(m, ORG + "role", BASE + "role/member")
        if former:
            add(m, LSKG + "roleStatus", LSKG + "FormerRole")
        if represents:
            add(m, LSKG + "representsSector", LSKG + "Sector" + represents)

    first = rng.choices(orgs, weights, k=len(people))
    for person, org in zip(people, first, strict=True):
        pairs.add((person, org))
        membership(person, org, former=rng.random() < 0.1)
        if rng.random() < 0.1:
            add(person, ORG + "headOf", org)
    # Cumulative weights once: choices() with plain weights sums all of them on every call,
    # which made 1M edges (128k organisations) quadratic. Same draws either way.
    cumulative = list(accumulate(weights))
    while len(pairs) < org_edges:
        person, org = rng.choice(people), rng.choices(orgs, cum_weights=cumulative)[0]
        if (person, org) not in pairs:
            pairs.add((person, org))
            membership(person, org, former=rng.random() < 0.1)

    groups = [f"{BASE}group/g{i}" for i in range(n_groups)]
    # Eight areas like the real programme, or more (one per ~30 participations) so that an
    # area stays a working-size set of organisations rather than a clique of thousands.
    areas = [f"{BASE}area/a{i}" for i in range(1, max(8, participation // 30) + 1)]
    for i, a in enumerate(areas, start=1):
        add(a, RDF_TYPE, LSKG + "CollaborationArea")
        add(a, SKOS + "notation", ox.Literal(str(i)))
        add(a, SKOS + "prefLabel", ox.Literal(f"Area {i}", language="en"))
    for i, g in enumerate(groups):
        add(g, RDF_TYPE, LSKG + rng.choice(GROUP_CLASSES))
        add(g, RDFS_LABEL, ox.Literal(f"Group {i}", language="en"))
        if rng.random() < 0.5:
            add(g, LSKG + "attachedToArea", rng.choice(areas))
    placed = 0
    while placed < group_edges:
        g = groups[placed * n_groups // group_edges]
        person = rng.choice(people)
        if (person, g) in pairs:
            continue
        pairs.add((person, g))
        represents = rng.choice(names) if rng.random() < 0.02 else None
        membership(person, g, represents=represents)
        placed += 1
    taking_part: set[tuple[str, str]] = set()
    while len(taking_part) < participation:
        taking_part.add((rng.choice(orgs), rng.choice(areas)))
    for org, area in sorted(taking_part):
        add(org, LSKG + "participatesIn", area)
    return quads


def synthetic_store(edges: int, seed: int = 1, directory: Path | None = None) -> OxigraphStore:
    """The ontology plus :func:`generate`'s ecosystem in a store, in memory or on disk.

    On disk (``directory``) the quads live in RocksDB files rather than in the process's
    memory, so the resident sizes measured at 1M edges are those of the analyses, not of a
    2 GB in-memory store. A directory that a previous run finished loading (it holds a
    ``loaded`` marker) is reused as it is; any other existing directory is refused.
    """
    version = f"bench-{edges}-{seed}"
    marker = None if directory is None else directory / "loaded"
    if directory is not None and marker is not None and marker.exists():
        return OxigraphStore(ox.Store.read_only(str(directory)), version, directory)
    if directory is not None and directory.exists():
        raise SystemExit(f"{directory} exists but was not fully loaded: remove it")
    graph = ox.NamedNode(BASE + "ontology")
    ontology = ox.parse(path=str(resource_dir("ontology") / "lskg.ttl"), format=ox.RdfFormat.TURTLE)
    quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in ontology]
    quads += generate(edges, seed)
    if directory is None or marker is None:
        return OxigraphStore.from_quads(quads, version=version)
    store = ox.Store(str(directory))
    store.bulk_extend(quads)
    store.bulk_extend(with_union_default_graph(quads))
    store.optimize()
    marker.write_text(f"{len(quads)} quads generated with seed {seed}\n", encoding="ascii")
    return OxigraphStore(store, version, directory)


# Above this many edges the networkx and nx-parallel baselines are not run: at 100k edges
# they already took 25-80 s a step against our 0.5-2 s, and the ratio is what they show.
BASELINES_UP_TO = 100_000


def _status(field_name: str) -> float | None:
    """A VmRSS/VmHWM line of /proc/self/status in MiB (None off Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def measure(fn: Callable[[], Any]) -> tuple[float, float, float | None, Any]:
    """Wall seconds, CPU seconds and the resident memory added at the peak (MiB) of one call.

    CPU time is the process's own (all its threads): on a machine shared with other jobs it
    is the better guide to what the step costs, wall time to what a user waits.
    """
    gc.collect()
    before = _status("VmRSS")
    resettable = _reset_peak()
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    peak = _status("VmHWM")
    added = None if not resettable or peak is None or before is None else max(0.0, peak - before)
    return seconds, cpu_seconds, added, result


def parallel_available() -> bool:
    try:
        return "parallel" in nx.config.backends  # type: ignore[attr-defined]
    except AttributeError:
        return False


def steps(store: OxigraphStore, *, parallel: bool) -> list[tuple[str, str, Callable[[], Any]]]:
    """(name, engine, thunk) for every step; thunks read the graphs from the cache.

    Engine "lskg" is our code; "networkx" and "parallel" run the alternative a user would
    pick (networkx's own function, on its default backend or on nx-parallel) on the same
    input, for the ratio.
    """

    def g(name: str) -> nx.Graph:
        return graphs.build_graph(store, name)

    def group_nodes() -> list[str]:
        return [n for n, k in g("affiliations").nodes(data="kind") if k == "group"]

    def hubs(count: int) -> list[str]:
        return sorted(g("people"), key=g("people").degree, reverse=True)[:count]

    def focus() -> list[str]:
        return sorted(g("organisations"))[:200]

    def cap() -> int | None:
        # The gap report's hub cap: none below 5,000 organisations, 200 above.
        return None if g("organisations").number_of_nodes() < 5000 else 200

    def pairs() -> list[tuple[str, str]]:
        return [
            s["pair"] for s in cross_sector_links(g("organisations"), nodes=focus(), max_shared_degree=cap())
        ]

    plan: list[tuple[str, str, Callable[[], Any]]] = [
        ("read_ecosystem (SPARQL)", "lskg", lambda: graphs.read_ecosystem(store)),
        ("graph: affiliations", "lskg", lambda: g("affiliations")),
        ("graph: areas", "lskg", lambda: g("areas")),
        ("graph: people", "lskg", lambda: g("people")),
        ("graph: organisations", "lskg", lambda: g("organisations")),
        ("degree (people)", "lskg", lambda: centrality.degree(g("people"))),
        ("betweenness (people, k=256)", "lskg", lambda: centrality.betweenness(g("people"))),
        ("betweenness (people, k=16)", "lskg", lambda: centrality.betweenness(g("people"), k=16)),
        (
            "betweenness (people, k=16)",
            "networkx",
            lambda: centrality.betweenness(g("people"), k=16, backend="networkx"),
        ),
        ("eigenvector (people)", "lskg", lambda: centrality.eigenvector(g("people"))),
        ("eigenvector (people)", "networkx", lambda: nx.eigenvector_centrality(g("people"), max_iter=1000)),
        ("pagerank (people)", "lskg", lambda: centrality.pagerank(g("people"))),
        ("sector_coverage (groups)", "lskg", lambda: sector_coverage(g("affiliations"), group_nodes())),
        ("brokerage_roles (people, all)", "lskg", lambda: brokerage_roles(g("people"))),
        ("brokerage_roles (organisations, all)", "lskg", lambda: brokerage_roles(g("organisations"))),
        ("structural_holes (people, top 100)", "lskg", lambda: structural_holes(g("people"), hubs(100))),
        ("structural_holes (people, top 1)", "lskg", lambda: structural_holes(g("people"), hubs(1))),
        (
            "structural_holes (people, top 1)",
            "networkx",
            lambda: (nx.constraint(g("people"), hubs(1)), nx.effective_size(g("people"), hubs(1))),
        ),
        ("articulation_points (affiliations)", "lskg", lambda: articulation_points(g("affiliations"))),
        ("bridges (affiliations)", "lskg", lambda: bridges(g("affiliations"))),
        ("local_bridges (people, no spans)", "lskg", lambda: local_bridges(g("people"))),
        ("communities (organisations)", "lskg", lambda: communities(g("organisations"))),
        ("sector_mixing (people)", "lskg", lambda: sector_mixing(g("people"))),
        (
            "cross_sector_links (organisations, 200 orgs, report's hub cap)",
            "lskg",
            lambda: cross_sector_links(g("organisations"), nodes=focus(), max_shared_degree=cap()),
        ),
        (
            "adamic_adar_index on the same pairs",
            "networkx",
            lambda: list(nx.adamic_adar_index(g("organisations"), pairs())),
        ),
    ]
    if parallel:
        plan += [
            (
                "betweenness (people, k=16)",
                "parallel",
                lambda: centrality.betweenness(g("people"), k=16, backend="parallel"),
            ),
            (
                "adamic_adar_index on the same pairs",
                "parallel",
                lambda: list(nx.adamic_adar_index(g("organisations"), pairs(), backend="parallel")),
            ),
        ]
    return plan


def full_report(store: OxigraphStore) -> Any:
    graphs.clear_cache()
    report = gap_report(store)
    render_markdown(report)
    render_html(report)
    return report


def run_size(
    edges: int,
    seed: int,
    *,
    parallel: bool,
    only_parallel: bool = False,
    only_report: bool = False,
    skip_report: bool = False,
    progress: Callable[[dict[str, Any]], None] | None = None,
    directory: Path | None = None,
) -> dict[str, Any]:
    """Time every step on one synthetic ecosystem; ``progress`` gets the partial run after each."""
    started = time.perf_counter()
    store = synthetic_store(edges, seed, directory)
    load = time.perf_counter() - started
    quads = len(store)  # counted once: iterating 5.5 million quads takes a while
    graphs.clear_cache()
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    load_before = os.getloadavg()
    graph_sizes: dict[str, Any] = {}

    def record(name: str, backend: str, seconds: float, cpu: float, peak: float | None, result: Any) -> None:
        row = rows.setdefault((name, backend), {"step": name, "backend": backend})
        row["seconds"], row["cpu_seconds"] = round(seconds, 3), round(cpu, 3)
        if peak is not None and not only_parallel:
            row["peak_mib"] = round(peak, 1)
        if isinstance(result, dict) and "method" in result:
            row["note"] = result["method"] + (f", k={result['k']}" if result.get("k") else "")
        if progress is not None:
            progress(summary(partial=True))

    def summary(*, partial: bool = False) -> dict[str, Any]:
        return {
            "edges": edges,
            "seed": seed,
            "load_seconds": round(load, 2),
            "quads": quads,
            "graphs": graph_sizes,
            "python": platform.python_version(),
            "networkx": nx.__version__,
            "parallel": parallel,
            "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()],
            "partial": partial,
            "only_report": only_report,
            "store": "in memory" if directory is None else "on disk",
            "rows": list(rows.values()),
        }

    plan = steps(store, parallel=parallel)
    report: dict[str, Any] | None = None
    # The report right after the graph steps, so that a run stopped early has its main row.
    report_at = max(i for i, (name, _, _) in enumerate(plan) if name.startswith("graph:")) + 1
    for i, (name, backend, thunk) in enumerate([*plan, ("gap report", "lskg", lambda: None)]):
        if i == report_at and not (only_parallel or skip_report):
            seconds, cpu, peak, report = measure(lambda: full_report(store))
            graph_sizes.update(report["graphs"])
            record("gap report (from store, md + html)", "lskg", seconds, cpu, peak, None)
        if name == "gap report" or (only_report and i >= report_at):
            break
        if only_parallel and backend == "lskg" and not name.startswith(("read_", "graph:")):
            continue
        if backend != "lskg" and edges > BASELINES_UP_TO:
            continue
        if backend == "networkx" and name.startswith(("structural_holes", "eigenvector")) and edges > 10_000:
            # networkx's constraint took 14 s for one hub at 10k edges and its power
            # iteration over a disconnected 800k-edge graph did not finish in 15 minutes.
            continue
        seconds, cpu, peak, result = measure(thunk)
        record(name, backend, seconds, cpu, peak, result)
    if report is None:
        graph_sizes.update(
            {name: {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()} for name, G in _built(store)}
        )
    return summary()


def _built(store: OxigraphStore) -> list[tuple[str, nx.Graph]]:
    return [(name, graphs.build_graph(store, name)) for name in graphs.GRAPHS]


def render(results: dict[str, Any]) -> str:
    """Markdown tables of every run in ``results``."""
    lines = [
        "# kg.analysis benchmark",
        "",
        "Written by `benchmarks/analysis_bench.py`; rerun it to refresh. Machine: "
        f"{platform.machine()}, 2 cores, 24 GiB (the project machine). Times are wall-clock "
        "seconds of one run; peak is the resident memory the step added at its highest (the "
        "kernel's high-water mark, reset through /proc/self/clear_refs before each step, minus "
        "the resident size at its start; it counts Oxigraph's Rust allocations and NumPy "
        "buffers, and is 0 when the step reused memory freed earlier). Runs before 2026-11-25 "
        "measured Python allocations with tracemalloc in a second pass instead. "
        "Graph steps include building the graph from SPARQL results; later steps reuse the "
        "cached graphs. The gap report row runs right after the graph steps (so that a run stopped "
        "early still has it) and starts from an empty cache: it includes reading the store, "
        "building all four graphs and their sparse matrices (kg/analysis/_matrix.py), which the "
        "later steps then reuse. Engine `lskg` is kg.analysis; "
        "`networkx` is the networkx function a user would call instead, on the same input; "
        "`parallel` is that function on the nx-parallel backend; above 100,000 edges the "
        "baselines are not run (`BASELINES_UP_TO`). The machine is shared with other engineers' "
        "jobs (test suites, browsers, other benchmarks): each table gives the 1/5/15-minute load "
        "averages (`os.getloadavg`) before and after its run, and CPU seconds beside wall "
        "seconds. A load near 10 on 2 cores makes every step several times slower than on an "
        "idle machine, so compare ratios within a table, or CPU seconds, across tables.",
        "",
        *_verdict(results),
        "nx-parallel: version 0.4 needs Python 3.12 or newer and 0.3 does not import with "
        "networkx 3.6 (`ImportError: _rescale_e`), so it cannot go into the project's Python "
        "3.11 venv; the `parallel` rows come from a separate Python 3.12 venv (networkx 3.7, "
        "nx-parallel 0.4) running `--only-parallel`. Of our analyses nx-parallel implements "
        "only the networkx calls behind betweenness and Adamic–Adar: compare each `parallel` "
        "row with the `networkx` row of the same step in the Python 3.12 tables (with 2 "
        "cores, joblib has at most two workers, and our sparse versions beat both).",
        "",
        "## Where the analyses switch to sampled or approximate algorithms",
        "",
        "| analysis | exact | above the threshold |",
        "| --- | --- | --- |",
        "| betweenness (`centrality.betweenness`) | below 1,000 nodes (`EXACT_BETWEENNESS_BELOW`) "
        "| `k` sampled sources (default 256; the gap report uses 64), seeded, "
        "same sample and numbers as networkx's `k` |",
        "| communities (`communities.communities`) | Louvain up to 200,000 edges "
        "(`LOUVAIN_MAX_EDGES`) | seeded fast label propagation |",
        "| local bridges (`fragility.local_bridges`) | spans below 5,000 nodes (`SPAN_BELOW`) "
        "| local bridges without spans |",
        "| link suggestions in the gap report | every shared neighbour below 5,000 organisations "
        "| shared neighbours with more than 200 ties are skipped (`max_shared_degree`) |",
        "| structural holes in the gap report | — | scored for the 10 people of highest betweenness only |",
        "| plots (`export.plot_network`) | up to 5,000 nodes | refused: export to Gephi instead |",
        "",
        "Everything else (degree, eigenvector, PageRank, coverage, brokerage, articulation "
        "points, bridges, mixing) is exact at every size.",
        "",
    ]
    for key in sorted(
        results,
        key=lambda k: (results[k]["python"], results[k]["edges"], results[k].get("only_report", False)),
    ):
        run = results[key]
        g = run["graphs"]
        lines += [
            f"## {run['edges']:,} edges — Python {run['python']}, networkx {run['networkx']}"
            + (", nx-parallel installed" if run["parallel"] else "")
            + (" — stopped before every step ran (rows so far)" if run.get("partial") else "")
            + (
                " — the gap report and the steps before it only (`--only-report`)"
                if run.get("only_report")
                else ""
            ),
            "",
            f"Store: {run['quads']:,} quads ({run.get('store', 'in memory')}), "
            f"generated and loaded in {run['load_seconds']} s. "
            + "; ".join(f"{n}: {v['nodes']:,} nodes, {v['edges']:,} edges" for n, v in g.items())
            + f". Process max RSS {run['max_rss_mib']} MiB."
            + (
                f" Load average (1, 5, 15 min) {run['load_before']} before, {run['load_after']} after."
                if "load_before" in run
                else ""
            ),
            "",
            *([run["note"], ""] if run.get("note") else []),
            "| step | engine | seconds | CPU s | peak MiB | note |",
            "| --- | --- | ---: | ---: | ---: | --- |",
        ]
        for row in run["rows"]:
            lines.append(
                f"| {row['step']} | {row['backend']} | {row.get('seconds', '')} | "
                f"{row.get('cpu_seconds', '')} | {row.get('peak_mib', '')} | {row.get('note', '')} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def _verdict(results: dict[str, Any]) -> list[str]:
    """One paragraph per 100k-edge run on the 60 s target for the full report."""
    lines = []
    for run in results.values():
        if run["edges"] != 100_000:
            continue
        for row in run["rows"]:
            if not (row["step"].startswith("gap report") and "seconds" in row):
                continue
            seconds, cpu = row["seconds"], row.get("cpu_seconds")
            load = run.get("load_before")
            lines += [
                "**Target** (full gap report on 100k edges in under 60 s): "
                + ("the `--only-report` run " if run.get("only_report") else "the full run ")
                + ("meets" if seconds <= 60 else "misses")
                + f" it, at {seconds} s wall-clock"
                + ("" if cpu is None else f" and {cpu} s of CPU")
                + f" (Python {run['python']}"
                + ("" if load is None else f", load average {load[0]} at the start")
                + "). The report reads the store once, builds the four graphs once (projections: "
                f"people {run['graphs']['people']['edges']:,} edges, organisations "
                f"{run['graphs']['organisations']['edges']:,}), and runs each analysis once: "
                "sampled betweenness (k=64) and brokerage on people, brokerage, communities "
                "and mixing on organisations, and the link suggestions of every group and "
                "area from one pass over the organisations "
                "(`links.cross_sector_links_by_unit`), then renders Markdown and HTML. The step "
                "rows show where the time goes; docs/decisions/0009-analysis-performance.md "
                "explains the design.",
                "",
            ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--only-parallel",
        action="store_true",
        help="time only the steps nx-parallel implements (for an interpreter that has it)",
    )
    parser.add_argument(
        "--only-report", action="store_true", help="time reading, the graphs and the gap report only"
    )
    parser.add_argument(
        "--on-disk",
        type=Path,
        metavar="DIR",
        help="keep each synthetic store on disk under DIR (a new subdirectory per size), not in memory",
    )
    parser.add_argument(
        "--skip-report",
        action="store_true",
        help="time every step but the gap report (whose row a previous run may hold)",
    )
    parser.add_argument("--render-only", action="store_true", help="rewrite analysis.md from analysis.json")
    args = parser.parse_args(argv)
    if args.render_only:
        results_json = json.loads((args.results / "analysis.json").read_text())
        (args.results / "analysis.md").write_text(render(results_json), encoding="utf-8")
        return 0
    sizes = list(args.sizes)
    parallel = parallel_available()
    args.results.mkdir(parents=True, exist_ok=True)
    store_json = args.results / "analysis.json"
    results: dict[str, Any] = json.loads(store_json.read_text()) if store_json.exists() else {}
    for edges in sizes:
        print(
            f"running {edges:,} edges (python {platform.python_version()}, parallel={parallel})",
            file=sys.stderr,
        )
        key = f"{platform.python_version()}/{edges}" + ("/report" if args.only_report else "")

        def save(run: dict[str, Any], key: str = key) -> None:
            results[key] = run
            store_json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
            (args.results / "analysis.md").write_text(render(results), encoding="utf-8")

        run = run_size(
            edges,
            args.seed,
            parallel=parallel,
            only_parallel=args.only_parallel,
            only_report=args.only_report,
            skip_report=args.skip_report,
            progress=save,
            directory=None if args.on_disk is None else args.on_disk / f"{edges}-{args.seed}",
        )
        save(run)
        for row in run["rows"]:
            print(f"  {row['step']:<48} {row['backend']:<9} {row.get('seconds', 0):>8.3f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
