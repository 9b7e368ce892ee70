"""Sector mixing matrix and attribute assortativity."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from kg.analysis.assortativity import sector_mixing


def test_ties_only_inside_sectors_give_assortativity_one():
    G = nx.Graph([("a1", "a2"), ("i1", "i2")])
    nx.set_node_attributes(G, {"a1": "aca", "a2": "aca", "i1": "ind", "i2": "ind"}, "sector")
    mix = sector_mixing(G)
    assert mix["matrix"] == [[2, 0], [0, 2]]
    assert mix["assortativity"] == pytest.approx(1.0)


def test_ties_only_across_two_sectors_give_assortativity_minus_one():
    G = nx.Graph([("a", "i"), ("b", "j")])
    nx.set_node_attributes(G, {"a": "aca", "b": "aca", "i": "ind", "j": "ind"}, "sector")
    assert sector_mixing(G)["assortativity"] == pytest.approx(-1.0)


def test_assortativity_agrees_with_networkx_on_a_random_graph():
    G = nx.gnm_random_graph(80, 200, seed=5)
    rng = random.Random(5)
    nx.set_node_attributes(G, {n: rng.choice("xyz") for n in G}, "sector")
    expected = nx.attribute_assortativity_coefficient(G, "sector")
    assert sector_mixing(G)["assortativity"] == pytest.approx(expected)


def test_nodes_without_a_sector_and_one_sector_graphs_are_handled():
    G = nx.Graph([("a", "b"), ("b", "group")])
    nx.set_node_attributes(G, {"a": "aca", "b": "aca"}, "sector")
    mix = sector_mixing(G)
    assert (mix["ties"], mix["assortativity"]) == (1, None)


def test_a_directed_tie_is_counted_once_from_source_to_target():
    D = nx.DiGraph([("a", "i")])
    nx.set_node_attributes(D, {"a": "aca", "i": "ind"}, "sector")
    assert sector_mixing(D)["matrix"] == [[0, 1], [0, 0]]


def test_the_matrix_count_agrees_with_the_edge_by_edge_count_on_a_random_graph():
    import random

    from kg.analysis.assortativity import _count_edges

    G = nx.gnm_random_graph(300, 2000, seed=5)
    rng = random.Random(5)
    nx.set_node_attributes(G, {n: rng.choice("abcd") if n % 7 else None for n in G}, "sector")
    sector = {n: s for n, s in G.nodes(data="sector") if s is not None}
    matrix, ties = _count_edges(G, sector, {s: i for i, s in enumerate("abcd")})
    mix = sector_mixing(G)
    assert (mix["matrix"], mix["ties"]) == (matrix, ties)
    assert ties > 1000
