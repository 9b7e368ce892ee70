"""Communities: clusters of densely tied nodes, and which sectors each cluster mixes.

Louvain (networkx ``louvain_communities``) greedily moves nodes between clusters to raise
*modularity*, the share of ties that fall inside clusters minus the share expected if ties
were placed at random with the same degrees. Modularity runs from -0.5 to 1; above about 0.3
the clusters are clearly more tightly knit inside than between. Louvain is randomised, so it
is seeded: the same graph and seed give the same partition. Above
:data:`LOUVAIN_MAX_EDGES` edges the (also seeded) fast label propagation of networkx is used
instead: each node repeatedly takes the label most common among its neighbours.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx
import numpy as np

from kg.analysis._matrix import adjacency
from kg.analysis.coverage import shannon_diversity

__all__ = ["LOUVAIN_MAX_EDGES", "communities"]

# networkx's Louvain is pure Python: 66 s on the 520k-edge organisation graph of the 100k
# benchmark, against a 60 s budget for the whole report (benchmarks/results/analysis.md).
LOUVAIN_MAX_EDGES = 200_000


def communities(
    G: nx.Graph,
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
    seed: int = 42,
    attr: str = "sector",
    louvain_max_edges: int = LOUVAIN_MAX_EDGES,
) -> dict[str, Any]:
    """Louvain communities with their modularity and the sector make-up of each.

    Parameters
    ----------
    G : networkx.Graph
    weight : str, optional
        Edge attribute used as tie strength (missing values count as 1).
    resolution : float
        Above 1 favours smaller communities, below 1 larger ones.
    seed : int
        Seed of Louvain's random node order.
    attr : str
        Node attribute whose values are tallied per community.
    louvain_max_edges : int
        Above this many edges, seeded fast label propagation (linear time, lower modularity)
        replaces Louvain; ``method`` in the result says which ran.

    Returns
    -------
    dict
        ``{"method", "seed", "resolution", "modularity", "communities"}``; each community is
        ``{"id", "size", "members", "sectors", "diversity"}``, largest first, ``sectors``
        counting members per ``attr`` value (``"unknown"`` for members without one).
        ``modularity`` is ``None`` for a graph without ties.

    Examples
    --------
    Two triangles joined by one tie split into the two triangles.

    >>> G = nx.Graph([(1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 4)])
    >>> nx.set_node_attributes(G, {n: "academia" if n < 4 else "industry" for n in G}, "sector")
    >>> result = communities(G)
    >>> [c["members"] for c in result["communities"]], round(result["modularity"], 3)
    ([[1, 2, 3], [4, 5, 6]], 0.357)
    >>> result["communities"][0]["sectors"]
    {'academia': 3}
    """
    method = "louvain" if G.number_of_edges() <= louvain_max_edges else "label propagation"
    if G.number_of_nodes() == 0:
        parts: list[set[Any]] = []
    elif method == "louvain":
        parts = nx.community.louvain_communities(G, weight=weight, resolution=resolution, seed=seed)
    else:
        parts = list(nx.community.fast_label_propagation_communities(G, weight=weight, seed=seed))
    modularity = None
    if G.number_of_edges() > 0:
        modularity = _modularity(G, parts, weight, resolution)
    ordered = sorted((sorted(part, key=str) for part in parts), key=lambda m: (-len(m), str(m[0])))
    result = []
    for i, members in enumerate(ordered):
        tally = Counter("unknown" if G.nodes[n].get(attr) is None else G.nodes[n][attr] for n in members)
        known = {s: c for s, c in tally.items() if s != "unknown"}
        result.append(
            {
                "id": i,
                "size": len(members),
                "members": members,
                "sectors": {s: tally[s] for s in sorted(tally)},
                "diversity": shannon_diversity(known),
            }
        )
    return {
        "method": method,
        "seed": seed,
        "resolution": resolution,
        "modularity": modularity,
        "communities": result,
    }


def _modularity(G: nx.Graph, parts: list[set[Any]], weight: str | None, resolution: float) -> float:
    """Newman's modularity of ``parts``; as networkx computes it, in SciPy for large graphs.

    ``Q = Σ_c [L_c / m - γ (d_c / 2m)²]`` with ``L_c`` the weight of ties inside community c,
    ``d_c`` the summed weighted degree of its members and ``m`` the total weight. networkx
    walks every tie in Python (8 s on the 0.5-million-tie organisation graph of the 100k
    benchmark); small graphs keep its exact arithmetic.
    """
    if (
        G.number_of_edges() <= LOUVAIN_MAX_EDGES
        or G.is_directed()
        or G.is_multigraph()
        or nx.number_of_selfloops(G)
    ):
        return float(nx.community.modularity(G, parts, weight=weight, resolution=resolution))
    nodes, index, W = adjacency(G, weight)
    label = np.empty(len(nodes), dtype=np.int64)
    for i, part in enumerate(parts):
        label[[index[n] for n in part]] = i
    degrees = np.asarray(W.sum(axis=1)).ravel()
    m = degrees.sum() / 2
    coo = W.tocoo()
    inside = coo.data[label[coo.row] == label[coo.col]].sum() / 2
    by_part = np.bincount(label, weights=degrees, minlength=len(parts))
    return float(inside / m - resolution * ((by_part / (2 * m)) ** 2).sum())
