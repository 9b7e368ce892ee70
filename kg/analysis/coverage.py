"""Sector coverage: which sectors a group or collaboration area has, lacks, and how evenly.

Three numbers per unit (a group, an area, any set of members):

Shannon diversity
    ``H = -Σ p_s ln p_s`` over the share ``p_s`` of members in sector ``s`` (natural log, in
    nats). 0 when everybody is from one sector; ``ln S`` when ``S`` sectors are equally
    represented. *Evenness* (Pielou's J) divides by ``ln S`` for the ``S`` sectors of the
    scheme, so 1 means "all sectors equally present" and lacking sectors pull it down.

Triple-helix mutual information ``T_uig``
    Leydesdorff's measure of how university (u), industry (i) and government (g) relate
    beyond their pairwise relations, in bits:
    ``T = H_u + H_i + H_g - H_ui - H_ug - H_ig + H_uig``, where ``H_x`` is the Shannon entropy
    (base 2) of the distribution of observations over the presence/absence of helix ``x``,
    and ``H_xy``, ``H_uig`` are the joint entropies. Our data are set memberships, not
    co-authored papers, so the *observations* are the members of a unit, each described by
    the helices among its ``sectors`` (a person with an academic and an industrial
    affiliation co-occurs in u and i); across units (:func:`system_triple_helix`) the
    observations are the units, each described by the helices it has present. Observations
    in none of the three helices are left out, as they carry no information about the
    helices' relations. Helices: u = academia, i = industry, g = public sector *and*
    healthcare, because Swedish healthcare is run by the regions, which are public
    authorities (pass ``helices`` to change that). Negative T means the three overlap in a
    way that reduces uncertainty (synergy); positive T means the pairwise relations do not
    add up to a three-way one. T is only computed when all three helices occur (otherwise
    it is 0 by definition and says nothing): then the value is ``None``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import networkx as nx

__all__ = [
    "HELICES",
    "evenness",
    "sector_coverage",
    "shannon_diversity",
    "system_triple_helix",
    "triple_helix_mutual_information",
]

HELICES: dict[str, tuple[str, ...]] = {
    "u": ("academia",),
    "i": ("industry",),
    "g": ("public", "healthcare"),
}


def shannon_diversity(counts: Mapping[Any, int]) -> float:
    """Shannon diversity ``-Σ p ln p`` of a count per category (nats; 0 for one or no category).

    Examples
    --------
    >>> shannon_diversity({"academia": 1, "industry": 1}) == math.log(2)
    True
    >>> shannon_diversity({"industry": 7})
    0.0
    """
    total = sum(counts.values())
    if total == 0:
        return 0.0
    h = -sum((c / total) * math.log(c / total) for c in counts.values() if c > 0)
    return h + 0.0  # turn -0.0 into 0.0


def evenness(counts: Mapping[Any, int], categories: int) -> float | None:
    """Pielou's evenness: Shannon diversity divided by ``ln(categories)``; ``None`` if categories < 2.

    Examples
    --------
    >>> evenness({"academia": 2, "industry": 2}, categories=2)
    1.0
    >>> round(evenness({"academia": 2, "industry": 2}, categories=5), 3)
    0.431
    """
    if categories < 2:
        return None
    return shannon_diversity(counts) / math.log(categories)


def _entropy_bits(counts: Iterable[int]) -> float:
    values = [c for c in counts if c > 0]
    total = sum(values)
    return -sum((c / total) * math.log2(c / total) for c in values) if total else 0.0


def triple_helix_mutual_information(
    observations: Iterable[Collection[str]],
    helices: Mapping[str, Collection[str]] = HELICES,
) -> float | None:
    """Leydesdorff's ``T_uig`` in bits over observations that each carry a set of sectors.

    Each observation is mapped to three bits (is any of its sectors in helix u, i, g?).
    Observations in no helix are dropped. Returns ``None`` unless all three helices occur.

    Parameters
    ----------
    observations : iterable of collections of str
        The sectors of each observation (a member, or the sectors present in a unit).
    helices : mapping
        Exactly three helix names to the sectors that count as that helix.

    Returns
    -------
    float or None

    Examples
    --------
    Three members, one per helix: the helices exclude each other, which lowers uncertainty.

    >>> round(triple_helix_mutual_information([{"academia"}, {"industry"}, {"public"}]), 3)
    -0.415

    Every member spans all three helices: nothing varies, so there is nothing to share.

    >>> triple_helix_mutual_information([{"academia", "industry", "healthcare"}] * 4)
    0.0
    >>> triple_helix_mutual_information([{"academia"}, {"industry"}]) is None
    True
    """
    names = list(helices)
    if len(names) != 3:
        raise ValueError("helices must name exactly three helices")
    cells: Counter[tuple[int, int, int]] = Counter()
    for sectors in observations:
        bits = tuple(int(any(s in helices[h] for s in sectors)) for h in names)
        if any(bits):
            cells[bits] += 1  # type: ignore[index]
    present = [any(cell[i] for cell in cells) for i in range(3)]
    if not all(present):
        return None

    def h(axes: tuple[int, ...]) -> float:
        marginal: Counter[tuple[int, ...]] = Counter()
        for cell, count in cells.items():
            marginal[tuple(cell[a] for a in axes)] += count
        return _entropy_bits(marginal.values())

    t = h((0,)) + h((1,)) + h((2,)) - h((0, 1)) - h((0, 2)) - h((1, 2)) + h((0, 1, 2))
    # Floating-point sums of entropies leave ~1e-16 residues where T is exactly zero.
    return 0.0 if abs(t) < 1e-12 else t


def system_triple_helix(
    coverage: Mapping[Any, Mapping[str, Any]],
    helices: Mapping[str, Collection[str]] = HELICES,
) -> float | None:
    """``T_uig`` across units: each unit is one observation, described by its present sectors.

    Takes the output of :func:`sector_coverage`.

    Examples
    --------
    >>> cov = {"g1": {"present": ["academia", "industry"]}, "g2": {"present": ["public"]},
    ...        "g3": {"present": ["industry", "public"]}}
    >>> round(system_triple_helix(cov), 3)
    0.252
    """
    return triple_helix_mutual_information((c["present"] for c in coverage.values()), helices)


def sector_coverage(
    G: nx.Graph,
    units: Iterable[Any] | Mapping[Any, Iterable[Any]],
    *,
    attr: str = "sector",
    multi_attr: str | None = "sectors",
    sectors: Iterable[str] | None = None,
    helices: Mapping[str, Collection[str]] = HELICES,
) -> dict[Any, dict[str, Any]]:
    """Which sectors each unit has and lacks, with diversity, evenness and ``T_uig``.

    Parameters
    ----------
    G : networkx.Graph
        Holds the members and their ``attr`` (one sector per member).
    units : iterable of nodes, or mapping unit -> members
        Nodes of ``G`` whose neighbours are their members (a group in the affiliation
        graph), or an explicit mapping from any unit key to member nodes of ``G``.
    attr : str
        Node attribute holding a member's sector.
    multi_attr : str, optional
        Node attribute listing all of a member's sectors, used for ``T_uig``
        (falls back to ``attr``).
    sectors : iterable of str, optional
        The sectors a unit could have; default: every value of ``attr`` in ``G``.
    helices : mapping
        See :func:`triple_helix_mutual_information`.

    Returns
    -------
    dict
        Unit to ``{"members", "counts", "present", "absent", "unknown", "diversity",
        "evenness", "t_uig"}``. ``members`` counts every member; ``unknown`` lists members
        without a sector; ``counts`` maps each present sector to its number of members.
        ``diversity`` and ``evenness`` are ``None`` when no member has a sector.

    Examples
    --------
    >>> G = nx.Graph([("board", "ann"), ("board", "bob"), ("board", "cy")])
    >>> nx.set_node_attributes(G, {"ann": "academia", "bob": "industry", "cy": "industry"}, "sector")
    >>> cov = sector_coverage(G, ["board"], sectors=["academia", "industry", "public"])
    >>> cov["board"]["counts"], cov["board"]["absent"]
    ({'academia': 1, 'industry': 2}, ['public'])
    >>> round(cov["board"]["diversity"], 3), cov["board"]["t_uig"] is None
    (0.637, True)
    """
    if sectors is None:
        universe = sorted({v for _, v in G.nodes(data=attr) if v is not None})
    else:
        universe = sorted(set(sectors))
    if isinstance(units, Mapping):
        memberships = {u: list(members) for u, members in units.items()}
    else:
        memberships = {u: list(G.neighbors(u)) for u in units}
    result: dict[Any, dict[str, Any]] = {}
    for unit, members in memberships.items():
        counts: Counter[str] = Counter()
        unknown = []
        observations = []
        for m in dict.fromkeys(members):
            data = G.nodes[m] if m in G else {}
            sector = data.get(attr)
            if sector is None:
                unknown.append(m)
                continue
            counts[sector] += 1
            many = data.get(multi_attr) if multi_attr else None
            observations.append(set(many) if many else {sector})
        ordered = {s: counts[s] for s in sorted(counts)}
        result[unit] = {
            "members": len(dict.fromkeys(members)),
            "counts": ordered,
            "present": sorted(counts),
            "absent": [s for s in universe if s not in counts],
            "unknown": sorted(unknown, key=str),
            # Diversity of nobody is undefined, not zero: an empty unit is not a monoculture.
            "diversity": shannon_diversity(counts) if counts else None,
            "evenness": evenness(counts, len(universe)) if counts else None,
            "t_uig": triple_helix_mutual_information(observations, helices),
        }
    return result
