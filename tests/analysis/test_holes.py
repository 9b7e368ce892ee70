"""Burt's structural-hole measures through the wrapper."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.analysis.holes import structural_holes


def test_a_broker_between_two_cliques_is_less_constrained_than_the_clique_members():
    G = nx.barbell_graph(4, 1)  # two K4 joined through node 4
    holes = structural_holes(G)
    assert holes[4]["effective_size"] == pytest.approx(2.0)
    assert holes[4]["constraint"] < holes[0]["constraint"]


def test_a_triangle_member_has_effective_size_one_and_constraint_of_a_closed_clique():
    holes = structural_holes(nx.complete_graph(3))
    assert holes[0]["effective_size"] == pytest.approx(1.0)
    # Two contacts, each 1/2 direct + 1/4 through the other: 2 * 0.75² = 1.125.
    assert holes[0]["constraint"] == pytest.approx(1.125)


def test_an_isolated_node_has_undefined_measures_rather_than_nan():
    G = nx.Graph()
    G.add_node("alone")
    assert structural_holes(G)["alone"] == {
        "effective_size": None,
        "efficiency": None,
        "constraint": None,
    }


def test_only_the_requested_nodes_are_scored():
    assert set(structural_holes(nx.path_graph(5), nodes=[1, 2])) == {1, 2}
