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

from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np

from kg.analysis._matrix import adjacency, cached
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
    nodes_list, index, A, codes = cached(G, ("links", attr), lambda: _matrix(G, attr))
    if A.shape[0] == 0:
        return []

    def weigh() -> tuple[Any, Any]:
        degrees = np.diff(A.indptr)
        usable = degrees >= 2
        if max_shared_degree is not None:
            usable &= degrees <= max_shared_degree
        weights = np.zeros(len(nodes_list))
        if method == "adamic_adar":
            weights[usable] = 1.0 / np.log(degrees[usable])
        else:
            weights[usable] = 1.0 / degrees[usable]
        return weights, A.multiply(weights[np.newaxis, :]).tocsr()

    # Scoring group after group reuses one weighted matrix per graph, method and hub cap.
    weights, weighted = cached(G, ("links", method, max_shared_degree), weigh)
    if nodes is None:
        focus = np.flatnonzero(codes >= 0)
    else:
        focus = np.array(sorted(index[n] for n in set(nodes) if n in index and codes[index[n]] >= 0))
    in_focus = np.zeros(len(nodes_list), dtype=bool)
    in_focus[focus] = True
    found_rows: list[Any] = []
    found_cols: list[Any] = []
    found_vals: list[Any] = []
    # Rows in chunks: each chunk's two-step products are a |chunk| x n sparse matrix, so
    # memory stays bounded on large graphs while the arithmetic runs in SciPy's C code.
    for start in range(0, len(focus), 512):
        rows = focus[start : start + 512]
        scores = (weighted[rows] @ A).tocsr()
        scores = (scores - scores.multiply(A[rows])).tocoo()
        r, c, v = rows[scores.row], scores.col, scores.data
        keep = (v > 1e-12) & (c != r) & (codes[c] >= 0) & (codes[c] != codes[r])
        # A pair with both ends in focus is met from both ends; keep it from the lower index.
        keep &= ~in_focus[c] | (r < c)
        found_rows.append(r[keep])
        found_cols.append(c[keep])
        found_vals.append(v[keep])
        if limit is not None:
            found_rows, found_cols, found_vals = _best(found_rows, found_cols, found_vals, limit)
    if not found_vals:
        return []
    rs, cs, vs = (np.concatenate(x) for x in (found_rows, found_cols, found_vals))
    pairs = []
    for a, c, score in zip(rs.tolist(), cs.tolist(), vs.tolist(), strict=True):
        u, v = nodes_list[a], nodes_list[c]
        pairs.append(((u, v) if str(u) <= str(v) else (v, u), score))
    pairs.sort(key=lambda p: (-p[1], str(p[0])))
    if limit is not None:
        pairs = pairs[:limit]
    sector = dict(G.nodes(data=attr))
    neighbours: dict[Any, set[Any]] = {}

    def around(n: Any) -> set[Any]:
        if n not in neighbours:
            neighbours[n] = set(G[n])
        return neighbours[n]

    result = []
    for (u, v), score in pairs:
        shared = [w for w in around(u) & around(v) if weights[index[w]] > 0]
        result.append(
            {
                "pair": (u, v),
                "score": score,
                "sectors": (sector[u], sector[v]),
                "shared": sorted(shared, key=str),
            }
        )
    return result


def _best(rows: list[Any], cols: list[Any], vals: list[Any], limit: int) -> tuple[list[Any], ...]:
    """Keep the ``limit`` best scores so far, and every score tied with the last of them."""
    r, c, v = (np.concatenate(x) for x in (rows, cols, vals))
    if len(v) > limit:
        cutoff = np.partition(v, len(v) - limit)[len(v) - limit]
        keep = v >= cutoff - 1e-12
        r, c, v = r[keep], c[keep], v[keep]
    return [r], [c], [v]


def _matrix(G: nx.Graph, attr: str) -> tuple[list[Any], dict[Any, int], Any, Any]:
    """Nodes, their index, the 0/1 adjacency matrix and sector codes (-1 for none)."""
    nodes_list, index, A = adjacency(G)
    names = sorted({s for _, s in G.nodes(data=attr) if s is not None}, key=str)
    code = {s: i for i, s in enumerate(names)}
    codes = np.array([code.get(G.nodes[n].get(attr), -1) for n in nodes_list], dtype=np.int64)
    return nodes_list, index, A, codes
