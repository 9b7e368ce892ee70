"""The benchmark's synthetic ecosystem: the size it promises, and a report that runs on it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import networkx as nx

from kg.analysis.graphs import build_graph, clear_cache
from kg.analysis.report import gap_report

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "analysis_bench.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("analysis_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_states_the_requested_number_of_affiliation_and_participation_edges():
    bench = load_bench()
    store = bench.synthetic_store(2000, seed=5)
    try:
        affiliations = build_graph(store, "affiliations")
        areas = build_graph(store, "areas")
        participation = sum(1 for _, _, r in areas.edges(data="relation") if r == "participatesIn")
        assert affiliations.number_of_edges() + participation == 2000
        assert nx.is_bipartite(affiliations)
        report = gap_report(store)
        assert len(report["areas"]) >= 8
        assert all(g["coverage"]["present"] for g in report["groups"])
    finally:
        clear_cache()


def test_the_generator_is_reproducible_from_its_seed():
    bench = load_bench()
    assert bench.generate(500, seed=2) == bench.generate(500, seed=2)
