"""Centrality: who is well connected, who sits on the paths between others, who is near the core.

Thin wrappers over networkx that return plain dicts, choose a scalable algorithm for large
graphs and say which one they used.
"""

from __future__ import annotations

import math
import random
from typing import Any, TypedDict

import networkx as nx

from kg.analysis._matrix import adjacency

__all__ = [
    "EXACT_BETWEENNESS_BELOW",
    "BetweennessResult",
    "betweenness",
    "degree",
    "eigenvector",
    "pagerank",
]

# Exact betweenness costs O(n·m): one BFS per node. Above this many nodes it is estimated
# from k sampled sources, which keeps the 100k-edge report inside its time budget
# (benchmarks/results/analysis.md).
EXACT_BETWEENNESS_BELOW = 1000


class BetweennessResult(TypedDict):
    """Betweenness scores and how they were computed."""

    scores: dict[Any, float]
    method: str
    k: int | None
    seed: int | None


def degree(G: nx.Graph, weight: str | None = None) -> dict[Any, float]:
    """Degree of every node: how many ties it has (or their total ``weight``).

    With ``weight=None`` the value is the count of neighbours; otherwise it is the sum of the
    ``weight`` attribute of the node's edges (for example, the number of shared groups).

    Parameters
    ----------
    G : networkx.Graph
    weight : str, optional
        Edge attribute to sum instead of counting edges.

    Returns
    -------
    dict
        Node to degree (a float, so weighted and unweighted results have one type).

    Examples
    --------
    >>> G = nx.star_graph(3)
    >>> degree(G)
    {0: 3.0, 1: 1.0, 2: 1.0, 3: 1.0}
    """
    return {n: float(d) for n, d in G.degree(weight=weight)}


def betweenness(
    G: nx.Graph,
    *,
    k: int = 256,
    seed: int = 42,
    exact_below: int = EXACT_BETWEENNESS_BELOW,
    weight: str | None = None,
    normalized: bool = True,
    backend: str | None = None,
) -> BetweennessResult:
    """Betweenness centrality: the share of shortest paths between others that pass through a node.

    A node with high betweenness is a go-between: remove it and many pairs of nodes are
    further apart or cut off. Below ``exact_below`` nodes the exact Brandes algorithm runs
    (one BFS from every node, cost O(n·m)); above it the scores are estimated from ``k``
    source nodes drawn with ``seed`` exactly as networkx's ``k`` option draws them, which is
    unbiased and reproducible.

    Parameters
    ----------
    G : networkx.Graph
    k : int
        Number of sampled sources when the graph is large.
    seed : int
        Seed of the sample, so that reruns give the same scores.
    exact_below : int
        Node count from which sampling is used.
    weight : str, optional
        Edge attribute read as a *distance* (not a strength); ``None`` counts hops.
    normalized : bool
        Divide by the number of pairs, so scores lie in [0, 1].
    backend : str, optional
        ``None`` (default): networkx for exact scores, and for sampled unweighted scores the
        same Brandes algorithm on a SciPy sparse matrix (identical numbers, far faster).
        ``"networkx"``: networkx's own implementation throughout. Any other name is passed
        to networkx as a backend (``"parallel"`` with nx-parallel installed).

    Returns
    -------
    BetweennessResult
        ``{"scores": {node: float}, "method": "exact" | "sampled", "k": ..., "seed": ...}``.

    Examples
    --------
    >>> result = betweenness(nx.path_graph(3))
    >>> result["method"], result["scores"]
    ('exact', {0: 0.0, 1: 1.0, 2: 0.0})
    >>> big = betweenness(nx.path_graph(50), k=10, exact_below=20)
    >>> big["method"], big["k"]
    ('sampled', 10)
    """
    n = G.number_of_nodes()
    exact = n < exact_below or k >= n
    if backend is None and weight is None:
        sources = list(G) if exact else random.Random(seed).sample(list(G), k)
        scores = _sparse_betweenness(G, sources, normalized=normalized, sampled=not exact)
    else:
        extra: dict[str, Any] = {} if backend in (None, "networkx") else {"backend": backend}
        sample: dict[str, Any] = {} if exact else {"k": k, "seed": seed}
        scores = nx.betweenness_centrality(G, normalized=normalized, weight=weight, **sample, **extra)
    if exact:
        return {"scores": dict(scores), "method": "exact", "k": None, "seed": None}
    return {"scores": dict(scores), "method": "sampled", "k": k, "seed": seed}


def _sparse_betweenness(
    G: nx.Graph, sources: list[Any], *, normalized: bool, sampled: bool
) -> dict[Any, float]:
    """Brandes' algorithm from ``sources`` with level-synchronous BFS on a SciPy sparse matrix.

    Same numbers as ``nx.betweenness_centrality(G, k=len(sources), seed=...)`` for the same
    sources (networkx draws them with ``random.Random(seed).sample(list(G), k)``), but each
    BFS level and each accumulation level is one sparse product in C instead of a Python loop
    over edges, which is what makes sampled betweenness affordable on the benchmark graphs.
    """
    import numpy as np

    nodes, index, A = adjacency(G)  # 0/1 entries: parallel edges count once, as in networkx
    n = len(nodes)
    total = np.zeros(n)
    for s in sources:
        si = index[s]
        dist = np.full(n, -1, dtype=np.int64)
        sigma = np.zeros(n)
        dist[si], sigma[si] = 0, 1.0
        levels = [np.array([si])]
        while True:
            front = levels[-1]
            reached = A[front].T @ sigma[front]
            new = np.flatnonzero((reached > 0) & (dist < 0))
            if new.size == 0:
                break
            dist[new] = len(levels)
            sigma[new] = reached[new]
            levels.append(new)
        delta = np.zeros(n)
        for depth in range(len(levels) - 1, 0, -1):
            coefficient = np.zeros(n)
            here = levels[depth]
            coefficient[here] = (1.0 + delta[here]) / sigma[here]
            before = levels[depth - 1]
            delta[before] += sigma[before] * (A[before] @ coefficient)
        delta[si] = 0.0
        total += delta
    scores = dict(zip(nodes, total.tolist(), strict=True))
    return _rescale(scores, n, normalized, G.is_directed(), set(sources) if sampled else None)


def _rescale(
    scores: dict[Any, float], n: int, normalized: bool, directed: bool, sources: set[Any] | None
) -> dict[Any, float]:
    """networkx 3.6's rescaling of betweenness without endpoints, step for step.

    ``sources`` is the sample, or ``None`` when every node was a source (exact scores).
    """
    big_n = n - 1
    if big_n < 2:
        return scores
    correction = 1 if directed else 2
    if sources is None:
        scale = 1 / (big_n * (big_n - 1)) if normalized else 1 / correction
        return {v: b * scale for v, b in scores.items()}
    k = len(sources)
    if normalized:
        source_scale = 1 / ((k - 1) * (big_n - 1)) if k > 1 else math.nan
        other_scale = 1 / (k * (big_n - 1))
    else:
        source_scale = big_n / ((k - 1) * correction) if k > 1 else math.nan
        other_scale = big_n / (k * correction)
    return {v: b * (source_scale if v in sources else other_scale) for v, b in scores.items()}


def eigenvector(G: nx.Graph, weight: str | None = "weight") -> dict[Any, float]:
    """Eigenvector centrality: a node is central when its neighbours are central.

    A high score means being tied to the well-tied core, not just having many ties. The
    scores come from the leading eigenvector of the (weighted) adjacency matrix, computed with
    SciPy's sparse solver. On a disconnected graph that eigenvector lives on the component
    with the largest eigenvalue (usually the biggest), so nodes elsewhere score (near) zero:
    read the scores within the main component. An empty graph gives ``{}``.

    Parameters
    ----------
    G : networkx.Graph
    weight : str, optional
        Edge attribute used as tie strength.

    Returns
    -------
    dict
        Node to score; scores have Euclidean norm 1.

    Examples
    --------
    >>> scores = eigenvector(nx.star_graph(2), weight=None)
    >>> {n: round(s, 3) for n, s in scores.items()}
    {0: 0.707, 1: 0.5, 2: 0.5}
    """
    if G.number_of_nodes() == 0:
        return {}
    if G.number_of_edges() == 0:
        return {n: 0.0 for n in G}
    if not G.is_directed() and G.number_of_nodes() > 2:
        # Symmetric adjacency: the Lanczos solver (eigsh) converges far faster than the
        # general one networkx uses (eigs), which took 20 s on the 10k-edge benchmark graph.
        import numpy as np
        from scipy.sparse.linalg import eigsh

        nodes = list(G)
        A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=weight, dtype=float)
        _, vectors = eigsh(A, k=1, which="LA", tol=1e-10, maxiter=max(1000, 10 * len(nodes)))
        vector = np.abs(vectors[:, 0])
        vector /= np.linalg.norm(vector)
        return dict(zip(nodes, vector.tolist(), strict=True))
    try:
        scores = nx.eigenvector_centrality_numpy(G, weight=weight, max_iter=1000)
    except (nx.NetworkXException, ArithmeticError):
        # The sparse solver can fail on tiny or oddly shaped graphs; power iteration copes.
        scores = nx.eigenvector_centrality(G, weight=weight, max_iter=5000, tol=1e-8)
    return {n: abs(float(s)) for n, s in scores.items()}


def pagerank(G: nx.Graph, *, alpha: float = 0.85, weight: str | None = "weight") -> dict[Any, float]:
    """PageRank: the share of time a random walker following ties spends at each node.

    With probability ``1 - alpha`` the walker jumps to a random node, so every node gets a
    small baseline and isolated nodes are not zero. Scores sum to 1. Undirected ties are
    walked in both directions.

    Parameters
    ----------
    G : networkx.Graph
    alpha : float
        Probability of following a tie rather than jumping.
    weight : str, optional
        Edge attribute used as tie strength.

    Returns
    -------
    dict
        Node to score.

    Examples
    --------
    >>> scores = pagerank(nx.star_graph(2))
    >>> round(sum(scores.values()), 6), scores[0] > scores[1]
    (1.0, True)
    """
    if G.number_of_nodes() == 0:
        return {}
    return dict(nx.pagerank(G, alpha=alpha, weight=weight))
