"""Gould–Fernandez brokerage roles: each role on its own triad, and agreement with brute force."""

from __future__ import annotations

import random
from collections import Counter

import networkx as nx
import pytest

from kg.analysis.brokerage import ROLES, brokerage_roles


def triad(a: str, v: str, c: str) -> nx.DiGraph:
    D = nx.DiGraph([("a", "v"), ("v", "c")])
    nx.set_node_attributes(D, {"a": a, "v": v, "c": c}, "sector")
    return D


@pytest.mark.parametrize(
    ("sectors", "role"),
    [
        (("x", "x", "x"), "coordinator"),
        (("x", "y", "x"), "itinerant"),
        (("y", "x", "x"), "gatekeeper"),
        (("x", "x", "y"), "representative"),
        (("x", "y", "z"), "liaison"),
    ],
)
def test_a_directed_two_path_gives_its_broker_exactly_one_role(sectors, role):
    roles = brokerage_roles(triad(*sectors))["v"]
    assert roles[role] == 1
    assert roles["total"] == 1


def test_a_closed_triad_gives_no_brokerage():
    D = triad("x", "y", "z")
    D.add_edge("a", "c")
    assert brokerage_roles(D)["v"]["total"] == 0


def test_two_stars_joined_at_their_centres_give_the_expected_roles():
    G = nx.Graph([("u", "a1"), ("u", "a2"), ("u", "i"), ("i", "e1"), ("i", "e2")])
    nx.set_node_attributes(
        G, {"u": "aca", "a1": "aca", "a2": "aca", "i": "ind", "e1": "ind", "e2": "ind"}, "sector"
    )
    roles = brokerage_roles(G)
    assert roles["u"] == {
        "coordinator": 2,
        "itinerant": 0,
        "gatekeeper": 2,
        "representative": 2,
        "liaison": 0,
        "total": 6,
    }
    assert roles["i"]["gatekeeper"] == roles["i"]["representative"] == 2
    assert roles["a1"]["total"] == 0


def test_an_undirected_graph_is_scored_as_the_directed_graph_with_both_arcs():
    G = nx.gnp_random_graph(30, 0.15, seed=3)
    nx.set_node_attributes(G, {n: "abc"[n % 3] for n in G}, "sector")
    assert brokerage_roles(G) == brokerage_roles(G.to_directed())


def brute_force(D: nx.DiGraph, attr: str = "sector") -> dict:
    group = nx.get_node_attributes(D, attr)
    result = {}
    for v in D:
        counts: Counter = Counter()
        for a in D.predecessors(v):
            for c in D.successors(v):
                if len({a, v, c}) < 3 or D.has_edge(a, c) or v not in group:
                    continue
                if a not in group or c not in group:
                    continue
                ga, gv, gc = group[a], group[v], group[c]
                if ga == gv == gc:
                    counts["coordinator"] += 1
                elif ga == gc:
                    counts["itinerant"] += 1
                elif gv == gc:
                    counts["gatekeeper"] += 1
                elif ga == gv:
                    counts["representative"] += 1
                else:
                    counts["liaison"] += 1
        row = {r: counts[r] for r in ROLES}
        row["total"] = sum(row.values())
        result[v] = row
    return result


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counts_agree_with_checking_every_two_path_on_random_directed_graphs(seed):
    D = nx.gnp_random_graph(40, 0.12, seed=seed, directed=True)
    rng = random.Random(seed)
    nx.set_node_attributes(D, {n: rng.choice("xyz") for n in D if rng.random() > 0.1}, "sector")
    assert brokerage_roles(D) == brute_force(D)


def test_only_the_requested_brokers_are_scored_and_unclassified_nodes_score_zero():
    G = nx.Graph([("a", "v"), ("v", "c"), ("c", "w")])
    nx.set_node_attributes(G, {"a": "x", "v": "y", "c": "z"}, "sector")
    roles = brokerage_roles(G, nodes=["v", "w"])
    assert set(roles) == {"v", "w"}
    assert roles["v"]["liaison"] == 2
    assert roles["w"]["total"] == 0
