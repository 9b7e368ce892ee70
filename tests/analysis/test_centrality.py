"""Centrality wrappers: known values on small graphs, and sampling that says it sampled."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from kg.analysis.centrality import betweenness, degree, eigenvector, pagerank


def test_degree_counts_neighbours_or_sums_weights():
    G = nx.Graph()
    G.add_edge("a", "b", weight=2)
    G.add_edge("a", "c", weight=3)
    assert degree(G) == {"a": 2.0, "b": 1.0, "c": 1.0}
    assert degree(G, weight="weight") == {"a": 5.0, "b": 2.0, "c": 3.0}


def test_betweenness_of_a_star_centre_is_one_and_of_leaves_zero():
    result = betweenness(nx.star_graph(4))
    assert result["method"] == "exact"
    assert result["scores"][0] == 1.0
    assert all(result["scores"][leaf] == 0.0 for leaf in range(1, 5))


def test_betweenness_above_the_threshold_samples_reproducibly_with_the_seed():
    G = nx.barabasi_albert_graph(300, 2, seed=1)
    first = betweenness(G, k=30, seed=7, exact_below=100)
    again = betweenness(G, k=30, seed=7, exact_below=100)
    assert (first["method"], first["k"], first["seed"]) == ("sampled", 30, 7)
    assert first["scores"] == again["scores"]
    exact = betweenness(G)["scores"]
    top_exact = max(exact, key=exact.__getitem__)
    top_sampled = sorted(first["scores"], key=first["scores"].__getitem__)[-5:]
    assert top_exact in top_sampled


def test_eigenvector_scores_of_a_path_peak_in_the_middle_and_have_unit_norm():
    scores = eigenvector(nx.path_graph(5), weight=None)
    assert max(scores, key=scores.__getitem__) == 2
    assert math.isclose(math.sqrt(sum(s * s for s in scores.values())), 1.0, rel_tol=1e-6)


def test_eigenvector_and_pagerank_of_an_empty_graph_are_empty():
    assert eigenvector(nx.Graph()) == {}
    assert pagerank(nx.Graph()) == {}
    assert eigenvector(nx.empty_graph(2)) == {0: 0.0, 1: 0.0}


def test_pagerank_sums_to_one_and_ranks_the_hub_first():
    scores = pagerank(nx.star_graph(5))
    assert sum(scores.values()) == pytest.approx(1.0)
    assert max(scores, key=scores.__getitem__) == 0


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("normalized", [True, False])
def test_sparse_brandes_gives_networkxs_numbers_exact_and_sampled(directed, normalized):
    G = nx.gnm_random_graph(120, 360, seed=2, directed=directed)
    exact = betweenness(G, normalized=normalized)["scores"]
    expected = nx.betweenness_centrality(G, normalized=normalized)
    assert all(exact[v] == pytest.approx(expected[v], abs=1e-9) for v in G)
    sampled = betweenness(G, k=30, seed=3, exact_below=10, normalized=normalized)["scores"]
    expected = nx.betweenness_centrality(G, k=30, seed=3, normalized=normalized)
    assert all(sampled[v] == pytest.approx(expected[v], abs=1e-9) for v in G)


def test_weighted_betweenness_is_left_to_networkx_and_reads_weights_as_distances():
    G = nx.Graph()
    G.add_edge("a", "b", d=1)
    G.add_edge("b", "c", d=1)
    G.add_edge("a", "c", d=5)
    assert betweenness(G, weight="d")["scores"]["b"] == 1.0
