"""Cross-sector link suggestions by Adamic–Adar and resource allocation."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from kg.analysis.links import cross_sector_links, cross_sector_links_by_unit
from kg.errors import InputError


def small() -> nx.Graph:
    # uni and firm share hub (degree 3); uni and lab (same sector) share hub too.
    G = nx.Graph([("uni", "hub"), ("firm", "hub"), ("lab", "hub"), ("uni", "agency")])
    nx.set_node_attributes(
        G, {"uni": "aca", "lab": "aca", "firm": "ind", "hub": "pub", "agency": "pub"}, "sector"
    )
    return G


def test_only_non_adjacent_cross_sector_pairs_are_suggested_with_their_shared_neighbours():
    found = {s["pair"]: s for s in cross_sector_links(small())}
    # lab–uni (both academia) and agency–hub (both public) share a contact but not a sector.
    assert set(found) == {("firm", "uni"), ("firm", "lab")}
    assert found[("firm", "uni")]["shared"] == ["hub"]
    assert found[("firm", "uni")]["sectors"] == ("ind", "aca")
    assert found[("firm", "uni")]["score"] == pytest.approx(1 / math.log(3))


def test_resource_allocation_divides_by_the_shared_neighbours_degree():
    found = {s["pair"]: s for s in cross_sector_links(small(), method="resource_allocation")}
    assert found[("firm", "uni")]["score"] == pytest.approx(1 / 3)


def test_scores_agree_with_networkx_adamic_adar_on_a_random_graph():
    G = nx.gnm_random_graph(50, 120, seed=9)
    rng = random.Random(9)
    nx.set_node_attributes(G, {n: rng.choice("xyz") for n in G}, "sector")
    ours = {frozenset(s["pair"]): s["score"] for s in cross_sector_links(G)}
    theirs = {
        frozenset((u, v)): p
        for u, v, p in nx.adamic_adar_index(G)
        if p > 0 and G.nodes[u]["sector"] != G.nodes[v]["sector"]
    }
    assert ours.keys() == theirs.keys()
    assert all(ours[k] == pytest.approx(theirs[k]) for k in ours)


def test_focusing_on_some_nodes_returns_exactly_the_global_suggestions_that_touch_them():
    G = nx.gnm_random_graph(60, 150, seed=4)
    rng = random.Random(4)
    nx.set_node_attributes(G, {n: rng.choice("xyzw") for n in G}, "sector")
    focus = {1, 2, 3, 10}
    everything = [s for s in cross_sector_links(G) if set(s["pair"]) & focus]
    focused = cross_sector_links(G, nodes=focus)
    assert [(s["pair"], round(s["score"], 9)) for s in focused] == [
        (s["pair"], round(s["score"], 9)) for s in everything
    ]


def test_limit_keeps_the_best_and_hubs_can_be_skipped():
    assert len(cross_sector_links(small(), limit=1)) == 1
    assert cross_sector_links(small(), max_shared_degree=2) == []


def test_an_unknown_method_or_a_directed_graph_is_refused():
    with pytest.raises(InputError, match="adamic_adar, resource_allocation"):
        cross_sector_links(small(), method="jaccard")
    with pytest.raises(InputError, match="undirected"):
        cross_sector_links(nx.DiGraph())


@pytest.mark.parametrize("cap", [None, 6])
def test_suggestions_for_many_units_at_once_are_exactly_those_of_one_call_per_unit(cap):
    # A small clustered graph has many tied scores, so the tie-breaking is exercised too.
    G = nx.relaxed_caveman_graph(12, 6, 0.3, seed=3)
    rng = random.Random(3)
    nx.set_node_attributes(G, {n: rng.choice("xyz") for n in G}, "sector")
    units = {f"u{i}": rng.sample(sorted(G), rng.randint(0, 8)) for i in range(40)}
    together = cross_sector_links_by_unit(G, units, limit=3, max_shared_degree=cap)
    for key, members in units.items():
        alone = cross_sector_links(G, nodes=members, limit=3, max_shared_degree=cap)
        assert together[key] == alone, key
    assert any(len(found) == 3 for found in together.values())


def test_suggestions_by_unit_refuse_a_limit_below_one():
    with pytest.raises(InputError, match="limit"):
        cross_sector_links_by_unit(small(), {"u": ["uni"]}, limit=0)
