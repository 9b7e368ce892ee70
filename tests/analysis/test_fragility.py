"""Articulation points, bridges and local bridges, with what each removal cuts off."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from kg.analysis.fragility import articulation_points, bridges, local_bridges


def components_without(G: nx.Graph, nodes=(), edges=()) -> list[int]:
    H = G.copy()
    H.remove_edges_from(edges)
    H.remove_nodes_from(nodes)
    return sorted((len(c) for c in nx.connected_components(H)), reverse=True)


def test_every_edge_of_a_path_is_a_bridge_and_the_smaller_side_is_cut_off():
    found = {b["edge"]: b for b in bridges(nx.path_graph(5))}
    assert len(found) == 4
    assert found[(1, 0)]["cut_off"] == [0]
    assert found[(2, 3)]["pieces"] == [3, 2]
    assert found[(2, 3)]["cut_off"] == [3, 4]


def test_a_cycle_has_no_bridges_and_no_articulation_points():
    assert bridges(nx.cycle_graph(6)) == []
    assert articulation_points(nx.cycle_graph(6)) == []


def test_the_centre_of_a_star_cuts_off_all_but_one_leaf():
    (centre,) = articulation_points(nx.star_graph(4))
    assert centre["node"] == 0
    assert centre["pieces"] == [1, 1, 1, 1]
    assert centre["cut_off_count"] == 3
    assert len(centre["cut_off"]) == 3


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_pieces_match_removing_each_point_and_each_bridge_on_random_graphs(seed):
    G = nx.gnm_random_graph(60, 70, seed=seed)
    points = articulation_points(G, max_listed=1000)
    assert {p["node"] for p in points} == set(nx.articulation_points(G))
    for p in points:
        before = len(nx.node_connected_component(G, p["node"]))
        after = components_without(G.subgraph(nx.node_connected_component(G, p["node"])), [p["node"]])
        assert p["component_size"] == before
        assert p["pieces"] == after
        assert len(p["cut_off"]) == p["cut_off_count"] == sum(after[1:])
    found = bridges(G, max_listed=1000)
    assert {frozenset(b["edge"]) for b in found} == {frozenset(e) for e in nx.bridges(G)}
    for b in found:
        component = G.subgraph(nx.node_connected_component(G, b["edge"][0]))
        assert b["pieces"] == components_without(component, edges=[b["edge"]])
        assert b["edge"][1] in b["cut_off"]


def test_cut_off_lists_are_capped_but_counts_stay_exact():
    (centre,) = articulation_points(nx.star_graph(30), max_listed=5)
    assert centre["cut_off_count"] == 29
    assert len(centre["cut_off"]) == 5


def test_local_bridges_of_a_square_have_span_three_and_a_bridge_infinite_span():
    assert [lb["span"] for lb in local_bridges(nx.cycle_graph(4))] == [3, 3, 3, 3]
    assert local_bridges(nx.path_graph(2)) == [{"edge": (0, 1), "span": math.inf}]
    assert local_bridges(nx.cycle_graph(4), span_below=2)[0]["span"] is None


def test_directed_graphs_are_read_as_undirected():
    D = nx.DiGraph([("a", "b"), ("c", "b")])
    assert [p["node"] for p in articulation_points(D)] == ["b"]
    assert len(bridges(D)) == 2
