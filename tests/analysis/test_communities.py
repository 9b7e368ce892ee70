"""Louvain communities: the obvious split, reproducibility, and sector make-up."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.analysis.communities import communities


def two_cliques() -> nx.Graph:
    G = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(5))
    G.add_edge(0, 5)
    nx.set_node_attributes(G, {n: "academia" if n < 5 else "industry" for n in G}, "sector")
    G.nodes[9]["sector"] = None
    return G


def test_two_cliques_joined_by_one_tie_are_two_communities_with_their_sectors():
    result = communities(two_cliques())
    assert [c["members"] for c in result["communities"]] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert result["communities"][0]["sectors"] == {"academia": 5}
    assert result["communities"][1]["sectors"] == {"industry": 4, "unknown": 1}
    expected = nx.community.modularity(two_cliques(), [set(range(5)), set(range(5, 10))])
    assert result["modularity"] == pytest.approx(expected)


def test_the_same_seed_gives_the_same_partition():
    G = nx.les_miserables_graph()
    assert communities(G, seed=3) == communities(G, seed=3)


def test_a_graph_without_ties_has_singleton_communities_and_no_modularity():
    result = communities(nx.empty_graph(3))
    assert result["modularity"] is None
    assert [c["size"] for c in result["communities"]] == [1, 1, 1]
    assert communities(nx.Graph())["communities"] == []


def test_modularity_of_a_large_graph_computed_in_scipy_matches_networkx(monkeypatch):
    import importlib

    module = importlib.import_module("kg.analysis.communities")
    G = nx.relaxed_caveman_graph(60, 8, 0.2, seed=1)
    for i, (u, v) in enumerate(G.edges):
        G.edges[u, v]["weight"] = 1 + i % 4
    parts = nx.community.louvain_communities(G, seed=1)
    monkeypatch.setattr(module, "LOUVAIN_MAX_EDGES", 10)  # take the SciPy path
    for weight, resolution in (("weight", 1.0), (None, 0.7)):
        expected = nx.community.modularity(G, parts, weight=weight, resolution=resolution)
        assert module._modularity(G, parts, weight, resolution) == pytest.approx(expected, abs=1e-12)
