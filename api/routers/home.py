"""The home page, label search, static files, and the page helpers the other routers share.

Pages are rendered with Jinja2 from ``api/templates`` (one base layout: navigation, a label
search box, a footer with the dataset version and the licence) and styled by plain CSS in
``api/static``; nothing is loaded from another host, so the pages work offline.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import jinja2
import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from api.deps import get_settings, get_store
from api.negotiation import FORMAT_ALIASES, negotiate
from api.settings import ApiSettings
from kg import __version__
from kg.describe import display_label, local_path, search_labels
from kg.errors import NotFound
from kg.results import compact
from kg.store import Store, Term

__all__ = ["SettingsDep", "StoreDep", "TermView", "negotiated", "render", "router", "term_view"]

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
VARY = {"Vary": "Accept"}
_XSD = "http://www.w3.org/2001/XMLSchema#"
_PLAIN = {_XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}

# Dependencies as annotated types, so handlers declare them without calls in defaults.
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[ApiSettings, Depends(get_settings)]

router = APIRouter(tags=["pages"])


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` with ``context`` plus what every page shows (version, licence)."""
    store: Store = get_store(request)
    page = {
        "request": request,
        "version": store.version,
        "software_version": __version__,
        "licence": LICENCE,
        "q": "",
        **context,
    }
    body = _environment().get_template(template).render(page)
    return HTMLResponse(body, status_code=status_code, headers=dict(headers or VARY))


def negotiated(request: Request, offered: list[str], format_param: str | None = None) -> str:
    """The media type to answer ``request`` with, from ``?format=``, a suffix or ``Accept``.

    ``?format=json`` means plain JSON where the answer is not a SPARQL result.
    """
    aliases = dict(FORMAT_ALIASES)
    if "application/json" in offered and "application/sparql-results+json" not in offered:
        aliases["json"] = "application/json"
    return negotiate(request.headers.get("accept"), offered, format_param, aliases)


@dataclass(frozen=True)
class TermView:
    """An RDF term as a page shows it: a link (ours or external) or a literal with its tags."""

    kind: str
    text: str
    href: str | None = None
    title: str = ""
    lang: str | None = None
    datatype: str | None = None

    @property
    def external(self) -> bool:
        """True for a link that leaves this site."""
        return self.kind == "iri" and self.href is not None and not self.href.startswith("/")


def term_view(
    term: Term | None, base_iri: str, names: Mapping[str, Mapping[str, list[str]]] | None = None
) -> TermView:
    """How to show ``term``: our IRIs link to their page with their label, others link out."""
    if term is None:
        return TermView("empty", "")
    if isinstance(term, ox.Literal):
        datatype = None if term.datatype.value in _PLAIN else compact(term.datatype, base_iri)
        return TermView("literal", term.value, lang=term.language, datatype=datatype)
    if isinstance(term, ox.BlankNode):
        return TermView("blank", f"_:{term.value}")
    if isinstance(term, ox.Triple):
        return TermView("literal", str(term))
    iri = term.value
    label = display_label((names or {}).get(iri, {}))
    here = local_path(iri, base_iri)
    if label:
        text = label
    elif here is None:
        short = compact(term, base_iri)
        text = iri if short.startswith("<") else short
    else:
        text = here.lstrip("/")
    return TermView("iri", text, href=here or iri, title=iri)


def absolute(request: Request, path: str) -> str:
    """An absolute URL on this server for a local ``path``."""
    return str(request.base_url).rstrip("/") + path


@router.get("/", summary="Home page", response_class=HTMLResponse)
def home(request: Request, settings: SettingsDep) -> Response:
    """What lskg is and where to go from here (HTML; JSON with ``Accept: application/json``)."""
    media = negotiated(request, ["text/html", "application/json"])
    links = {
        "sparql": "/sparql",
        "queries": "/queries",
        "organisations": "/organisations",
        "people": "/people",
        "areas": "/areas",
        "infrastructures": "/infrastructures",
        "search": "/search?q=",
        "ontology": "/ontology",
        "shapes": "/shapes",
        "void": "/.well-known/void",
        "sparql_examples": "/.well-known/sparql-examples",
        "dump_nquads": "/dump.nq",
        "dump_turtle": "/dump.ttl",
        "dump_jsonld": "/dump.jsonld",
        "openapi": "/docs",
    }
    if media == "application/json":
        store = get_store(request)
        body = {
            "title": "lskg: the Swedish life-science knowledge graph",
            "version": store.version,
            "software_version": __version__,
            "licence": LICENCE,
            "base_iri": settings.base_iri,
            "links": {name: absolute(request, path) for name, path in links.items()},
        }
        return JSONResponse(body, headers=VARY)
    return render(request, "home.html", {"title": "lskg", "base_iri": settings.base_iri})


@router.get("/search", summary="Search labels across the graph", response_class=HTMLResponse)
def search(
    request: Request,
    *,
    q: str = Query("", description="Text to find in labels; case and diacritics are ignored."),
    limit: int = Query(50, ge=1, le=500, description="At most this many results."),
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """Resources whose label contains ``q`` (HTML list; JSON with ``Accept: application/json``)."""
    media = negotiated(request, ["text/html", "application/json"])
    hits = search_labels(store, q, limit=limit)
    items = []
    for hit in hits:
        path = local_path(hit.iri, settings.base_iri)
        items.append(
            {
                "iri": hit.iri,
                "label": hit.label,
                "matched": hit.matched,
                "types": list(hit.types),
                "page": absolute(request, path) if path else None,
            }
        )
    if media == "application/json":
        return JSONResponse({"q": q, "count": len(items), "items": items}, headers=VARY)
    views = [
        {
            "link": term_view(ox.NamedNode(hit.iri), settings.base_iri, {hit.iri: {"": [hit.label]}}),
            "matched": hit.matched if hit.matched != hit.label else "",
            "types": [term_view(ox.NamedNode(t), settings.base_iri) for t in hit.types],
        }
        for hit in hits
    ]
    return render(request, "search.html", {"title": f"Search: {q}" if q else "Search", "q": q, "hits": views})


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> FileResponse:
    """A file of ``api/static`` (style sheet); nothing outside that folder is served."""
    path = (STATIC_DIR / name).resolve()
    if path.parent != STATIC_DIR or not path.is_file():
        raise NotFound(f"no static file {name!r}")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})
