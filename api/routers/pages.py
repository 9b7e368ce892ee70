"""The interactive pages: the SPARQL query editor, the network explorer, and their assets.

``/query`` is a SPARQL editor (CodeMirror 5 with its SPARQL mode, prefix and term
completion) with the named queries as an example gallery and results as a sortable table;
``/query?query=…`` opens (and runs) a query, ``/query?name=…&param=…`` a named one.
:func:`query_page` renders it for any route, so that ``GET /sparql`` from a browser can show
the same page. ``/network`` is the network explorer (Cytoscape.js with the fcose layout) over
``/analysis/{graph}``; the gap dashboard ``/gaps`` lives with the analyses in
:mod:`api.routers.analysis`.

Scripts and styles are served from ``api/static/app`` (ours) and ``api/static/vendor``
(front-end libraries copied from their npm packages, with their licences; see
``api/static/vendor/VENDORED.md``). Nothing is loaded from another host.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from api.deps import get_settings, get_store
from api.routers.analysis import GRAPH_DESCRIPTIONS
from api.routers.home import STATIC_DIR, SettingsDep, render
from api.routers.queries import get_catalogue
from kg.analysis.export import NO_SECTOR_COLOUR, SECTOR_COLOURS
from kg.analysis.graphs import GRAPHS
from kg.catalogue import NamedQuery
from kg.describe import ONTOLOGY_IRI, SHAPES_NS
from kg.errors import NotFound
from kg.store import PREFIXES, Store, term_value
from kg.vocab import LSKG

__all__ = ["LAYOUT_LIMITS", "query_page", "router"]

router = APIRouter(tags=["pages"])

APP_DIR = STATIC_DIR / "app"
VENDOR_DIR = STATIC_DIR / "vendor"

# The explorer's automatic layout is fCoSE up to these sizes and concentric rings by degree
# above them (measured in headless Chromium, docs/web.md): fCoSE took 3 s on 6.5k nodes and
# 9.7k edges but 7-14 s on 1.3k nodes with 45k edges; rings are linear in the graph's size.
LAYOUT_LIMITS = {"fcose_nodes": 8000, "fcose_edges": 15000}

DEFAULT_QUERY = """\
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX lskg: <https://w3id.org/lskg/ontology#>

# Groups and programmes with the number of people the sources name as members
SELECT ?group ?label (COUNT(DISTINCT ?person) AS ?members) WHERE {
  ?membership org:organization ?group ; org:member ?person .
  ?group rdfs:label ?label .
  FILTER(LANG(?label) = "en")
} GROUP BY ?group ?label
ORDER BY DESC(?members)
"""

# Terms the editor completes after a prefix: every class and property the data or the
# ontology uses whose namespace has a prefix.
_TERMS = """\
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?term WHERE {
  { ?s ?term ?o }
  UNION { ?s a ?term }
  UNION {
    ?term a ?kind .
    VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property }
  }
}"""
MAX_TERMS = 3000


def _terms(request: Request, store: Store) -> list[str]:
    """The completable terms of ``store``, computed once per store version (per app)."""
    state = request.app.state
    cached: tuple[str, list[str]] | None = getattr(state, "completion_terms", None)
    if cached is not None and cached[0] == store.version:
        return cached[1]
    namespaces = tuple(PREFIXES.values())
    found = sorted(
        {
            value
            for (value,) in ((term_value(row["term"]),) for row in store.select(_TERMS).rows)
            if value.startswith(namespaces)
        }
    )[:MAX_TERMS]
    state.completion_terms = (store.version, found)
    return found


def _catalogue(request: Request) -> dict[str, NamedQuery]:
    """The named queries, honouring a test's override of the queries router's dependency."""
    provider: Callable[[], dict[str, NamedQuery]] = request.app.dependency_overrides.get(
        get_catalogue, get_catalogue
    )
    return provider()


def _body(sparql: str) -> str:
    """A named query's text without its ``#+`` metadata header."""
    return "\n".join(line for line in sparql.splitlines() if not line.startswith("#+")).strip() + "\n"


def _gallery(catalogue: dict[str, NamedQuery]) -> list[dict[str, Any]]:
    return [
        {
            "name": q.name,
            "summary": q.summary,
            "description": q.description,
            "tags": list(q.tags),
            "form": q.form,
            "violation_check": q.is_violation_check,
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "description": p.description,
                    "default": p.default,
                    "required": p.required,
                }
                for p in q.params
            ],
            "sparql": _body(q.sparql),
        }
        for q in catalogue.values()
    ]


def query_page(request: Request) -> Response:
    """The SPARQL query page for ``request``: ``?query=`` fills the editor and runs it,
    ``?name=`` (with the named query's parameters) opens and runs a named query.

    Callable from any route (``GET /sparql`` for browsers), not only ``/query``.
    """
    settings = get_settings(request)
    store = get_store(request)
    catalogue = _catalogue(request)
    params = request.query_params
    name = params.get("name")
    named = catalogue.get(name) if name else None
    if name and named is None:
        raise NotFound(f"no named query {name!r}; known: {', '.join(catalogue) or 'none'}")
    text = params.get("query")
    if named is not None:
        sparql = _body(named.sparql)
    elif text:
        sparql = text
    else:
        sparql = DEFAULT_QUERY
    values = {p.name: params[p.name] for p in named.params if p.name in params} if named else {}
    config = {
        "endpoint": "/sparql",
        "base_iri": settings.base_iri,
        "ontology_ns": LSKG.NS,
        "ontology_iri": ONTOLOGY_IRI,
        "shapes_ns": SHAPES_NS,
        "prefixes": PREFIXES,
        "terms": _terms(request, store),
        "autorun": bool(text) or named is not None,
        "named": named.name if named is not None else None,
        "values": values,
        "max_rows_shown": 2000,
    }
    context = {
        "title": "SPARQL query",
        "sparql": sparql,
        "gallery": _gallery(catalogue),
        "config": config,
        "base_iri": settings.base_iri,
    }
    return render(request, "query_editor.html", context)


@router.get("/query", summary="SPARQL query editor (HTML)", response_class=HTMLResponse)
def query(request: Request) -> Response:
    """The query editor with the named queries as examples; ``?query=`` opens and runs a query."""
    return query_page(request)


@router.get("/network", summary="Network explorer (HTML)", response_class=HTMLResponse)
def network(request: Request, settings: SettingsDep) -> Response:
    """Explore the four graphs: colour by sector, size by a measure, filter, search, inspect."""
    graph = request.query_params.get("graph", "organisations")
    if graph not in GRAPHS:
        raise NotFound(f"unknown graph {graph!r}; choose one of {', '.join(GRAPHS)}")
    config = {
        "graph": graph,
        "graphs": list(GRAPHS),
        "base_iri": settings.base_iri,
        "layout_limits": LAYOUT_LIMITS,
        "sector_colours": SECTOR_COLOURS,
        "no_sector_colour": NO_SECTOR_COLOUR,
    }
    context = {
        "title": "Network explorer",
        "graph": graph,
        "graphs": [(g, GRAPH_DESCRIPTIONS[g]) for g in GRAPHS],
        "config": config,
    }
    return render(request, "network.html", context)


def _asset(folder: Path, *parts: str) -> FileResponse:
    path = folder.joinpath(*parts).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        raise NotFound(f"no static file {'/'.join(parts)!r}")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    """The site's icon (a PNG: every browser takes one at this address)."""
    return FileResponse(
        APP_DIR / "favicon.png", media_type="image/png", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/static/app/{name}", include_in_schema=False)
def app_asset(name: str) -> FileResponse:
    """A script or style sheet of the pages (``api/static/app``)."""
    return _asset(APP_DIR, name)


@router.get("/static/vendor/{package}/{name}", include_in_schema=False)
def vendor_asset(package: str, name: str) -> FileResponse:
    """A vendored front-end file or its licence (``api/static/vendor/{package}``)."""
    return _asset(VENDOR_DIR, package, name)


@router.get("/static/vendor/{name}", include_in_schema=False)
def vendor_notes(name: str) -> FileResponse:
    """``VENDORED.md``: which packages, versions and files are vendored, under which licences."""
    return _asset(VENDOR_DIR, name)
