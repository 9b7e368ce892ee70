"""Gould–Fernandez brokerage: who connects whom across sector lines, and in which role.

A node ``v`` *brokers* an open two-path ``a → v → c`` when there is no direct tie ``a → c``.
Gould and Fernandez (1989) name the role from the groups (here: sectors) of the three:

=================  =============================  ==================================
role               groups                         reading
=================  =============================  ==================================
coordinator        a, v and c all in one          mediates inside its own sector
itinerant          a and c share one, v another   an outsider links two of a sector
                                                  (also called *consultant*)
gatekeeper         v and c share, a differs       v lets an outsider into its sector
representative     a and v share, c differs       v speaks for its sector to outsiders
liaison            all three differ               v links two sectors, neither its own
=================  =============================  ==================================

Undirected graphs are read as directed graphs in which every tie runs both ways, as in
UCINET: each open path ``a – v – c`` is counted twice, once as ``a → v → c`` and once as
``c → v → a``. So coordinator, itinerant and liaison counts are twice the number of open
unordered pairs, and on an undirected graph gatekeeper and representative counts are always
equal (one path gives one of each; direction is what tells them apart).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import networkx as nx

from kg.analysis._matrix import adjacency

__all__ = ["ROLES", "brokerage_roles"]

ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")


def _role(source: Any, broker: Any, target: Any) -> str:
    if source == target:
        return "coordinator" if source == broker else "itinerant"
    if broker == target:
        return "gatekeeper"
    if broker == source:
        return "representative"
    return "liaison"


def brokerage_roles(
    G: nx.Graph,
    attr: str = "sector",
    nodes: Iterable[Any] | None = None,
) -> dict[Any, dict[str, int]]:
    """Count the Gould–Fernandez brokerage roles of each node, by the groups in ``attr``.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        Undirected ties count in both directions (see the module docstring).
    attr : str
        Node attribute holding the group (sector). Nodes without it are neither counted as
        brokers nor as ends of a path; self-loops are ignored.
    nodes : iterable, optional
        The brokers to score (default: every node). Scoring a few nodes of a large graph is
        much cheaper than scoring all.

    Returns
    -------
    dict
        Node to ``{"coordinator", "itinerant", "gatekeeper", "representative", "liaison",
        "total"}`` counts of ordered open two-paths through the node.

    Examples
    --------
    Two stars joined at their centres: ``u`` (academia) holds two academics, ``i``
    (industry) one engineer.

    >>> G = nx.Graph([("u", "a1"), ("u", "a2"), ("u", "i"), ("i", "e1")])
    >>> nx.set_node_attributes(G, {"u": "academia", "a1": "academia", "a2": "academia",
    ...                            "i": "industry", "e1": "industry"}, "sector")
    >>> roles = brokerage_roles(G)
    >>> roles["u"]
    {'coordinator': 2, 'itinerant': 0, 'gatekeeper': 2, 'representative': 2, 'liaison': 0, 'total': 6}
    >>> roles["i"]
    {'coordinator': 0, 'itinerant': 0, 'gatekeeper': 1, 'representative': 1, 'liaison': 0, 'total': 2}

    Directed, the same path has one reading only:

    >>> D = nx.DiGraph([("a", "v"), ("v", "c")])
    >>> nx.set_node_attributes(D, {"a": "academia", "v": "academia", "c": "industry"}, "sector")
    >>> brokerage_roles(D)["v"]["representative"], brokerage_roles(D)["v"]["gatekeeper"]
    (1, 0)
    """
    targets = list(G) if nodes is None else list(nodes)
    if not G.is_directed() and not G.is_multigraph():
        return _undirected(G, attr, targets)
    group = {n: g for n, g in G.nodes(data=attr) if g is not None}
    directed = G.is_directed()
    succ: dict[Any, set[Any]] = {n: set(G.successors(n) if directed else G.neighbors(n)) for n in G}
    pred: dict[Any, set[Any]] = {n: set(G.predecessors(n)) for n in G} if directed else succ
    for n in G:
        succ[n].discard(n)
        pred[n].discard(n)
    result: dict[Any, dict[str, int]] = {}
    for v in targets:
        counts: Counter[str] = Counter()
        gv = group.get(v)
        if gv is not None:
            _count_node(v, gv, group, succ, pred, counts)
        row = {r: counts[r] for r in ROLES}
        row["total"] = sum(row.values())
        result[v] = row
    return result


def _undirected(G: nx.Graph, attr: str, targets: list[Any]) -> dict[Any, dict[str, int]]:
    """The same counts for an undirected graph, from sparse products in SciPy.

    For broker v and sectors x, y: ordered pairs of neighbours = n_x * n_y (minus n_x when
    x == y, as a != c); closed pairs (a, c adjacent) = for each neighbour a in x, the number
    of neighbours of v in y adjacent to a, which is ((A[v] * A[:, y]) @ A) masked by A[v],
    summed by sector. Open = all - closed. Work runs in C, so every node of a
    million-edge graph can be scored.
    """
    import numpy as np
    import scipy.sparse as sp

    nodes, index, A = adjacency(G)
    names = sorted({g for _, g in G.nodes(data=attr) if g is not None}, key=str)
    code = {g: i for i, g in enumerate(names)}
    codes = np.array([code.get(G.nodes[n].get(attr), -1) for n in nodes], dtype=np.int64)
    k, n = len(names), len(nodes)
    empty = {r: 0 for r in (*ROLES, "total")}
    if k == 0 or n == 0:
        return {v: dict(empty) for v in targets}
    typed = np.flatnonzero(codes >= 0)
    S = sp.csr_array((np.ones(len(typed)), (typed, codes[typed])), shape=(n, k))
    role_of = np.array(
        [[[ROLES.index(_role(x, v, y)) for y in range(k)] for x in range(k)] for v in range(k)]
    )
    result: dict[Any, dict[str, int]] = {}
    scored = [index[v] for v in targets if v in index and codes[index[v]] >= 0]
    # Each sector's columns and rows of A, sliced once rather than once per block of rows.
    by_sector = [(A[:, codes == y].tocsr(), A[codes == y]) for y in range(k)] if scored else []
    for start in range(0, len(scored), 2048):
        rows = np.array(scored[start : start + 2048])
        Ar = A[rows]
        counts = (Ar @ S).toarray()
        closed = np.zeros((len(rows), k, k))
        for y, (to_y, from_y) in enumerate(by_sector):
            through = (to_y[rows] @ from_y).multiply(Ar)
            closed[:, :, y] = (sp.csr_array(through) @ S).toarray()
        pairs = counts[:, :, None] * counts[:, None, :]
        pairs[:, range(k), range(k)] -= counts
        open_pairs = np.rint(pairs - closed).astype(np.int64)
        for i, row in enumerate(rows):
            tally = np.bincount(
                role_of[codes[row]].ravel(), weights=open_pairs[i].ravel(), minlength=len(ROLES)
            )
            entry = {r: int(tally[j]) for j, r in enumerate(ROLES)}
            entry["total"] = int(tally.sum())
            result[nodes[row]] = entry
    return {v: result.get(v, dict(empty)) for v in targets}


def _count_node(
    v: Any,
    gv: Any,
    group: dict[Any, Any],
    succ: dict[Any, set[Any]],
    pred: dict[Any, set[Any]],
    counts: Counter[str],
) -> None:
    """Add v's ordered open two-paths to ``counts`` by role.

    All ordered pairs (a in pred, c in succ, a != c) are counted per group pair from group
    sizes, then the closed ones (a → c exists) are subtracted; set intersections per target
    group keep the cost in C rather than in a Python loop over every pair.
    """
    sources: dict[Any, set[Any]] = {}
    for a in pred[v]:
        if a in group:
            sources.setdefault(group[a], set()).add(a)
    sinks: dict[Any, set[Any]] = {}
    for c in succ[v]:
        if c in group:
            sinks.setdefault(group[c], set()).add(c)
    for gx, xs in sources.items():
        for gy, ys in sinks.items():
            pairs = len(xs) * len(ys)
            if gx == gy:
                pairs -= len(xs & ys)  # a == c is not a path between two others
            closed = sum(len(succ[a] & ys) for a in xs)
            open_pairs = pairs - closed
            if open_pairs:
                counts[_role(gx, gv, gy)] += open_pairs
