"""Sparse adjacency matrices of graphs, shared by the analyses that compute in SciPy.

Converting a million-edge graph to a matrix takes seconds in networkx, and the gap report
runs several matrix-based analyses on the same graphs, so matrices of *frozen* graphs (the
cached graphs of :func:`kg.analysis.graphs.build_graph`, which cannot change) are kept in a
weak dictionary: they live exactly as long as their graph.
"""

from __future__ import annotations

import weakref
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

__all__ = ["adjacency", "cached"]

_CACHE: weakref.WeakKeyDictionary[nx.Graph, dict[Any, Any]] = weakref.WeakKeyDictionary()


def adjacency(G: nx.Graph, weight: str | None = None) -> tuple[list[Any], dict[Any, int], Any]:
    """Nodes (in ``G``'s order), their row index, and the CSR adjacency matrix without self-loops.

    With ``weight=None`` every tie is 1 (parallel edges of a multigraph too).

    Examples
    --------
    >>> nodes, index, A = adjacency(nx.path_graph(3))
    >>> A.toarray().tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    frozen = nx.is_frozen(G)
    if frozen and weight in _CACHE.get(G, {}):
        return _CACHE[G][weight]
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    if G.is_multigraph():
        A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=weight, dtype=float, format="csr")
    else:
        A = _from_adjacency(G, nodes, index, weight)
    A.setdiag(0)
    A.eliminate_zeros()
    if weight is None:
        A.data[:] = 1.0
    built = (nodes, index, A)
    if frozen:
        _CACHE.setdefault(G, {})[weight] = built
    return built


def _from_adjacency(G: nx.Graph, nodes: list[Any], index: dict[Any, int], weight: str | None) -> Any:
    """The same matrix as ``nx.to_scipy_sparse_array`` for a simple graph, read row by row.

    networkx builds it through its edge views, a Python generator step per edge (19 s for
    the two projections of the 100k-edge benchmark); reading the adjacency dicts row by row
    takes a tenth of that. Undirected adjacency dicts already hold both directions.
    """
    counts = np.fromiter((len(G._adj[u]) for u in nodes), dtype=np.int64, count=len(nodes))
    indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    total = int(indptr[-1])
    cols = np.fromiter((index[v] for u in nodes for v in G._adj[u]), dtype=np.int64, count=total)
    if weight is None:
        data = np.ones(total)
    else:
        data = np.fromiter(
            (d.get(weight, 1) for u in nodes for d in G._adj[u].values()), dtype=float, count=total
        )
    rows = np.repeat(np.arange(len(nodes), dtype=np.int64), counts)
    # Through COO, as networkx does: canonical CSR (sorted columns, duplicates summed).
    return sp.coo_array((data, (rows, cols)), shape=(len(nodes), len(nodes))).tocsr()


def cached(G: nx.Graph, key: Any, build: Any) -> Any:
    """``build()``, remembered per frozen graph under ``key`` (recomputed for other graphs).

    Examples
    --------
    >>> G = nx.freeze(nx.path_graph(2))
    >>> cached(G, "n", lambda: G.number_of_nodes()), cached(G, "n", lambda: -1)
    (2, 2)
    """
    if not nx.is_frozen(G):
        return build()
    store = _CACHE.setdefault(G, {})
    if ("extra", key) not in store:
        store[("extra", key)] = build()
    return store[("extra", key)]
