"""Network analyses over HTTP: the measures of :mod:`kg.analysis`, the gap report and downloads.

``GET /analysis`` lists the graphs and analyses with their parameters;
``GET /analysis/{graph}/{analysis}`` runs one analysis (centrality, brokerage, holes,
fragility, communities, assortativity, links, coverage) on one graph (affiliations, areas,
people, organisations) and answers JSON that echoes the graph, the analysis and every
parameter used; ``GET /analysis/{graph}`` is the whole graph as Cytoscape.js elements with
the measures the network explorer shows (degree, betweenness, brokerage, articulation
points, suggested links). ``GET /gaps`` is the sector gap report: an HTML dashboard for
browsers, JSON (``Accept: application/json`` or ``?format=json``) or Markdown
(``text/markdown`` or ``?format=md``). ``GET /network/{graph}.{graphml|gexf|cyjs|csv}``
downloads a graph with its measures; ``csv`` is a zip of ``nodes.csv`` and ``edges.csv``
(Kumu's import layout).

Parameters are checked before anything runs: an unknown name, a value of the wrong type or
out of range is refused with 400 and the list of what is accepted; an unknown graph or
analysis is 404 with the names that exist. The work runs in a thread pool so that the event
loop keeps serving other requests, and results are kept per store version (a rebuild
invalidates them).
"""

from __future__ import annotations

import gzip
import io
import json
import math
import tempfile
import threading
import zipfile
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.negotiation import negotiate
from api.routers.home import VARY, SettingsDep, StoreDep, render
from kg.analysis.assortativity import sector_mixing
from kg.analysis.brokerage import ROLES, brokerage_roles
from kg.analysis.centrality import betweenness, degree, eigenvector, pagerank
from kg.analysis.communities import communities
from kg.analysis.coverage import sector_coverage, system_triple_helix
from kg.analysis.export import NO_SECTOR_COLOUR, SECTOR_COLOURS, write_graph
from kg.analysis.fragility import articulation_points, bridges, local_bridges
from kg.analysis.graphs import GRAPHS, Ecosystem, build_graph, read_ecosystem
from kg.analysis.holes import structural_holes
from kg.analysis.links import METHODS, cross_sector_links
from kg.analysis.report import gap_report, render_markdown
from kg.describe import local_path
from kg.errors import InputError, NotFound
from kg.store import Store, term_value

__all__ = [
    "ANALYSES",
    "DOWNLOADS",
    "GRAPH_DESCRIPTIONS",
    "Analysis",
    "Param",
    "explorer_elements",
    "router",
]

router = APIRouter(tags=["analysis"])

GRAPH_DESCRIPTIONS: dict[str, str] = {
    "affiliations": "people and the organisations, groups and programmes they are members of (bipartite)",
    "areas": "organisations, groups and infrastructures and the collaboration areas they work on (bipartite)",
    "people": "people linked when they are members of the same organisation, group or programme",
    "organisations": "organisations linked by a shared person, group or collaboration area",
}

# Exact betweenness costs O(nodes x edges); above this much work the scores are estimated
# from ``k`` sampled sources. The organisation graph of the 10k-edge benchmark (1.3k nodes,
# 45k edges) takes 19 s exactly and 0.4 s sampled with k = 64.
EXACT_BETWEENNESS_WORK = 5_000_000
# Above this many nodes only the ``top`` nodes of highest degree get Burt's measures.
HOLES_ALL_BELOW = 5000
# Local bridges are a pure-Python pass over every edge; skipped above this many edges.
LOCAL_BRIDGES_BELOW = 200_000
# Shared neighbours with more contacts than this are skipped by link suggestions on graphs of
# 5000 nodes or more (the same approximation the gap report uses, see kg.analysis.links).
HUB_CAP = 200
EXPLORER_SUGGESTIONS = 20
MEMBERSHIPS_LISTED = 12
CACHE_ENTRIES = 16
ATTRS = ("sector", "region", "kind", "type")

DOWNLOADS: dict[str, tuple[str, str]] = {
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "cyjs": ("application/json", "cyjs"),
    "csv": ("application/zip", "zip"),
}


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Param:
    """A query-string parameter of an analysis: its type, default, range or choices."""

    name: str
    kind: type
    default: Any
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    optional: bool = False

    def parse(self, raw: str) -> Any:
        """The value of ``raw`` for this parameter; :class:`InputError` if it does not fit."""
        if self.choices is not None:
            if raw not in self.choices:
                raise InputError(f"{self.name} must be one of {', '.join(self.choices)}; got {raw!r}")
            return raw
        try:
            value = self.kind(raw)
        except ValueError:
            raise InputError(f"{self.name} must be {self._kind_name()}; got {raw!r}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"{self.name} must be a finite number; got {raw!r}")
        if self.minimum is not None and value < self.minimum:
            raise InputError(f"{self.name} must be at least {_number(self.minimum)}; got {raw}")
        if self.maximum is not None and value > self.maximum:
            raise InputError(f"{self.name} must be at most {_number(self.maximum)}; got {raw}")
        return value

    def _kind_name(self) -> str:
        return {int: "an integer", float: "a number"}.get(self.kind, "text")

    def describe(self) -> dict[str, Any]:
        """The parameter as the ``/analysis`` index lists it."""
        info: dict[str, Any] = {
            "name": self.name,
            "type": {int: "integer", float: "number"}.get(self.kind, "string"),
            "default": self.default,
            "description": self.description,
        }
        if self.minimum is not None:
            info["minimum"] = _number(self.minimum)
        if self.maximum is not None:
            info["maximum"] = _number(self.maximum)
        if self.choices is not None:
            info["choices"] = list(self.choices)
        return info


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def parse_params(params: Iterable[Param], query: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Check a request's query string against ``params``: every name known, given once, valid.

    Examples
    --------
    >>> parse_params([Param("k", int, 256, "sources", minimum=1)], [("k", "64")])
    {'k': 64}
    >>> parse_params([Param("k", int, 256, "sources", minimum=1)], [("x", "1")])
    Traceback (most recent call last):
    ...
    kg.errors.InputError: unknown parameter 'x'; this analysis takes: k
    """
    known = {p.name: p for p in params}
    values: dict[str, Any] = {p.name: p.default for p in known.values()}
    seen: set[str] = set()
    for key, raw in query:
        if key not in known:
            accepted = ", ".join(known) or "no parameters"
            raise InputError(f"unknown parameter {key!r}; this analysis takes: {accepted}")
        if key in seen:
            raise InputError(f"parameter {key!r} is given more than once")
        seen.add(key)
        values[key] = known[key].parse(raw)
    return values


SEED = Param("seed", int, 42, "seed of sampled betweenness and of Louvain", minimum=0, maximum=2**31 - 1)
K = Param(
    "k",
    int,
    256,
    "sources sampled for betweenness on graphs where the exact algorithm is too slow",
    minimum=1,
    maximum=100_000,
)
TOP = Param("top", int, 100, "rows listed, best first", minimum=1, maximum=100_000)
ATTR = Param("attr", str, "sector", "node attribute that defines the groups", choices=ATTRS)


# --------------------------------------------------------------------------- shared pieces


@dataclass
class Context:
    """What an analysis needs: the graph, its name, the ecosystem it came from, the base IRI."""

    name: str
    graph: nx.Graph
    eco: Ecosystem
    base_iri: str

    def ref(self, node: Any) -> dict[str, Any]:
        """A node as JSON: IRI, label, kind, sector and the path of its page here."""
        data = self.graph.nodes[node] if node in self.graph else self.eco.nodes.get(node, {})
        iri = str(node)
        return {
            "iri": iri,
            "label": data.get("label", iri),
            "kind": data.get("kind"),
            "sector": data.get("sector"),
            "page": local_path(iri, self.base_iri),
        }


def _plain(value: Any) -> Any:
    """JSON-able data: tuples and sets as lists, non-finite floats as ``None``."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def _betweenness(net: nx.Graph, k: int, seed: int) -> dict[str, Any]:
    exact = net.number_of_nodes() * net.number_of_edges() <= EXACT_BETWEENNESS_WORK
    result = betweenness(net, k=k, seed=seed, exact_below=net.number_of_nodes() + 1 if exact else 0)
    return dict(result)


# --------------------------------------------------------------------------- the analyses


def _centrality(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    net = ctx.graph
    between = _betweenness(net, p["k"], p["seed"])
    scores = {
        "degree": degree(net),
        "betweenness": between["scores"],
        "eigenvector": eigenvector(net),
        "pagerank": pagerank(net),
    }
    key = p["sort"]
    ranked = sorted(net, key=lambda n: (-scores[key].get(n, 0.0), str(n)))[: p["top"]]
    return {
        "betweenness_method": {"method": between["method"], "k": between["k"], "seed": between["seed"]},
        "nodes": [{**ctx.ref(n), **{m: _round(s.get(n)) for m, s in scores.items()}} for n in ranked],
    }


def _brokerage(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    roles = brokerage_roles(ctx.graph, attr=p["attr"])
    ranked = sorted(roles, key=lambda n: (-roles[n]["total"], str(n)))
    ranked = [n for n in ranked if roles[n]["total"] > 0][: p["top"]]
    return {
        "roles": list(ROLES),
        "brokers": sum(1 for r in roles.values() if r["total"] > 0),
        "nodes": [{**ctx.ref(n), "group": ctx.graph.nodes[n].get(p["attr"]), **roles[n]} for n in ranked],
    }


def _holes(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    net = ctx.graph
    if net.number_of_nodes() < HOLES_ALL_BELOW:
        chosen: list[Any] = list(net)
        scope = "all nodes"
    else:
        chosen = sorted(net, key=lambda n: (-net.degree(n), str(n)))[: p["top"]]
        scope = f"the {len(chosen)} nodes of highest degree"
    holes = structural_holes(net, nodes=chosen, weight=None if p["weight"] == "none" else "weight")

    def order(n: Any) -> tuple[int, float, str]:
        c = holes[n]["constraint"]
        return (c is None, c if c is not None else 0.0, str(n))

    ranked = sorted(chosen, key=order)[: p["top"]]
    return {
        "scored": scope,
        "nodes": [{**ctx.ref(n), **{k: _round(v) for k, v in holes[n].items()}} for n in ranked],
    }


def _fragility(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    net = ctx.graph
    points = articulation_points(net, max_listed=p["max_listed"])
    cut = bridges(net, max_listed=p["max_listed"])
    result: dict[str, Any] = {
        "articulation_points": {
            "count": len(points),
            "top": [
                {
                    **ctx.ref(a["node"]),
                    "component_size": a["component_size"],
                    "pieces": a["pieces"],
                    "cut_off_count": a["cut_off_count"],
                    "cut_off": [ctx.ref(n) for n in a["cut_off"]],
                }
                for a in points[: p["top"]]
            ],
        },
        "bridges": {
            "count": len(cut),
            "top": [
                {
                    "edge": [ctx.ref(b["edge"][0]), ctx.ref(b["edge"][1])],
                    "pieces": b["pieces"],
                    "cut_off_count": b["cut_off_count"],
                    "cut_off": [ctx.ref(n) for n in b["cut_off"]],
                }
                for b in cut[: p["top"]]
            ],
        },
    }
    if net.number_of_edges() < LOCAL_BRIDGES_BELOW:
        local = local_bridges(net)
        result["local_bridges"] = {
            "count": len(local),
            "top": [
                {
                    "edge": [ctx.ref(lb["edge"][0]), ctx.ref(lb["edge"][1])],
                    # A span of infinity means the tie is also a bridge.
                    "span": lb["span"] if lb["span"] is None or math.isfinite(lb["span"]) else None,
                    "bridge": lb["span"] is not None and not math.isfinite(lb["span"]),
                }
                for lb in local[: p["top"]]
            ],
        }
    else:
        result["local_bridges"] = None
    return result


def _communities(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    found = communities(ctx.graph, resolution=p["resolution"], seed=p["seed"])
    return {
        "method": found["method"],
        "modularity": _round(found["modularity"]),
        "count": len(found["communities"]),
        "communities": [
            {
                "id": c["id"],
                "size": c["size"],
                "sectors": c["sectors"],
                "diversity": _round(c["diversity"]),
                "members": [ctx.ref(m) for m in c["members"][: p["members"]]],
            }
            for c in found["communities"][: p["top"]]
        ],
    }


def _assortativity(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    mix = sector_mixing(ctx.graph, attr=p["attr"])
    return {**mix, "assortativity": _round(mix["assortativity"])}


def _links(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    net = ctx.graph
    cap = p["max_shared_degree"]
    if cap == 0:
        cap = None if net.number_of_nodes() < 5000 else HUB_CAP
    found = cross_sector_links(net, method=p["method"], limit=p["limit"], max_shared_degree=cap)
    return {
        "max_shared_degree": cap,
        "suggestions": [
            {
                "pair": [ctx.ref(s["pair"][0]), ctx.ref(s["pair"][1])],
                "sectors": list(s["sectors"]),
                "score": _round(s["score"]),
                "shared_count": len(s["shared"]),
                "shared": [ctx.ref(w) for w in s["shared"][:10]],
            }
            for s in found
        ],
    }


def _coverage(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    net = ctx.graph
    universe = sorted(ctx.eco.sector_iris)
    units: list[Any] | dict[Any, list[Any]] = sorted(
        (n for n, kind in net.nodes(data="kind") if kind in ("group", "programme", "area")), key=str
    )
    basis = "each group, programme or area of the graph, with its neighbours as members"
    if not units:
        units = {"graph": list(net)}
        basis = "the whole graph as one unit (it has no groups or areas)"
    cov = sector_coverage(net, units, sectors=universe or None)
    rows = []
    for unit, c in cov.items():
        head = (
            {"iri": None, "label": "the whole graph"}
            if unit == "graph" and unit not in net
            else ctx.ref(unit)
        )
        rows.append(
            {
                **head,
                "members": c["members"],
                "counts": c["counts"],
                "present": c["present"],
                "absent": c["absent"],
                "unknown": len(c["unknown"]),
                "diversity": _round(c["diversity"]),
                "evenness": _round(c["evenness"]),
                "t_uig": _round(c["t_uig"]),
            }
        )
    return {
        "units": basis,
        "sectors": universe,
        "system_t_uig": _round(system_triple_helix(cov)),
        "coverage": rows,
    }


@dataclass(frozen=True)
class Analysis:
    """One analysis of :mod:`kg.analysis` as an endpoint: what it says and what it takes."""

    name: str
    summary: str
    run: Callable[[Context, dict[str, Any]], dict[str, Any]]
    params: tuple[Param, ...] = field(default_factory=tuple)


ANALYSES: dict[str, Analysis] = {
    a.name: a
    for a in (
        Analysis(
            "centrality",
            "degree, betweenness, eigenvector and PageRank of every node",
            _centrality,
            (
                K,
                SEED,
                TOP,
                Param(
                    "sort",
                    str,
                    "betweenness",
                    "measure the rows are ranked by",
                    choices=("degree", "betweenness", "eigenvector", "pagerank"),
                ),
            ),
        ),
        Analysis(
            "brokerage",
            "Gould–Fernandez brokerage roles (coordinator, itinerant, gatekeeper, representative, liaison)",
            _brokerage,
            (ATTR, TOP),
        ),
        Analysis(
            "holes",
            "Burt's structural holes: effective size, efficiency and constraint (lowest constraint first)",
            _holes,
            (
                TOP,
                Param(
                    "weight", str, "none", "tie strength: none or the edge weight", choices=("none", "weight")
                ),
            ),
        ),
        Analysis(
            "fragility",
            "articulation points, bridges and local bridges: single points of failure",
            _fragility,
            (
                Param(
                    "top", int, 50, "rows listed per kind, most damaging first", minimum=1, maximum=100_000
                ),
                Param(
                    "max_listed", int, 20, "cut-off nodes listed per point or bridge", minimum=0, maximum=1000
                ),
            ),
        ),
        Analysis(
            "communities",
            "Louvain communities (label propagation on very large graphs) with their sectors",
            _communities,
            (
                SEED,
                Param(
                    "resolution", float, 1.0, "above 1 favours smaller communities", minimum=0.01, maximum=100
                ),
                Param("top", int, 50, "communities listed, largest first", minimum=1, maximum=100_000),
                Param("members", int, 50, "members listed per community", minimum=0, maximum=100_000),
            ),
        ),
        Analysis(
            "assortativity",
            "the mixing matrix of an attribute and Newman's assortativity coefficient",
            _assortativity,
            (ATTR,),
        ),
        Analysis(
            "links",
            "suggested cross-sector links: unlinked pairs in different sectors with contacts in common",
            _links,
            (
                Param("method", str, "adamic_adar", "link-prediction score", choices=METHODS),
                Param("limit", int, 20, "suggestions listed, best first", minimum=1, maximum=10_000),
                Param(
                    "max_shared_degree",
                    int,
                    0,
                    "skip shared neighbours with more contacts than this (0: automatic)",
                    minimum=0,
                    maximum=10_000_000,
                ),
            ),
        ),
        Analysis(
            "coverage",
            "sectors present and missing, diversity, evenness and T_uig per group or area",
            _coverage,
            (),
        ),
    )
}


# --------------------------------------------------------------------------- caching


_STATE_LOCK = threading.Lock()


def _cache(request: Request) -> tuple[threading.Lock, OrderedDict[tuple[Any, ...], Any]]:
    """The app's cache of computed answers (a lock and an LRU dict), made on first use.

    It lives on the app, not the module, so two apps (tests) never share answers.
    """
    state = request.app.state
    with _STATE_LOCK:
        if getattr(state, "analysis_lock", None) is None:
            state.analysis_lock = threading.Lock()
            state.analysis_cache = OrderedDict()
        return state.analysis_lock, state.analysis_cache


def _cached(request: Request, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered under ``key`` (which starts with the store version)."""
    lock, cache = _cache(request)
    with lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    value = compute()
    with lock:
        cache[key] = value
        while len(cache) > CACHE_ENTRIES:
            cache.popitem(last=False)
    return value


def _json_bytes(body: Any) -> bytes:
    return json.dumps(_plain(body), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class _Encoded:
    """A JSON body and its gzip form (large graphs compress about tenfold)."""

    raw: bytes
    gzipped: bytes | None


def _encode(body: Any) -> _Encoded:
    raw = _json_bytes(body)
    return _Encoded(raw, gzip.compress(raw, compresslevel=5) if len(raw) > 20_000 else None)


def _json_response(request: Request, encoded: _Encoded) -> Response:
    headers = dict(VARY)
    if encoded.gzipped is not None:
        headers["Vary"] = "Accept, Accept-Encoding"
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(encoded.gzipped, media_type="application/json", headers=headers)
    return Response(encoded.raw, media_type="application/json", headers=headers)


def _check_graph(name: str) -> None:
    if name not in GRAPHS:
        raise NotFound(f"unknown graph {name!r}; choose one of {', '.join(GRAPHS)}")


# --------------------------------------------------------------------------- explorer data


_ROLE_LABELS = """\
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?role ?label WHERE {
  ?role a org:Role .
  { ?role skos:prefLabel ?label } UNION { ?role rdfs:label ?label }
}"""


def _role_labels(store: Store) -> dict[str, str]:
    """English (else untagged, else any) label of every ``org:Role``."""
    rank = {"en": 0, "": 1}
    best: dict[str, tuple[int, str]] = {}
    for row in store.select(_ROLE_LABELS).rows:
        label = row["label"]
        key = (rank.get(getattr(label, "language", None) or "", 2), term_value(label))
        iri = term_value(row["role"])
        if iri not in best or key < best[iri]:
            best[iri] = key
    return {iri: text for iri, (_, text) in best.items()}


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _memberships(eco: Ecosystem, base_iri: str, role_labels: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Per node: how many memberships name it, and the first few with the roles they state."""
    listed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for m in eco.memberships:
        roles = [role_labels.get(r, _local(r)) for r in m.roles]
        for here, other in ((m.person, m.organisation), (m.organisation, m.person)):
            counts[here] += 1
            if len(listed[here]) < MEMBERSHIPS_LISTED:
                listed[here].append(
                    {
                        "with": other,
                        "label": eco.nodes.get(other, {}).get("label", _local(other)),
                        "page": local_path(other, base_iri),
                        "roles": roles,
                        "former": m.former,
                    }
                )
    return {n: {"count": counts[n], "listed": listed[n]} for n in counts}


def _areas_of(eco: Ecosystem) -> dict[str, list[str]]:
    """Collaboration areas each node works on: its own area links, or (people) their organisations'."""
    direct: dict[str, set[str]] = defaultdict(set)
    for agent, _relation, area in eco.area_links:
        direct[agent].add(area)
        direct[area].add(area)
    for iri, attrs in eco.nodes.items():
        if attrs["kind"] == "area":
            direct[iri].add(iri)
    through: dict[str, set[str]] = defaultdict(set)
    for m in eco.memberships:
        through[m.person] |= direct.get(m.organisation, set())
    return {n: sorted(direct.get(n, set()) | through.get(n, set())) for n in eco.nodes}


def explorer_elements(
    store: Store, name: str, base_iri: str, *, k: int = 64, seed: int = 42
) -> dict[str, Any]:
    """Graph ``name`` as Cytoscape.js elements with the measures the network explorer shows.

    Every node's ``data`` has ``id`` (its IRI), ``label``, ``kind``, ``type``, ``sector``,
    ``sectors``, ``region``, ``page`` (its linked-data path here), ``areas``, ``degree``,
    ``betweenness``, ``brokerage`` (total) and ``brokerage_roles``, ``articulation`` (how many
    nodes its removal cuts off; 0 if it is not an articulation point) and ``memberships``.
    """
    net = build_graph(store, name)
    eco = read_ecosystem(store)
    between = _betweenness(net, k, seed)
    roles = brokerage_roles(net)
    points = {a["node"]: a["cut_off_count"] for a in articulation_points(net, max_listed=0)}
    cap = None if net.number_of_nodes() < 5000 else HUB_CAP
    suggested = cross_sector_links(net, limit=EXPLORER_SUGGESTIONS, max_shared_degree=cap)
    memberships = _memberships(eco, base_iri, _role_labels(store))
    areas = _areas_of(eco)
    nodes = []
    for n, data in net.nodes(data=True):
        iri = str(n)
        node_roles = roles.get(n, {})
        nodes.append(
            {
                "data": {
                    "id": iri,
                    "label": data.get("label", iri),
                    "kind": data.get("kind"),
                    "type": data.get("type"),
                    "sector": data.get("sector"),
                    "sectors": list(data.get("sectors") or []),
                    "region": data.get("region"),
                    "page": local_path(iri, base_iri),
                    "areas": areas.get(iri, []),
                    "degree": net.degree(n),
                    "betweenness": _round(between["scores"].get(n, 0.0)),
                    "brokerage": node_roles.get("total", 0),
                    "brokerage_roles": {r: node_roles.get(r, 0) for r in ROLES},
                    "articulation": points.get(n, 0),
                    "memberships": memberships.get(iri, {"count": 0, "listed": []}),
                }
            }
        )
    edges = []
    for i, (u, v, data) in enumerate(net.edges(data=True)):
        edge: dict[str, Any] = {
            "id": f"e{i}",
            "source": str(u),
            "target": str(v),
            "weight": data.get("weight", 1),
        }
        if "relation" in data:
            edge["relation"] = data["relation"]
        if "former" in data:
            edge["former"] = data["former"]
        edges.append({"data": edge})
    kinds = sorted({str(k_) for _, k_ in net.nodes(data="kind") if k_ is not None})
    return {
        "graph": name,
        "description": GRAPH_DESCRIPTIONS[name],
        "parameters": {"k": k, "seed": seed},
        "store_version": store.version,
        "nodes": net.number_of_nodes(),
        "edges": net.number_of_edges(),
        "betweenness": {"method": between["method"], "k": between["k"], "seed": between["seed"]},
        "sectors": [
            {
                "notation": s,
                "label": eco.sector_labels.get(s, s),
                "iri": eco.sector_iris[s],
                "colour": SECTOR_COLOURS.get(s, NO_SECTOR_COLOUR),
            }
            for s in sorted(eco.sector_iris)
        ],
        "no_sector_colour": NO_SECTOR_COLOUR,
        "kinds": kinds,
        "areas": [
            {"iri": a, "label": eco.nodes[a]["label"], "notation": eco.nodes[a].get("notation")}
            for a in sorted(eco.of_kind("area"), key=lambda a: (eco.nodes[a].get("notation") or "", a))
        ],
        "articulation_points": len(points),
        "suggested_links": [
            {
                "source": str(s["pair"][0]),
                "target": str(s["pair"][1]),
                "score": _round(s["score"]),
                "sectors": list(s["sectors"]),
                "shared": len(s["shared"]),
            }
            for s in suggested
        ],
        "elements": {"nodes": nodes, "edges": edges},
    }


# --------------------------------------------------------------------------- routes


@router.get("/analysis", summary="The graphs and analyses on offer, with their parameters")
def index(request: Request) -> JSONResponse:
    """Every graph (``/analysis/{graph}``) and analysis (``/analysis/{graph}/{analysis}``)."""
    base = str(request.base_url).rstrip("/")
    return JSONResponse(
        {
            "graphs": [
                {
                    "name": g,
                    "description": GRAPH_DESCRIPTIONS[g],
                    "elements": f"{base}/analysis/{g}",
                    "downloads": {fmt: f"{base}/network/{g}.{fmt}" for fmt in DOWNLOADS},
                }
                for g in GRAPHS
            ],
            "analyses": [
                {
                    "name": a.name,
                    "summary": a.summary,
                    "parameters": [p.describe() for p in a.params],
                    "example": f"{base}/analysis/organisations/{a.name}",
                }
                for a in ANALYSES.values()
            ],
            "gaps": f"{base}/gaps",
        },
        headers=VARY,
    )


EXPLORER_PARAMS = (
    Param(
        "k", int, 64, "sources sampled for betweenness where exact is too slow", minimum=1, maximum=100_000
    ),
    SEED,
)


@router.get(
    "/analysis/{graph}",
    summary="A graph as Cytoscape.js elements with its measures (the network explorer's data)",
    responses={404: {"description": "No graph of that name."}},
)
async def graph_elements(request: Request, graph: str, store: StoreDep, settings: SettingsDep) -> Response:
    """Nodes (with degree, betweenness, brokerage, articulation) and edges of ``graph``,
    the sectors with their colours, and suggested cross-sector links."""
    _check_graph(graph)
    p = parse_params(EXPLORER_PARAMS, request.query_params.multi_items())
    key = ("elements", store.version, settings.base_iri, graph, p["k"], p["seed"])

    def compute() -> _Encoded:
        return _encode(explorer_elements(store, graph, settings.base_iri, k=p["k"], seed=p["seed"]))

    encoded = await run_in_threadpool(_cached, request, key, compute)
    return _json_response(request, encoded)


@router.get(
    "/analysis/{graph}/{analysis}",
    summary="Run one analysis on one graph",
    responses={
        400: {"description": "A parameter is unknown, repeated, or not valid."},
        404: {"description": "No graph or analysis of that name."},
    },
)
async def run_analysis(
    request: Request, graph: str, analysis: str, store: StoreDep, settings: SettingsDep
) -> Response:
    """The analysis as JSON: ``graph``, ``analysis``, ``parameters`` (every value used, defaults
    included), ``store_version``, the graph's size and the ``result``."""
    _check_graph(graph)
    spec = ANALYSES.get(analysis)
    if spec is None:
        raise NotFound(f"unknown analysis {analysis!r}; choose one of {', '.join(ANALYSES)}")
    p = parse_params(spec.params, request.query_params.multi_items())
    key = ("analysis", store.version, settings.base_iri, graph, analysis, tuple(sorted(p.items())))

    def compute() -> _Encoded:
        net = build_graph(store, graph)
        ctx = Context(graph, net, read_ecosystem(store), settings.base_iri)
        return _encode(
            {
                "graph": graph,
                "analysis": analysis,
                "summary": spec.summary,
                "parameters": p,
                "store_version": store.version,
                "nodes": net.number_of_nodes(),
                "edges": net.number_of_edges(),
                "result": spec.run(ctx, p),
            }
        )

    encoded = await run_in_threadpool(_cached, request, key, compute)
    return _json_response(request, encoded)


GAPS_OFFERED = ["text/html", "application/json", "text/markdown"]
GAPS_FORMATS = {
    "html": "text/html",
    "json": "application/json",
    "md": "text/markdown",
    "markdown": "text/markdown",
}


def _with_pages(value: Any, base_iri: str) -> Any:
    """The report with ``page`` (a path here, or the IRI itself) beside every ``iri``."""
    if isinstance(value, dict):
        out = {k: _with_pages(v, base_iri) for k, v in value.items()}
        if isinstance(value.get("iri"), str):
            out["page"] = local_path(value["iri"], base_iri) or value["iri"]
        return out
    if isinstance(value, list):
        return [_with_pages(v, base_iri) for v in value]
    return value


@router.get(
    "/gaps",
    summary="The sector gap report: HTML dashboard, JSON or Markdown",
    responses={200: {"content": {m: {} for m in GAPS_OFFERED}}},
)
async def gaps(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Per collaboration area and group: the sectors present and missing, brokers, single points
    of failure and suggested links (``?format=json|md|html`` overrides ``Accept``)."""
    unknown = [k for k in request.query_params if k != "format"]
    if unknown:
        raise InputError(f"unknown parameter {unknown[0]!r}; /gaps takes only format (html, json, md)")
    media = negotiate(
        request.headers.get("accept"), GAPS_OFFERED, request.query_params.get("format"), GAPS_FORMATS
    )
    report: dict[str, Any] = await run_in_threadpool(
        _cached, request, ("gaps", store.version), lambda: gap_report(store)
    )
    if media == "application/json":
        return Response(_json_bytes(report), media_type="application/json", headers=VARY)
    if media == "text/markdown":
        return Response(render_markdown(report), media_type="text/markdown; charset=utf-8", headers=VARY)
    roles = await run_in_threadpool(_cached, request, ("roles", store.version), lambda: _role_labels(store))
    context = _gaps_page(report, settings.base_iri, roles)
    return render(request, "gaps.html", {"title": "Sector gaps", **context})


def _level(count: int, peak: int) -> int:
    """The shade of a heatmap cell: 0 for none, else 1 to 5 in proportion to the largest count.

    Examples
    --------
    >>> [_level(n, 9) for n in (0, 1, 5, 9)]
    [0, 1, 3, 5]
    """
    if count == 0:
        return 0
    if peak <= 1:
        return 1
    return 1 + (4 * (count - 1)) // (peak - 1)


def _gaps_page(report: dict[str, Any], base_iri: str, role_labels: Mapping[str, str]) -> dict[str, Any]:
    """What the dashboard template shows: the heatmap rows and the report with page links."""
    page = _with_pages(report, base_iri)
    for group in page["groups"]:
        for member in group["members"]:
            member["roles"] = [role_labels.get(r, _local(r)) for r in member["roles"]]
    findings = [
        {
            "text": f["text"],
            "evidence": [
                {"iri": e, "page": local_path(e, base_iri) or e, "label": _local(e)} for e in f["evidence"]
            ],
        }
        for f in report["findings"]
    ]
    sectors = page["sectors"]
    units = [("area", a) for a in page["areas"]] + [("group", g) for g in page["groups"]]
    peak = max(
        (n for _, u in units for n in u["coverage"]["counts"].values()),
        default=0,
    )
    rows = []
    for kind, unit in units:
        counts = unit["coverage"]["counts"]
        cells = []
        for s in sectors:
            n = counts.get(s["notation"], 0)
            cells.append({"sector": s, "count": n, "level": _level(n, peak)})
        rows.append({"kind": kind, "unit": unit, "cells": cells, "missing": len(unit["coverage"]["missing"])})
    return {"report": page, "sectors": sectors, "rows": rows, "peak": peak, "findings": findings}


@router.get(
    "/network/{graph}.{fmt}",
    summary="Download a graph with its measures (GraphML, GEXF, Cytoscape.js JSON, or CSV in a zip)",
    responses={
        200: {"content": {media: {} for media, _ in DOWNLOADS.values()}},
        404: {"description": "No graph or format of that name."},
    },
)
async def download(request: Request, graph: str, fmt: str, store: StoreDep) -> Response:
    """``graph`` with degree, betweenness, PageRank and Louvain community on every node, for
    Gephi (``.gexf``, ``.graphml``), Cytoscape (``.cyjs``) or Kumu (``.csv``: a zip of
    ``nodes.csv`` and ``edges.csv``)."""
    _check_graph(graph)
    if fmt not in DOWNLOADS:
        raise NotFound(f"unknown format {fmt!r}; choose one of {', '.join(DOWNLOADS)}")
    p = parse_params((SEED,), request.query_params.multi_items())
    media, suffix = DOWNLOADS[fmt]

    def compute() -> bytes:
        return _export(build_graph(store, graph), fmt, p["seed"])

    body = await run_in_threadpool(
        _cached, request, ("download", store.version, graph, fmt, p["seed"]), compute
    )
    filename = f"lskg-{graph}.{suffix}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _export(net: nx.Graph, fmt: str, seed: int) -> bytes:
    with tempfile.TemporaryDirectory(prefix="lskg-export-") as tmp:
        target = Path(tmp) / ("csv" if fmt == "csv" else f"graph.{fmt}")
        files = write_graph(net, fmt, target, seed=seed)
        if fmt != "csv":
            return files[0].read_bytes()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, arcname=path.name)
        return buffer.getvalue()
