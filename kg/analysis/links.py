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

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import networkx as nx
import numpy as np

from kg.analysis._matrix import adjacency, cached
from kg.errors import InputError

__all__ = ["METHODS", "cross_sector_links", "cross_sector_links_by_unit"]

METHODS = ("adamic_adar", "resource_allocation")
_CHUNK_ROWS = 512  # rows of the two-step product computed at once


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
        first, ties broken by the string forms of ``u`` then ``v`` (``str(u) <= str(v)``).

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
    _check(G, method)
    nodes_list, index, A, codes = cached(G, ("links", attr), lambda: _matrix(G, attr))
    if A.shape[0] == 0:
        return []
    weights, weighted = _weighted(G, A, method, max_shared_degree)
    if nodes is None:
        focus = np.flatnonzero(codes >= 0)
    else:
        chosen = sorted(index[n] for n in set(nodes) if n in index and codes[index[n]] >= 0)
        focus = np.array(chosen, dtype=np.int64)
    in_focus = np.zeros(len(nodes_list), dtype=bool)
    in_focus[focus] = True
    found_rows: list[Any] = []
    found_cols: list[Any] = []
    found_vals: list[Any] = []
    for _rows, r, c, v in _scored_chunks(weighted, A, codes, focus):
        # A pair with both ends in focus is met from both ends; keep it from the lower index.
        keep = ~in_focus[c] | (r < c)
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
    pairs.sort(key=lambda p: (-p[1], str(p[0][0]), str(p[0][1])))
    if limit is not None:
        pairs = pairs[:limit]
    return _explain(G, attr, pairs, index, weights)


def _check(G: nx.Graph, method: str) -> None:
    if method not in METHODS:
        raise InputError(f"unknown link method {method!r}; choose one of {', '.join(METHODS)}")
    if G.is_directed():
        raise InputError("cross_sector_links needs an undirected graph")


def _weighted(G: nx.Graph, A: Any, method: str, max_shared_degree: int | None) -> tuple[Any, Any]:
    """Per-node weights (0 for skipped neighbours) and the adjacency with columns weighted."""

    def weigh() -> tuple[Any, Any]:
        degrees = np.diff(A.indptr)
        usable = degrees >= 2
        if max_shared_degree is not None:
            usable &= degrees <= max_shared_degree
        weights = np.zeros(A.shape[0])
        if method == "adamic_adar":
            weights[usable] = 1.0 / np.log(degrees[usable])
        else:
            weights[usable] = 1.0 / degrees[usable]
        return weights, A.multiply(weights[np.newaxis, :]).tocsr()

    # Scoring group after group reuses one weighted matrix per graph, method and hub cap.
    return cached(G, ("links", method, max_shared_degree), weigh)


def _explain(
    G: nx.Graph, attr: str, pairs: list[tuple[tuple[Any, Any], float]], index: dict[Any, int], weights: Any
) -> list[dict[str, Any]]:
    """The result dicts of scored pairs: sectors and the shared neighbours that count."""
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
                "sectors": (G.nodes[u][attr], G.nodes[v][attr]),
                "shared": sorted(shared, key=str),
            }
        )
    return result


def cross_sector_links_by_unit(
    G: nx.Graph,
    units: Mapping[Any, Iterable[Any]],
    *,
    limit: int,
    attr: str = "sector",
    method: str = "adamic_adar",
    max_shared_degree: int | None = None,
) -> dict[Any, list[dict[str, Any]]]:
    """:func:`cross_sector_links` with ``nodes=members, limit=limit`` for many units at once.

    The answer for every unit is exactly what one call per unit returns, but each node's
    scores are computed once however many units it belongs to: one sparse two-step product
    per block of rows, from which each node keeps only its ``limit`` best partners. A unit's
    best ``limit`` pairs are among its members' best ``limit`` (a pair ranks no lower among
    one member's pairs than among the unit's), so merging those short lists is exact.

    Parameters
    ----------
    G : networkx.Graph
        Undirected.
    units : mapping
        Unit key (a group, an area) to the nodes it holds.
    limit : int
        How many suggestions per unit.
    attr, method, max_shared_degree
        As for :func:`cross_sector_links`.

    Returns
    -------
    dict
        Unit key to its suggestions, as :func:`cross_sector_links` returns them.

    Examples
    --------
    >>> G = nx.Graph([("uni", "hub"), ("hub", "firm"), ("firm", "lab"), ("lab", "clinic")])
    >>> nx.set_node_attributes(G, {"uni": "academia", "firm": "industry", "hub": "public",
    ...                            "lab": "academia", "clinic": "healthcare"}, "sector")
    >>> found = cross_sector_links_by_unit(G, {"g1": ["uni"], "g2": ["clinic", "hub"]}, limit=1)
    >>> [s["pair"] for s in found["g1"]], [s["pair"] for s in found["g2"]]
    ([('firm', 'uni')], [('clinic', 'firm')])
    """
    _check(G, method)
    if limit < 1:
        raise InputError("limit must be at least 1")
    members = {key: {n for n in unit if n in G} for key, unit in units.items()}
    nodes_list, index, A, codes = cached(G, ("links", attr), lambda: _matrix(G, attr))
    if A.shape[0] == 0:
        return {key: [] for key in members}
    weights, weighted = _weighted(G, A, method, max_shared_degree)
    # Ties are broken by (str(u), str(v)) with str(u) <= str(v): as integers, by the
    # nodes' ranks in string order, so that a row's best `limit` can be chosen in NumPy.
    order = sorted(range(len(nodes_list)), key=lambda i: str(nodes_list[i]))
    rank = np.empty(len(nodes_list), dtype=np.int64)
    rank[order] = np.arange(len(nodes_list))
    n = np.int64(len(nodes_list))
    focus = np.array(
        sorted({index[x] for unit in members.values() for x in unit if codes[index[x]] >= 0}),
        dtype=np.int64,
    )
    best: dict[int, list[tuple[int, float]]] = {}
    for rows, r, c, v in _scored_chunks(weighted, A, codes, focus):
        lo, hi = np.minimum(rank[r], rank[c]), np.maximum(rank[r], rank[c])
        tie = lo * n + hi
        # COO of a CSR product is in row order: one slice per row.
        bounds = np.searchsorted(r, rows, side="left"), np.searchsorted(r, rows, side="right")
        for row, a, b in zip(rows.tolist(), bounds[0].tolist(), bounds[1].tolist(), strict=True):
            if a == b:
                continue
            chosen = _top(v[a:b], tie[a:b], limit)
            best[row] = list(zip(c[a:b][chosen].tolist(), v[a:b][chosen].tolist(), strict=True))
    result: dict[Any, list[dict[str, Any]]] = {}
    for key, unit in members.items():
        found: dict[tuple[Any, Any], float] = {}
        for x in unit:
            for col, score in best.get(index[x], ()):
                u, w = x, nodes_list[col]
                found[(u, w) if str(u) <= str(w) else (w, u)] = score
        pairs = sorted(found.items(), key=lambda p: (-p[1], str(p[0][0]), str(p[0][1])))[:limit]
        result[key] = _explain(G, attr, pairs, index, weights)
    return result


def _scored_chunks(weighted: Any, A: Any, codes: Any, focus: Any) -> Iterator[tuple[Any, Any, Any, Any]]:
    """For each chunk of the ``focus`` rows: the rows, and the (row, column, score) of every
    scored pair that is not already linked, not a node with itself, and crosses sectors.

    Rows go in chunks: each chunk's two-step products are a |chunk| x n sparse matrix, so
    memory stays bounded on large graphs while the arithmetic runs in SciPy's C code.
    """
    for start in range(0, len(focus), _CHUNK_ROWS):
        rows = focus[start : start + _CHUNK_ROWS]
        scores = (weighted[rows] @ A).tocsr()
        scores = (scores - scores.multiply(A[rows])).tocoo()
        r, c, v = rows[scores.row], scores.col, scores.data
        keep = (v > 1e-12) & (c != r) & (codes[c] >= 0) & (codes[c] != codes[r])
        yield rows, r[keep], c[keep], v[keep]


def _top(scores: Any, ties: Any, limit: int) -> Any:
    """Indices of the ``limit`` best entries by (-score, tie): scores first, then tie keys."""
    if len(scores) <= limit:
        return np.arange(len(scores))
    cutoff = np.partition(scores, len(scores) - limit)[len(scores) - limit]
    above = np.flatnonzero(scores > cutoff)
    level = np.flatnonzero(scores == cutoff)
    wanted = limit - len(above)
    if len(level) > wanted:
        level = level[np.argpartition(ties[level], wanted - 1)[:wanted]]
    return np.concatenate([above, level])


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
