"""Burt's structural holes: whose contacts are not otherwise connected.

A *structural hole* is the gap between two contacts who have no tie of their own; whoever
spans it can broker between them (Burt 1992). Two of Burt's measures, from networkx:

effective size
    The number of a node's contacts minus their redundancy: how many *non-overlapping*
    contacts it has. In an unweighted graph this is ``n - 2t/n`` for ``n`` contacts with
    ``t`` ties among them (Borgatti's form). Efficiency divides it by ``n``.
constraint
    How much a node's ties are concentrated in contacts that are themselves tied to each
    other: ``c(v) = Σ_j (p_vj + Σ_q p_vq p_qj)²`` over contacts ``j``, where ``p_vj`` is the
    share of v's tie strength that goes to ``j``. Near 1 for a node with one contact or
    inside a closed clique; low for a broker across holes. Undefined for isolated nodes
    (reported as ``None``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import networkx as nx

__all__ = ["structural_holes"]


def _clean(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def structural_holes(
    G: nx.Graph,
    nodes: Iterable[Any] | None = None,
    weight: str | None = None,
) -> dict[Any, dict[str, float | None]]:
    """Burt's effective size, efficiency and constraint of each node.

    Parameters
    ----------
    G : networkx.Graph
    nodes : iterable, optional
        The nodes to score (default: all). Constraint costs about the sum over nodes of
        degree times neighbours' degrees, so score a shortlist on large graphs.
    weight : str, optional
        Edge attribute used as tie strength; ``None`` treats every tie as 1.

    Returns
    -------
    dict
        Node to ``{"effective_size", "efficiency", "constraint"}``; ``None`` where a measure
        is undefined (an isolated node).

    Examples
    --------
    The centre of a star spans three holes; a leaf depends on its one contact.

    >>> holes = structural_holes(nx.star_graph(3))
    >>> holes[0]
    {'effective_size': 3.0, 'efficiency': 1.0, 'constraint': 0.3333333333333333}
    >>> holes[1]
    {'effective_size': 1.0, 'efficiency': 1.0, 'constraint': 1.0}
    """
    chosen = list(G) if nodes is None else list(nodes)
    size = nx.effective_size(G, nodes=chosen, weight=weight)
    constraint = nx.constraint(G, nodes=chosen, weight=weight)
    result: dict[Any, dict[str, float | None]] = {}
    for n in chosen:
        es = _clean(size[n])
        degree = G.degree(n)
        result[n] = {
            "effective_size": es,
            "efficiency": None if es is None or degree == 0 else es / degree,
            "constraint": _clean(constraint[n]),
        }
    return result
