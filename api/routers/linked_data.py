"""Linked data: every IRI of the graph dereferences here, as HTML for people and RDF for machines.

The base IRI (``LSKG_BASE_IRI``) maps onto this server's paths: ``{base}id/{type}/{slug}`` is
served at ``/id/{type}/{slug}``, ``{base}graph/{name}`` at ``/graph/{name}``; ontology terms
(``https://w3id.org/lskg/ontology#Term``) at ``/ontology#Term`` and the SHACL shapes at
``/shapes``. The representation is chosen by ``Accept`` (with ``Vary: Accept``), a suffix
(``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.html``) or ``?format=``; a client that accepts
anything gets Turtle.

RDF representations of a resource hold its concise bounded description
(:func:`kg.describe.cbd`): its outgoing triples and the reified statement of each with the
record it was derived from, so that a Turtle or JSON-LD copy still says where every fact came
from. The HTML page also shows incoming links and resolves records to file names and lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.routers.home import VARY, SettingsDep, StoreDep, TermView, absolute, negotiated, render, term_view
from api.settings import ApiSettings
from kg.describe import (
    ONTOLOGY_IRI,
    ONTOLOGY_SECTIONS,
    Arc,
    Description,
    Record,
    cbd,
    describe,
    describe_ontology,
    display_label,
    entity_exists,
    local_name,
    local_path,
)
from kg.errors import NotFound
from kg.jsonld import context
from kg.results import compact, serialize_graph
from kg.store import Store, Term
from kg.vocab import LSKG

__all__ = ["RDF_MEDIA", "SUFFIXES", "curie_view", "rdf_response", "router"]

RDF_MEDIA: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
JSON_LD = ("application/ld+json", "application/json")
# Turtle first: it is what a client that accepts anything (curl, */*) gets.
OFFERED = [
    "text/turtle",
    "text/html",
    "application/ld+json",
    "application/json",
    "application/n-triples",
    "application/rdf+xml",
]
SUFFIXES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "html": "text/html",
}
DESCRIBE_LIMIT = 500

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_FIRST = [
    _RDF + "type",
    _RDFS + "label",
    _SKOS + "prefLabel",
    _SKOS + "altLabel",
    "http://xmlns.com/foaf/0.1/name",
]
_ROW_NAMES = {
    _RDFS + "subClassOf": "Subclass of",
    _RDFS + "subPropertyOf": "Subproperty of",
    _RDFS + "domain": "Domain",
    _RDFS + "range": "Range",
    _SKOS + "inScheme": "In scheme",
    _SKOS + "topConceptOf": "Top concept of",
    _SKOS + "hasTopConcept": "Top concepts",
    _SKOS + "notation": "Notation",
    _SKOS + "closeMatch": "Close match",
}

router = APIRouter(tags=["linked data"])


def rdf_response(request: Request, triples: Iterable[ox.Triple], media: str) -> Response:
    """``triples`` serialised as ``media`` (an RDF media type or JSON-LD), with ``Vary: Accept``."""
    if media in JSON_LD:
        document = to_jsonld_document(request, triples)
        body = json.dumps(document, ensure_ascii=False, indent=1)
        return Response(body, media_type=media, headers=VARY)
    return Response(serialize_graph(triples, RDF_MEDIA[media]), media_type=media, headers=VARY)


def to_jsonld_document(request: Request, triples: Iterable[ox.Triple]) -> dict[str, Any]:
    """A compacted JSON-LD document referring to this server's ``/context.jsonld``.

    The context is referred to on the server that answered, so a JSON-LD processor can always
    fetch it, even before the persistent base IRI redirects here.
    """
    from kg.jsonld import to_jsonld

    return to_jsonld(triples, absolute(request, "/context.jsonld"))


def split_suffix(path: str) -> tuple[str, str | None]:
    """``("org/vinnova", "ttl")`` for ``org/vinnova.ttl``; the suffix is ``None`` if not a format."""
    stem, dot, ext = path.rpartition(".")
    if dot and ext in SUFFIXES:
        return stem, ext
    return path, None


@router.get(
    "/context.jsonld",
    summary="The JSON-LD context",
    response_description="Short keys for the lskg ontology and the reused vocabularies.",
)
def jsonld_context() -> JSONResponse:
    """The ``@context`` every JSON-LD document of this service refers to."""
    return JSONResponse(
        context(), media_type="application/ld+json", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/id/{kind}/{slug:path}", summary="A resource of the graph (linked data)")
def resource(
    request: Request,
    *,
    kind: str,
    slug: str,
    format: str | None = Query(None, description="ttl, jsonld, nt, rdf or html; overrides Accept."),
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """Dereference ``{base}id/{kind}/{slug}``: HTML page or concise bounded description in RDF."""
    iri = f"{settings.base_iri}id/{kind}/{slug}"
    suffix = None
    if not entity_exists(store, iri):
        stem, suffix = split_suffix(slug)
        iri = f"{settings.base_iri}id/{kind}/{stem}"
        if suffix is None or not entity_exists(store, iri):
            raise NotFound(f"nothing in the graph is called <{settings.base_iri}id/{kind}/{slug}>")
    media = negotiated(request, OFFERED, format or suffix)
    if media == "text/html":
        description = describe(store, iri, limit=DESCRIBE_LIMIT)
        return render(request, "entity.html", _entity_page(description, settings.base_iri))
    return rdf_response(request, cbd(store, iri), media)


@router.get("/graph/{name:path}", summary="A named graph of the store")
def named_graph(
    request: Request,
    *,
    name: str,
    format: str | None = Query(None, description="ttl, jsonld, nt, rdf or html; overrides Accept."),
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """Every triple of ``{base}graph/{name}`` (a source, its provenance, ontology, shapes, meta)."""
    graphs = set(store.graphs())
    iri = f"{settings.base_iri}graph/{name}"
    suffix = None
    if iri not in graphs:
        stem, suffix = split_suffix(name)
        iri = f"{settings.base_iri}graph/{stem}"
        if suffix is None or iri not in graphs:
            known = ", ".join(g.removeprefix(settings.base_iri + "graph/") for g in sorted(graphs))
            raise NotFound(f"no named graph <{settings.base_iri}graph/{name}>; there are: {known}")
    media = negotiated(request, OFFERED, format or suffix)
    if media != "text/html":
        return rdf_response(request, (q.triple for q in store.quads(iri)), media)
    rows = store.select(
        """SELECT DISTINCT ?g ?s ?label WHERE {
             GRAPH ?g { ?s ?p ?o }
             OPTIONAL { ?s <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }
           } ORDER BY ?s""",
        {"g": ox.NamedNode(iri)},
    ).rows
    names: dict[str, dict[str, list[str]]] = {}
    subjects: dict[str, Term] = {}
    for row in rows:
        subject = row["s"]
        assert subject is not None
        subjects.setdefault(str(subject), subject)
        label = row.get("label")
        if isinstance(subject, ox.NamedNode) and isinstance(label, ox.Literal):
            names.setdefault(subject.value, {}).setdefault(label.language or "", []).append(label.value)
    shown = list(subjects.values())[:2000]
    page = {
        "title": f"Graph {name}",
        "name": iri.removeprefix(settings.base_iri + "graph/"),
        "iri": iri,
        "path": local_path(iri, settings.base_iri) or "",
        "count": sum(1 for _ in store.quads(iri)),
        "subjects": [term_view(s, settings.base_iri, names) for s in shown],
        "truncated": len(subjects) > len(shown),
    }
    return render(request, "graph.html", page)


@router.get("/ontology", summary="The lskg ontology")
def ontology(
    request: Request,
    *,
    format: str | None = Query(None, description="ttl, jsonld, nt, rdf or html; overrides Accept."),
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """The ontology: one HTML section per term (anchor ``#Term``), or the ontology graph in RDF."""
    return _ontology(request, format, settings, store)


@router.get("/ontology.{ext}", summary="The lskg ontology in one format")
def ontology_file(
    request: Request,
    *,
    ext: str,
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """The ontology as ``.ttl``, ``.jsonld``, ``.nt``, ``.rdf`` or ``.html``."""
    if ext not in SUFFIXES:
        raise NotFound(f"no /ontology.{ext}; try one of {', '.join(SUFFIXES)}")
    return _ontology(request, ext, settings, store)


@router.get("/ontology/{version}", summary="A version of the lskg ontology")
def ontology_version(
    request: Request,
    *,
    version: str,
    format: str | None = Query(None, description="ttl, jsonld, nt, rdf or html; overrides Accept."),
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """``owl:versionIRI`` dereferenced: the ontology, if ``version`` is the one this store holds."""
    stem, suffix = split_suffix(version)
    held = store.select(
        "SELECT ?o ?v WHERE { ?o <http://www.w3.org/2002/07/owl#versionInfo> ?v }",
        {"o": ox.NamedNode(ONTOLOGY_IRI)},
    ).column("v")
    if stem not in held:
        raise NotFound(
            f"no ontology version {stem!r} here; this service holds {', '.join(h or '' for h in held)}"
        )
    return _ontology(request, format or suffix, settings, store)


@router.get("/shapes", summary="The SHACL shapes the data is validated with")
def shapes(
    request: Request,
    *,
    format: str | None = Query(None, description="ttl, jsonld, nt or rdf; overrides Accept."),
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """The SHACL shapes graph (Turtle by default, JSON-LD, N-Triples, RDF/XML)."""
    return _shapes(request, format, settings, store)


@router.get("/shapes.{ext}", summary="The SHACL shapes in one format")
def shapes_file(
    request: Request,
    *,
    ext: str,
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """The shapes as ``.ttl``, ``.jsonld``, ``.nt`` or ``.rdf``."""
    if ext not in SUFFIXES or ext == "html":
        raise NotFound(f"no /shapes.{ext}; try one of ttl, jsonld, nt, rdf")
    return _shapes(request, ext, settings, store)


def _shapes(request: Request, fmt: str | None, settings: ApiSettings, store: Store) -> Response:
    offered = [m for m in OFFERED if m != "text/html"]
    media = negotiated(request, offered, fmt)
    graph = f"{settings.base_iri}graph/shapes"
    return rdf_response(request, (q.triple for q in store.quads(graph)), media)


def _ontology(request: Request, fmt: str | None, settings: ApiSettings, store: Store) -> Response:
    graph = f"{settings.base_iri}graph/ontology"
    media = negotiated(request, OFFERED, fmt)
    if media != "text/html":
        return rdf_response(request, (q.triple for q in store.quads(graph)), media)
    header, terms = describe_ontology(store, graph)
    base = settings.base_iri
    labels = _by_lang(header.get(_RDFS + "label", []))
    sections = []
    for section in ONTOLOGY_SECTIONS:
        members = [_term_page(t, base) for t in terms if t.section == section]
        if members:
            sections.append({"name": section, "terms": members})
    skip = {_RDFS + "label", _RDFS + "comment"}
    page = {
        "title": "Ontology",
        "iri": ONTOLOGY_IRI,
        "namespace": LSKG.NS,
        "label_en": display_label(labels, "en") or "lskg ontology",
        "label_sv": display_label(labels, "sv") if labels.get("sv") else "",
        "comments": _comments(header.get(_RDFS + "comment", [])),
        "header": [
            {"prop": _prop_view(ox.NamedNode(p), base), "terms": [curie_view(v, base) for v in values]}
            for p, values in sorted(header.items())
            if p not in skip and p != _RDF + "type"
        ],
        "sections": sections,
    }
    return render(request, "ontology.html", page)


def _term_page(term: Any, base: str) -> dict[str, Any]:
    rows = []
    for predicate, values in sorted(term.values.items(), key=lambda kv: _ROW_NAMES.get(kv[0], "~" + kv[0])):
        rows.append(
            {
                "name": _ROW_NAMES.get(predicate, compact(ox.NamedNode(predicate), base)),
                "terms": [curie_view(v, base) for v in values],
            }
        )
    if term.subclasses:
        rows.append(
            {"name": "Subclasses", "terms": [curie_view(ox.NamedNode(i), base) for i in term.subclasses]}
        )
    if term.instances:
        rows.append({"name": "Members", "terms": [curie_view(ox.NamedNode(i), base) for i in term.instances]})
    return {
        "name": term.name,
        "iri": term.iri,
        "kinds": [curie_view(ox.NamedNode(k), base) for k in term.kinds],
        "label_en": display_label({"en": term.labels.get("en", [])}),
        "label_sv": display_label({"sv": term.labels.get("sv", [])}),
        "comments": [
            {"lang": lang, "text": text}
            for lang in sorted(term.comments, key=lambda tag: (tag != "en", tag))
            for text in term.comments[lang]
        ],
        "rows": rows,
    }


def curie_view(term: Term, base: str) -> TermView:
    """An IRI shown as a CURIE (``lskg:University``), linked to its page here or elsewhere."""
    if isinstance(term, ox.NamedNode):
        text = compact(term, base)
        text = text[1:-1] if text.startswith("<") else text
        return TermView("iri", text, href=local_path(term.value, base) or term.value, title=term.value)
    return term_view(term, base)


def _prop_view(
    predicate: ox.NamedNode, base: str, names: Mapping[str, Mapping[str, list[str]]] | None = None
) -> TermView:
    label = display_label((names or {}).get(predicate.value, {}))
    return TermView(
        "iri",
        compact(predicate, base),
        href=local_path(predicate.value, base) or predicate.value,
        title=f"{label} — {predicate.value}" if label else predicate.value,
    )


def _by_lang(terms: Iterable[Term]) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {}
    for term in terms:
        if isinstance(term, ox.Literal):
            labels.setdefault(term.language or "", []).append(term.value)
    return labels


def _comments(terms: Iterable[Term]) -> list[dict[str, str | None]]:
    literals = [t for t in terms if isinstance(t, ox.Literal)]
    literals.sort(key=lambda t: (t.language != "en", t.language or ""))
    return [{"lang": t.language, "text": t.value} for t in literals]


def _entity_page(description: Description, base: str) -> dict[str, Any]:
    names = description.names

    def view(term: Term) -> TermView:
        return term_view(term, base, names)

    def order(arc: Arc) -> tuple[int, str, str]:
        predicate = arc.predicate.value
        rank = _FIRST.index(predicate) if predicate in _FIRST else len(_FIRST)
        other = arc.object if arc.subject == ox.NamedNode(description.iri) else arc.subject
        return (rank, compact(arc.predicate, base), view(other).text.casefold())

    outgoing = sorted(description.outgoing, key=order)
    incoming = sorted(description.incoming, key=order)
    path = local_path(description.iri, base) or ""
    same_as = [TermView("iri", compact(ox.NamedNode(i), base), href=i, title=i) for i in description.same_as]
    return {
        "title": description.label("en"),
        "iri": description.iri,
        "path": path,
        "label_en": description.label("en"),
        "label_sv": description.label("sv"),
        "types": [view(ox.NamedNode(t)) for t in description.types],
        "same_as": same_as,
        "outgoing": [
            {
                "prop": _prop_view(a.predicate, base, names),
                "value": view(a.object),
                "sources": _sources(a.records, base),
            }
            for a in outgoing
        ],
        "incoming": [
            {
                "subject": view(a.subject),
                "prop": _prop_view(a.predicate, base, names),
                "sources": _sources(a.records, base),
            }
            for a in incoming
        ],
        "stated": [
            {
                "subject": view(a.subject),
                "prop": _prop_view(a.predicate, base, names),
                "value": view(a.object),
            }
            for a in description.stated
        ],
        "records": _sources(description.records, base),
        "truncated": description.truncated,
        "limit": DESCRIBE_LIMIT,
    }


def _sources(records: Iterable[Record], base: str) -> list[dict[str, Any]]:
    return [
        {
            "url": r.url,
            "read_on": r.read_on,
            "href": local_path(r.iri, base) or r.iri,
            "text": str(r),
            "name": local_name(r.iri),
        }
        for r in records
    ]
