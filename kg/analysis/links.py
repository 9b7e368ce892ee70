"""Suggested links: cross-sector pairs with no tie yet, but with contacts in common.

Two link-prediction scores, both sums over the shared neighbours ``w`` of a pair:

Adamic–Adar
    ``Σ 1 / ln(deg w)``: a shared contact counts more when it has few contacts, because a
    small shared circle says more than a shared hub.
resource allocation
    ``Σ 1 / deg w``: the share of a unit of "resource" that would flow from one end to the
    other through the shared contacts; punishes hubs harder than Adamic–Adar.

Only pairs in *different* sectors are scored (the point is to find collaboration across
sector lines), and each suggestion lists the shared neighbours that explain it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import networkx as nx

from kg.errors import InputError

__all__ = ["METHODS", "cross_sector_links"]

METHODS = ("adamic_adar", "resource_allocation")


def cross_sector_links(
    G: nx.Graph,
    *,
    attr: str = "sector",
    method: str = "adamic_adar",
    limit: int | None = None,
    nodes: Iterable[Any] | None = None,
    max_shared_degree: int | None = None,
) -> list[dict[str, Any]]:
    """Score non-adjacent cross-sector pairs by their shared neighbours.

    Parameters
    ----------
    G : networkx.Graph
        Undirected.
    attr : str
        Node attribute holding the sector; pairs where either end lacks one are skipped
        (the shared neighbours may lack one: groups can explain a pair).
    method : {"adamic_adar", "resource_allocation"}
    limit : int, optional
        Return only the best ``limit`` suggestions.
    nodes : iterable, optional
        Only pairs with at least one end in ``nodes`` (for example, one group's members).
    max_shared_degree : int, optional
        Ignore shared neighbours with more contacts than this. Every pair around a hub of
        degree ``d`` is touched, so large hubs cost ``d²``; their contribution to the score
        is the smallest, so skipping them is the approximation used on large graphs.

    Returns
    -------
    list of dict
        ``{"pair": (u, v), "score", "sectors": (su, sv), "shared": [w, ...]}``, best
        first, ties broken by the pair's string form.

    Examples
    --------
    >>> G = nx.Graph([("uni", "hub1"), ("hub1", "firm"), ("uni", "hub2"), ("hub2", "firm")])
    >>> nx.set_node_attributes(G, {"uni": "academia", "firm": "industry",
    ...                            "hub1": "public", "hub2": "public"}, "sector")
    >>> [(s["pair"], round(s["score"], 3), s["shared"]) for s in cross_sector_links(G)]
    [(('firm', 'uni'), 2.885, ['hub1', 'hub2'])]
    >>> cross_sector_links(G, method="resource_allocation")[0]["score"]
    1.0
    """
    if method not in METHODS:
        raise InputError(f"unknown link method {method!r}; choose one of {', '.join(METHODS)}")
    if G.is_directed():
        raise InputError("cross_sector_links needs an undirected graph")
    sector = {n: s for n, s in G.nodes(data=attr) if s is not None}
    scores: dict[tuple[Any, Any], float] = defaultdict(float)
    shared: dict[tuple[Any, Any], list[Any]] = defaultdict(list)

    def contribution(w: Any) -> float | None:
        d = G.degree(w)
        if d < 2 or (max_shared_degree is not None and d > max_shared_degree):
            return None
        return 1 / math.log(d) if method == "adamic_adar" else 1 / d

    def add(a: Any, c: Any, w: Any, weight: float) -> None:
        key = (a, c) if str(a) <= str(c) else (c, a)
        scores[key] += weight
        shared[key].append(w)

    if nodes is None:
        for w in G:
            weight = contribution(w)
            if weight is None:
                continue
            ends = [n for n in G[w] if n in sector and n != w]
            for i, a in enumerate(ends):
                adjacent = G[a]
                for c in ends[i + 1 :]:
                    if sector[a] != sector[c] and c not in adjacent:
                        add(a, c, w, weight)
    else:
        # Walk out from the focus nodes only: cost grows with their neighbourhoods, not with
        # the whole graph, so scoring one group's members stays cheap on a large graph.
        focus = {n for n in nodes if n in sector}
        position = {n: i for i, n in enumerate(G)}
        for a in sorted(focus, key=position.__getitem__):
            adjacent = G[a]
            for w in adjacent:
                weight = contribution(w) if w != a else None
                if weight is None:
                    continue
                for c in G[w]:
                    if c == a or c not in sector or sector[c] == sector[a] or c in adjacent:
                        continue
                    if c in focus and position[c] < position[a]:
                        continue  # the pair was scored from c's side
                    add(a, c, w, weight)
    ranked = sorted(scores, key=lambda p: (-scores[p], str(p)))
    if limit is not None:
        ranked = ranked[:limit]
    return [
        {
            "pair": pair,
            "score": scores[pair],
            "sectors": (sector[pair[0]], sector[pair[1]]),
            "shared": sorted(shared[pair], key=str),
        }
        for pair in ranked
    ]
