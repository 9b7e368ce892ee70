"""Fragility: single points of failure, and what falls away if each one goes.

articulation point
    A node whose removal splits its connected component: the people or organisations that
    hold parts of the network together on their own.
bridge
    A tie whose removal splits its component: the only link between two parts.
local bridge
    A tie whose ends share no neighbour (Granovetter): removing it does not disconnect
    anything but makes the ends at least ``span`` steps apart, so it carries information
    the rest of the network does not.

Articulation points and bridges come from one depth-first search (Hopcroft–Tarjan low
links) that also records subtree sizes, so the size of every piece left after a removal is
known without removing anything: linear time for the whole graph. Direction is ignored: a
directed graph is read as undirected.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.analysis._matrix import cached

__all__ = ["SPAN_BELOW", "articulation_points", "bridges", "local_bridges"]

# Computing a local bridge's span is one shortest-path search per local bridge; above this
# many nodes spans are left out (None) so that the report stays linear-ish on big graphs.
SPAN_BELOW = 5000


@dataclass
class _Search:
    order: list[Any] = field(default_factory=list)
    index: dict[Any, int] = field(default_factory=dict)
    low: dict[Any, int] = field(default_factory=dict)
    size: dict[Any, int] = field(default_factory=dict)
    children: dict[Any, list[Any]] = field(default_factory=dict)
    roots: list[Any] = field(default_factory=list)
    component: dict[Any, Any] = field(default_factory=dict)  # node -> its component's root

    def subtree(self, v: Any) -> list[Any]:
        start = self.index[v]
        return self.order[start : start + self.size[v]]

    def component_nodes(self, root: Any) -> list[Any]:
        return self.subtree(root)


def _search(G: nx.Graph) -> _Search:
    """The DFS of :func:`_depth_first`, done once per frozen graph (points and bridges share it)."""
    return cached(G, "fragility-search", lambda: _depth_first(G))


def _depth_first(G: nx.Graph) -> _Search:
    """Iterative DFS recording preorder, low links, subtree sizes and the DFS tree."""
    U = G.to_undirected(as_view=True) if G.is_directed() else G
    s = _Search()
    for root in U:
        if root in s.index:
            continue
        s.roots.append(root)
        s.index[root] = s.low[root] = len(s.order)
        s.order.append(root)
        s.children[root] = []
        s.component[root] = root
        parent: dict[Any, Any] = {root: None}
        stack: list[tuple[Any, Iterator[Any]]] = [(root, iter(U[root]))]
        while stack:
            v, neighbours = stack[-1]
            advanced = False
            for w in neighbours:
                if w == v:
                    continue
                if w not in s.index:
                    parent[w] = v
                    s.index[w] = s.low[w] = len(s.order)
                    s.order.append(w)
                    s.children[w] = []
                    s.children[v].append(w)
                    s.component[w] = root
                    stack.append((w, iter(U[w])))
                    advanced = True
                    break
                if w != parent[v]:
                    s.low[v] = min(s.low[v], s.index[w])
            if advanced:
                continue
            stack.pop()
            s.size[v] = 1 + sum(s.size[c] for c in s.children[v])
            p = parent[v]
            if p is not None:
                s.low[p] = min(s.low[p], s.low[v])
    return s


def _sort_key(item: dict[str, Any]) -> tuple[int, str]:
    return (-item["cut_off_count"], str(item.get("node", item.get("edge"))))


def articulation_points(G: nx.Graph, max_listed: int = 50) -> list[dict[str, Any]]:
    """Every articulation point, with the pieces its removal leaves and who is cut off.

    Parameters
    ----------
    G : networkx.Graph
    max_listed : int
        At most this many cut-off nodes are listed per point (``cut_off_count`` is exact).

    Returns
    -------
    list of dict
        ``{"node", "component_size", "pieces", "cut_off", "cut_off_count"}``, most damaging
        first. ``pieces`` are the sizes of the parts left, largest first; ``cut_off`` lists
        the nodes outside the largest part (those that lose contact with the bulk).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("c", "e")])
    >>> [(p["node"], p["pieces"], p["cut_off"]) for p in articulation_points(G)]
    [('c', [2, 1, 1], ['d', 'e']), ('b', [3, 1], ['a'])]
    """
    s = _search(G)
    points = []
    for v in s.order:
        root = s.component[v]
        separated = [c for c in s.children[v] if v == root or s.low[c] >= s.index[v]]
        if v == root and len(separated) < 2:
            continue
        if v != root and not separated:
            continue
        comp_size = s.size[root]
        pieces: list[tuple[int, Any]] = [(s.size[c], c) for c in separated]
        rest = comp_size - 1 - sum(size for size, _ in pieces)
        if rest > 0:
            pieces.append((rest, None))  # None: the part that still holds the DFS root
        # Ties between equal pieces go to the part with the root, then to DFS order.
        pieces.sort(key=lambda p: (-p[0], p[1] is not None, s.index.get(p[1], -1)))
        cut_off: list[Any] = []
        for _, child in pieces[1:]:
            if len(cut_off) >= max_listed:
                break
            if child is not None:
                cut_off.extend(s.subtree(child))
            else:
                hidden = {v} | {n for c in separated for n in s.subtree(c)}
                cut_off.extend(n for n in s.component_nodes(root) if n not in hidden)
        points.append(
            {
                "node": v,
                "component_size": comp_size,
                "pieces": [size for size, _ in pieces],
                "cut_off": sorted(cut_off[:max_listed], key=str),
                "cut_off_count": sum(size for size, _ in pieces[1:]),
            }
        )
    return sorted(points, key=_sort_key)


def bridges(G: nx.Graph, max_listed: int = 50) -> list[dict[str, Any]]:
    """Every bridge, with the sizes of the two sides and the nodes on the smaller one.

    Parameters
    ----------
    G : networkx.Graph
    max_listed : int
        At most this many cut-off nodes are listed per bridge.

    Returns
    -------
    list of dict
        ``{"edge": (u, v), "component_size", "pieces", "cut_off", "cut_off_count"}``, where
        ``u`` stays with the larger side and ``cut_off`` is the smaller side.

    Examples
    --------
    >>> [(b["edge"], b["pieces"], b["cut_off"]) for b in bridges(nx.path_graph(4))]
    [((1, 2), [2, 2], [2, 3]), ((1, 0), [3, 1], [0]), ((2, 3), [3, 1], [3])]
    """
    s = _search(G)
    found = []
    for p in s.order:
        for c in s.children[p]:
            if s.low[c] <= s.index[p]:
                continue
            comp_size = s.size[s.component[p]]
            below = s.size[c]
            above = comp_size - below
            if below <= above:
                edge, cut = (p, c), s.subtree(c)
            else:
                inside = set(s.subtree(c))
                edge = (c, p)
                cut = [n for n in s.component_nodes(s.component[p]) if n not in inside]
            found.append(
                {
                    "edge": edge,
                    "component_size": comp_size,
                    "pieces": [max(below, above), min(below, above)],
                    "cut_off": sorted(cut[:max_listed], key=str),
                    "cut_off_count": min(below, above),
                }
            )
    return sorted(found, key=_sort_key)


def local_bridges(G: nx.Graph, span_below: int = SPAN_BELOW) -> list[dict[str, Any]]:
    """Ties whose two ends have no neighbour in common, with their span where affordable.

    Parameters
    ----------
    G : networkx.Graph
        Undirected (a directed graph is read as undirected).
    span_below : int
        Spans (the distance between the ends without the tie; ``inf`` for a bridge) are
        computed only for graphs with fewer nodes than this; otherwise ``span`` is ``None``.

    Returns
    -------
    list of dict
        ``{"edge": (u, v), "span": int | float | None}``, sorted by edge.

    Examples
    --------
    A square has four local bridges of span 3; a triangle has none.

    >>> [lb["span"] for lb in local_bridges(nx.cycle_graph(4))]
    [3, 3, 3, 3]
    >>> local_bridges(nx.complete_graph(3))
    []
    """
    U = nx.Graph(G.to_undirected(as_view=True)) if G.is_directed() else G
    with_span = U.number_of_nodes() < span_below
    result = []
    if with_span:
        for u, v, span in nx.local_bridges(U, with_span=True):
            result.append({"edge": (u, v), "span": span})
    else:
        for u, v in nx.local_bridges(U, with_span=False):
            result.append({"edge": (u, v), "span": None})
    return sorted(result, key=lambda lb: (str(lb["edge"][0]), str(lb["edge"][1])))
