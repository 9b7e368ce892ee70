"""Sector coverage, Shannon diversity and Leydesdorff's T_uig on hand-computed cases."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from kg.analysis.coverage import (
    evenness,
    sector_coverage,
    shannon_diversity,
    system_triple_helix,
    triple_helix_mutual_information,
)


def h2(*p: float) -> float:
    return -sum(x * math.log2(x) for x in p if x > 0)


def test_shannon_diversity_of_two_equal_sectors_is_ln_two():
    assert shannon_diversity({"a": 3, "b": 3}) == pytest.approx(math.log(2))
    assert shannon_diversity({}) == 0.0


def test_evenness_is_one_when_all_sectors_are_equally_present_and_undefined_for_one_category():
    assert evenness({"a": 1, "b": 1, "c": 1}, 3) == pytest.approx(1.0)
    assert evenness({"a": 1}, 1) is None


def test_t_uig_of_three_mutually_exclusive_helices_follows_the_entropy_formula():
    # Each observation in exactly one helix, shares 1/2, 1/4, 1/4.
    obs = [{"academia"}, {"academia"}, {"industry"}, {"public"}]
    expected = h2(0.5, 0.5) + 2 * h2(0.25, 0.75) - 2 * h2(0.5, 0.25, 0.25)
    assert triple_helix_mutual_information(obs) == pytest.approx(expected)


def test_t_uig_counts_healthcare_as_the_government_helix_by_default():
    with_health = [{"academia"}, {"industry"}, {"healthcare"}]
    with_public = [{"academia"}, {"industry"}, {"public"}]
    assert triple_helix_mutual_information(with_health) == triple_helix_mutual_information(with_public)


def test_t_uig_is_undefined_without_all_three_helices_and_ignores_other_sectors():
    assert triple_helix_mutual_information([{"academia"}, {"industry"}]) is None
    assert triple_helix_mutual_information([{"civil-society"}] * 5) is None
    base = [{"academia"}, {"industry"}, {"public"}]
    assert triple_helix_mutual_information([*base, {"civil-society"}]) == pytest.approx(
        triple_helix_mutual_information(base)
    )


def test_t_uig_rejects_a_helix_mapping_that_is_not_three_helices():
    with pytest.raises(ValueError, match="exactly three"):
        triple_helix_mutual_information([{"a"}], helices={"u": ("a",)})


def test_system_t_uig_treats_each_unit_as_one_observation():
    cov = {"x": {"present": ["academia"]}, "y": {"present": ["industry"]}, "z": {"present": ["public"]}}
    assert system_triple_helix(cov) == pytest.approx(3 * h2(1 / 3, 2 / 3) - 2 * math.log2(3))


def test_sector_coverage_lists_present_absent_and_unknown_members_of_each_unit():
    G = nx.Graph([("g", "ann"), ("g", "bob"), ("g", "eve")])
    nx.set_node_attributes(G, {"ann": "academia", "bob": "industry"}, "sector")
    cov = sector_coverage(G, ["g"], sectors=["academia", "industry", "public"])["g"]
    assert cov["members"] == 3
    assert cov["counts"] == {"academia": 1, "industry": 1}
    assert (cov["present"], cov["absent"], cov["unknown"]) == (
        ["academia", "industry"],
        ["public"],
        ["eve"],
    )
    assert cov["evenness"] == pytest.approx(math.log(2) / math.log(3))


def test_sector_coverage_accepts_explicit_member_lists_and_uses_members_sector_sets_for_t():
    G = nx.Graph()
    G.add_node("ann", sector="academia", sectors=["academia", "industry"])
    G.add_node("bob", sector="public")
    cov = sector_coverage(G, {"area": ["ann", "bob"], "empty": []})
    assert cov["area"]["t_uig"] == pytest.approx(
        triple_helix_mutual_information([{"academia", "industry"}, {"public"}])
    )
    assert cov["empty"]["diversity"] is None
    assert cov["empty"]["absent"] == ["academia", "public"]
