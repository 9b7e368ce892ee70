"""Write the graphs for other tools (Gephi, Cytoscape, Kumu, yEd) and draw them.

:func:`write_graph` writes GraphML, GEXF, Cytoscape.js JSON or a pair of CSV files in
Kumu's import layout, with sector, kind and computed measures (degree, betweenness,
PageRank, Louvain community) as node attributes. GraphML and GEXF only hold scalar values,
so list attributes are joined with ``|`` (Kumu's separator for multiple values, used in the
CSV files too) and attributes that are ``None`` are left out. Both files validate against
their formats' published schemas (tests/fixtures/xsd): GraphML node ids are ``n0``, ``n1``, …
(an IRI is not the XML name token GraphML requires) with the IRI in the ``iri`` attribute,
and GEXF carries the graph's name in ``<meta><description>``.

The plots use matplotlib's Agg canvas directly (no pyplot, no display, no global backend
switch), so they work on servers and in tests.
"""

from __future__ import annotations

import csv
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import networkx as nx

from kg.analysis.centrality import betweenness, degree, pagerank
from kg.analysis.communities import communities
from kg.errors import InputError

__all__ = [
    "FORMATS",
    "PLOT_SUFFIXES",
    "SECTOR_COLOURS",
    "graphml_ready",
    "plot_area_sector_heatmap",
    "plot_network",
    "scalar_attributes",
    "with_measures",
    "write_graph",
]

FORMATS = ("graphml", "gexf", "cyjs", "csv")
PLOT_SUFFIXES = (".png", ".svg", ".pdf")
# The spring layout is quadratic in nodes; beyond this a static picture is unreadable anyway.
PLOT_MAX_NODES = 5000
SEPARATOR = "|"

# Colour-blind-safe (Okabe–Ito) colours, one per sector notation of the ontology.
SECTOR_COLOURS = {
    "academia": "#0072B2",
    "industry": "#E69F00",
    "public": "#009E73",
    "healthcare": "#CC79A7",
    "civil-society": "#D55E00",
}
NO_SECTOR_COLOUR = "#BBBBBB"


def with_measures(G: nx.Graph, *, seed: int = 42) -> nx.Graph:
    """A copy of ``G`` with ``degree``, ``betweenness``, ``pagerank`` and ``community`` on every node.

    The betweenness method (exact or sampled, see :func:`kg.analysis.centrality.betweenness`)
    and the modularity are stored in the graph attributes.

    Examples
    --------
    >>> H = with_measures(nx.path_graph(3))
    >>> H.nodes[1]["degree"], H.nodes[1]["betweenness"], H.graph["betweenness_method"]
    (2.0, 1.0, 'exact')
    """
    H = nx.Graph(G) if not G.is_directed() else nx.DiGraph(G)
    between = betweenness(H, seed=seed)
    ranks = pagerank(H)
    degrees = degree(H)
    parts = communities(H if not H.is_directed() else H.to_undirected(), seed=seed)
    community = {n: c["id"] for c in parts["communities"] for n in c["members"]}
    for n, data in H.nodes(data=True):
        data["degree"] = degrees[n]
        data["betweenness"] = between["scores"][n]
        data["pagerank"] = ranks[n]
        data["community"] = community[n]
    H.graph["betweenness_method"] = between["method"]
    if between["k"] is not None:
        H.graph["betweenness_k"] = between["k"]
    if parts["modularity"] is not None:
        H.graph["modularity"] = parts["modularity"]
    return H


def _scalar(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return SEPARATOR.join(str(v) for v in items)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def scalar_attributes(G: nx.Graph) -> nx.Graph:
    """A copy of ``G`` whose attribute values are all scalars (for GraphML and GEXF).

    Lists become ``|``-joined strings, dicts JSON strings, and ``None`` values are dropped.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("a", sectors=["academia", "industry"], region=None)
    >>> dict(scalar_attributes(G).nodes["a"])
    {'sectors': 'academia|industry'}
    """
    H = G.__class__()
    H.graph.update({k: _scalar(v) for k, v in G.graph.items() if v is not None})
    for n, data in G.nodes(data=True):
        H.add_node(n, **{k: _scalar(v) for k, v in data.items() if v is not None})
    for u, v, data in G.edges(data=True):
        H.add_edge(u, v, **{k: _scalar(v) for k, v in data.items() if v is not None})
    return H


# XML's Nmtoken (https://www.w3.org/TR/xml/#NT-Nmtoken), which GraphML requires of node ids.
_NMTOKEN = re.compile(
    "^[-.0-9:A-Z_a-z\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff"
    "\u200c\u200d\u203f\u2040\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf"
    "\ufdf0-\ufffd\U00010000-\U000effff]+$"
)


def graphml_ready(G: nx.Graph) -> nx.Graph:
    """``G``, or a copy with GraphML-valid node ids (``n0``, ``n1``, … in node order).

    The GraphML schema types a node's ``id`` as an XML name token, which an IRI (with its
    ``/``) is not. When some node key is not one, the nodes are renumbered as GraphML's own
    canonical ids and each keeps its key in the ``iri`` attribute (already there on the
    lskg graphs) or, when it has no ``iri``, in ``node_key``; ``node_ids`` on the graph says
    which. Read the file back with ``nx.relabel_nodes(H, dict(H.nodes(data="iri")))``.

    Examples
    --------
    >>> H = graphml_ready(nx.Graph([("https://w3id.org/lskg/id/org/a", "b")]))
    >>> sorted(H.nodes(data="node_key"))
    [('n0', 'https://w3id.org/lskg/id/org/a'), ('n1', 'b')]
    >>> list(graphml_ready(nx.path_graph(2)))
    [0, 1]
    """
    if all(_NMTOKEN.match(str(n)) for n in G):
        return G
    H = nx.relabel_nodes(G, {n: f"n{i}" for i, n in enumerate(G)}, copy=True)
    for old, (_, data) in zip(G, H.nodes(data=True), strict=True):
        if data.get("iri") != str(old):
            data["node_key"] = str(old)
    H.graph["node_ids"] = "canonical (n0, n1, …); the node's key is its iri or node_key attribute"
    return H


_GEXF_NS = "{http://www.gexf.net/1.2draft}"


def _write_gexf(G: nx.Graph, target: Path) -> None:
    """GEXF 1.2 as networkx writes it, less the ``name`` attribute its schema does not allow.

    The graph's name goes into ``<meta><description>`` instead, where GEXF keeps such text.
    """
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    writer.add_graph(G)
    for graph in writer.xml.iter("graph"):
        graph.attrib.pop("name", None)
    name = G.graph.get("name")
    meta = writer.xml.find("meta")
    if name and meta is not None:
        description = ET.SubElement(meta, "description")
        description.text = f"lskg graph {name!r}"
    writer.write(target)


_KUMU_NODE = ("Label", "Type", "ID", "Tags")
_KUMU_EDGE = ("From", "To", "Type", "Direction", "Strength")
_EDGE_TYPES = {
    "affiliations": "membership",
    "people": "co-membership",
    "organisations": "collaboration",
}


def _write_csv(G: nx.Graph, directory: Path) -> list[Path]:
    """nodes.csv and edges.csv in Kumu's layout; IDs are the node keys (IRIs)."""
    directory.mkdir(parents=True, exist_ok=True)
    node_extra = sorted({k for _, d in G.nodes(data=True) for k in d} - {"label", "type"})
    edge_extra = sorted({k for _, _, d in G.edges(data=True) for k in d} - {"weight"})
    nodes_path, edges_path = directory / "nodes.csv", directory / "edges.csv"
    with open(nodes_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*_KUMU_NODE, *node_extra])
        for n, d in G.nodes(data=True):
            tags = d.get("sectors") or ([d["sector"]] if d.get("sector") else [])
            row = [d.get("label", n), d.get("type") or d.get("kind") or "", n, _scalar(tags)]
            writer.writerow(row + [_csv_value(d.get(k)) for k in node_extra])
    edge_type = _EDGE_TYPES.get(str(G.graph.get("name", "")), "tie")
    with open(edges_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*_KUMU_EDGE, *edge_extra])
        direction = "directed" if G.is_directed() else "undirected"
        for u, v, d in G.edges(data=True):
            row = [u, v, d.get("relation", edge_type), direction, d.get("weight", 1)]
            writer.writerow(row + [_csv_value(d.get(k)) for k in edge_extra])
    return [nodes_path, edges_path]


def _csv_value(value: Any) -> Any:
    return "" if value is None else _scalar(value)


def write_graph(
    G: nx.Graph,
    fmt: str,
    path: str | Path,
    *,
    measures: bool = True,
    seed: int = 42,
) -> list[Path]:
    """Write ``G`` as GraphML, GEXF, Cytoscape.js JSON or Kumu CSV; return the files written.

    Parameters
    ----------
    G : networkx.Graph
    fmt : {"graphml", "gexf", "cyjs", "csv"}
        ``csv`` writes ``nodes.csv`` (Label, Type, ID, Tags, then every node attribute) and
        ``edges.csv`` (From, To, Type, Direction, Strength, then every edge attribute) into
        the directory ``path``; From and To hold node IDs (IRIs), since labels need not be
        unique. The other formats write the single file ``path``.
    path : str or Path
    measures : bool
        Add degree, betweenness, PageRank and community to the nodes first.
    seed : int
        Seed for the measures that sample or randomise.

    Returns
    -------
    list of Path

    Examples
    --------
    >>> import tempfile
    >>> G = nx.Graph([("a", "b")], name="people")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_graph(G, "graphml", Path(tmp) / "g.graphml")
    ...     sorted(nx.read_graphml(files[0]).nodes["a"])
    ['betweenness', 'community', 'degree', 'pagerank']
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    target = Path(path)
    H = with_measures(G, seed=seed) if measures else G
    if fmt == "csv":
        return _write_csv(H, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        nx.write_graphml(graphml_ready(scalar_attributes(H)), target)
    elif fmt == "gexf":
        _write_gexf(scalar_attributes(H), target)
    else:
        data = nx.cytoscape_data(H)
        with open(target, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1, default=str)
    return [target]


def _figure(path: Path, width: float, height: float) -> Any:
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise InputError(f"{path}: cannot tell the image format; use one of {', '.join(PLOT_SUFFIXES)}")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def plot_network(
    G: nx.Graph,
    path: str | Path,
    *,
    seed: int = 42,
    max_labels: int = 40,
    title: str | None = None,
) -> Path:
    """Draw ``G``: nodes coloured by sector (with a legend), sized by betweenness, labelled.

    Only the ``max_labels`` nodes of highest betweenness are labelled, so large drawings stay
    legible. Graphs above 5000 nodes are refused (export them to Gephi instead).

    Parameters
    ----------
    G : networkx.Graph
    path : str or Path
        ``.png``, ``.svg`` or ``.pdf``.
    seed : int
        Seed of the spring layout (and of sampled betweenness).
    max_labels : int
    title : str, optional

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "academia", "b": "industry"}, "sector")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = plot_network(G, Path(tmp) / "g.png")
    ...     out.read_bytes()[:4]
    b'\\x89PNG'
    """
    target = Path(path)
    if G.number_of_nodes() > PLOT_MAX_NODES:
        raise InputError(
            f"the graph has {G.number_of_nodes()} nodes; plots are limited to {PLOT_MAX_NODES}: "
            "export it (graphml, gexf) and lay it out in Gephi or Cytoscape"
        )
    figure = _figure(target, 12, 9)
    ax = figure.add_subplot()
    ax.set_axis_off()
    from matplotlib.patches import Patch

    n = max(G.number_of_nodes(), 1)
    position = nx.spring_layout(G, seed=seed, k=1.5 / math.sqrt(n))
    scores = betweenness(G, seed=seed)["scores"]
    top = max(scores.values(), default=0.0) or 1.0
    nodes = list(G)
    sectors = [G.nodes[v].get("sector") for v in nodes]
    colours = [SECTOR_COLOURS.get(s, NO_SECTOR_COLOUR) if s else NO_SECTOR_COLOUR for s in sectors]
    sizes = [40 + 900 * scores[v] / top for v in nodes]
    nx.draw_networkx_edges(G, position, ax=ax, alpha=0.25, width=0.6)
    nx.draw_networkx_nodes(
        G,
        position,
        nodelist=nodes,
        node_color=colours,
        node_size=sizes,
        ax=ax,
        edgecolors="#333333",
        linewidths=0.4,
    )
    labelled = sorted(nodes, key=lambda v: (-scores[v], str(v)))[:max_labels]
    labels = {v: str(G.nodes[v].get("label", v)) for v in labelled}
    nx.draw_networkx_labels(G, position, labels=labels, font_size=7, ax=ax)
    present = sorted({s for s in sectors if s})
    handles = [Patch(color=SECTOR_COLOURS.get(s, NO_SECTOR_COLOUR), label=s) for s in present]
    if any(s is None for s in sectors):
        handles.append(Patch(color=NO_SECTOR_COLOUR, label="no sector (group, area, unknown)"))
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=8, title="sector")
    ax.set_title(title or f"{G.graph.get('name', 'graph')}: size = betweenness", fontsize=11)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=150)
    return target


def plot_area_sector_heatmap(report: dict[str, Any], path: str | Path) -> Path:
    """A heatmap of members per sector for every collaboration area and group of a gap report.

    Parameters
    ----------
    report : dict
        The output of :func:`kg.analysis.report.gap_report`.
    path : str or Path
        ``.png``, ``.svg`` or ``.pdf``.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> report = {"sectors": [{"notation": "academia", "label": "Academia"}],
    ...           "areas": [{"notation": "1", "label": "Area", "coverage": {"counts": {}}}],
    ...           "groups": [{"label": "Board", "coverage": {"counts": {"academia": 2}}}]}
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     plot_area_sector_heatmap(report, Path(tmp) / "h.svg").read_text()[:5]
    '<?xml'
    """
    target = Path(path)
    sectors = report["sectors"]
    rows: list[tuple[str, dict[str, int]]] = [
        (f"{a.get('notation') or ''} {a['label']}".strip(), a["coverage"]["counts"]) for a in report["areas"]
    ] + [(f"group: {g['label']}", g["coverage"]["counts"]) for g in report["groups"]]
    values = [[counts.get(s["notation"], 0) for s in sectors] for _, counts in rows]
    figure = _figure(target, 2 + 1.4 * max(len(sectors), 1), 1.5 + 0.45 * max(len(rows), 1))
    ax = figure.add_subplot()
    image = ax.imshow(values or [[0]], cmap="Greens", aspect="auto", vmin=0)
    ax.set_xticks(range(len(sectors)), [s["label"] for s in sectors], rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), [_shorten(name) for name, _ in rows])
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            ax.text(
                j,
                i,
                str(value),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if value and value >= max(map(max, values)) * 0.6 else "black",
            )
    figure.colorbar(image, ax=ax, label="members")
    ax.set_title("Members per sector in each collaboration area and group", fontsize=10)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=150)
    return target


def _shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
