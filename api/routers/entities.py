"""A JSON API for applications that do not speak SPARQL: organisations, people, areas, infrastructures.

Each collection takes filters (``sector``, ``kind``, ``area``, ``organisation``: names or IRIs),
a text search ``q`` over labels and alternative labels (case and diacritics ignored, so
``linkoping`` finds *Linköping University*) and pagination (``limit`` ≤ 500, ``offset``); the
answer holds the total count and a ``next`` link. Browsers asking for HTML get a table.

Filters are SPARQL parameters: their values become RDF terms that the engine substitutes for
variables of a fixed query text; the only thing a filter changes in the text is which of a few
fixed graph patterns is included. The text search runs over the candidates' labels in Python,
because SPARQL has no diacritic-insensitive comparison.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pyoxigraph as ox
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from api.routers.home import VARY, SettingsDep, StoreDep, TermView, absolute, negotiated, render
from api.settings import ApiSettings
from kg.describe import display_label, entity_exists, fold, labels_of, local_name, local_path
from kg.errors import InputError, NotFound
from kg.store import Store, Table, Term
from kg.vocab import LSKG

__all__ = ["Area", "Infrastructure", "Item", "Organisation", "Page", "Person", "router"]

T = TypeVar("T", bound=BaseModel)

_PREFIXES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX lskg: <https://w3id.org/lskg/ontology#>
"""
# The kinds of organisation: subclasses of either root. Each path starts from a bound class
# (Virtuoso refuses a transitive path between two variables: "transitive start not given").
_ORG_KIND = (
    "{ SELECT DISTINCT ?kind WHERE { { ?kind rdfs:subClassOf+ org:FormalOrganization } "
    "UNION { ?kind rdfs:subClassOf+ org:OrganizationalUnit } } }"
)
_LSKG_TYPES = 'FILTER(STRSTARTS(STR(?types), "https://w3id.org/lskg/ontology#"))'

router = APIRouter(tags=["JSON API"])


class Labels(BaseModel):
    """A resource's label in English and Swedish (an untagged name fills both)."""

    en: str | None = Field(None, examples=["Linköping University"])
    sv: str | None = Field(None, examples=["Linköpings universitet"])


class Sector(BaseModel):
    """A sector of the sector scheme."""

    iri: str = Field(examples=["https://w3id.org/lskg/ontology#SectorAcademia"])
    notation: str = Field(examples=["academia"])
    label: Labels


class Ref(BaseModel):
    """A link to another resource, with its label and page."""

    iri: str
    label: Labels
    page: str | None = None


class Item(BaseModel):
    """What every item of a collection has: its IRI, labels and page on this server."""

    iri: str = Field(examples=["https://w3id.org/lskg/id/org/linkoping-university"])
    labels: Labels
    page: str = Field(examples=["http://localhost:8000/id/org/linkoping-university"])


class Organisation(Item):
    """An organisation: a formal organisation or a unit (ministry, office)."""

    alt_labels: list[str] = []
    sector: Sector | None = None
    kinds: list[str] = Field([], examples=[["University"]])
    areas: list[Ref] = []


class Person(Item):
    """A person, with the organisations they are members of and those organisations' sectors."""

    sectors: list[Sector] = []
    organisations: list[Ref] = []


class Area(Item):
    """A collaboration area of the life-science collaboration programme."""

    notation: str | None = Field(None, examples=["4"])
    aim: Labels
    programmes: list[Ref] = []


class Infrastructure(Item):
    """A research or data infrastructure."""

    kinds: list[str] = Field([], examples=[["Biobank"]])
    areas: list[Ref] = []
    operators: list[Ref] = []


class Page(BaseModel, Generic[T]):
    """One page of a collection."""

    total: int = Field(description="Items matching the filters, over all pages", examples=[42])
    limit: int = Field(examples=[50])
    offset: int = Field(examples=[0])
    next: str | None = Field(None, description="The next page, if there is one")
    items: list[T]


@dataclass
class _Context:
    """What building items needs: the request, settings, store, and labels of linked resources.

    ``names`` holds the labels of the resources items link to; :meth:`fetch_names` fills it for
    the resources a set of rows mentions, in one query per batch, so that a request never reads
    every label of the store.
    """

    request: Request
    base: str
    store: Store
    names: dict[str, dict[str, list[str]]]
    sectors: dict[str, Sector]
    listed_kinds: dict[str, list[str]] = field(default_factory=dict)

    def ref(self, iri: str) -> Ref:
        return Ref(iri=iri, label=_labels(self.names.get(iri, {})), page=self.page(iri))

    def page(self, iri: str) -> str | None:
        path = local_path(iri, self.base)
        return absolute(self.request, path) if path else None

    def kinds(self, kinds_query: str) -> list[str]:
        """The kinds ``kinds_query`` lists, read once per request (filter, query and options use them)."""
        if kinds_query not in self.listed_kinds:
            rows = self.store.select(kinds_query).column("kind")
            self.listed_kinds[kinds_query] = sorted(k for k in rows if k)
        return self.listed_kinds[kinds_query]

    def fetch_names(self, iris: Iterable[str]) -> None:
        """Look up the labels of the IRIs of ``iris`` not looked up yet."""
        self.names.update(labels_of(self.store, sorted({i for i in iris if i not in self.names})))


def _context(request: Request, settings: ApiSettings, store: Store) -> _Context:
    sectors = {}
    rows = store.select(_PREFIXES + "SELECT ?s ?n WHERE { ?s a lskg:Sector ; skos:notation ?n } ORDER BY ?n")
    names = labels_of(store, [iri for iri, _ in rows.values() if iri is not None])
    for iri, notation in rows.values():
        assert iri is not None and notation is not None
        sectors[iri] = Sector(iri=iri, notation=notation, label=_labels(names.get(iri, {})))
    return _Context(request, settings.base_iri, store, names, sectors)


# ---------------------------------------------------------------- the collections

_ORGANISATIONS = (
    _PREFIXES
    + """
SELECT ?item ?kind ?sector ?area ?lp ?label ?types ?areas WHERE {
  %(kinds)s ?item a ?kind .
  ?item lskg:sector ?sector .
  %(area)s
  ?item ?lp ?label . VALUES ?lp { rdfs:label skos:altLabel }
  OPTIONAL { ?item a ?types . %(types)s }
  OPTIONAL { ?item lskg:participatesIn ?areas }
}
"""
)

_PEOPLE = (
    _PREFIXES
    + """
SELECT ?item ?sector ?organisation ?kind ?area ?lp ?label ?orgs ?orgSectors ?represents WHERE {
  ?item a foaf:Person .
  %(sector)s
  %(organisation)s
  %(kind)s
  %(area)s
  ?item ?lp ?label . VALUES ?lp { rdfs:label foaf:name skos:altLabel }
  OPTIONAL { ?mm org:member ?item ; org:organization ?orgs . OPTIONAL { ?orgs lskg:sector ?orgSectors } }
  OPTIONAL { ?mr org:member ?item ; lskg:representsSector ?represents }
}
"""
)

_AREAS = (
    _PREFIXES
    + """
SELECT ?item ?lp ?label ?notation ?aim ?programmes WHERE {
  ?item a lskg:CollaborationArea .
  ?item ?lp ?label . VALUES ?lp { skos:prefLabel skos:altLabel }
  OPTIONAL { ?item skos:notation ?notation }
  OPTIONAL { ?item lskg:aim ?aim }
  OPTIONAL { ?programmes lskg:hasCollaborationArea ?item }
}
"""
)

_INFRASTRUCTURES = (
    _PREFIXES
    + """
SELECT ?item ?kind ?area ?sector ?lp ?label ?types ?areas ?operators WHERE {
  %(kinds)s ?item a ?kind .
  %(area)s
  %(sector)s
  ?item ?lp ?label . VALUES ?lp { rdfs:label skos:altLabel }
  OPTIONAL { ?item a ?types . %(types)s }
  OPTIONAL { ?item lskg:servesArea ?areas }
  OPTIONAL { ?item lskg:operatedBy ?operators }
}
"""
)

# The fixed graph patterns a filter adds; a filter's value is bound, never written here.
_PATTERNS = {
    "org.area": "?item lskg:participatesIn ?area .",
    "person.sector": "{ ?ms org:member ?item ; org:organization/lskg:sector ?sector } UNION "
    "{ ?ms org:member ?item ; lskg:representsSector ?sector }",
    "person.organisation": "?mo org:member ?item ; org:organization ?organisation .",
    "person.kind": "?mk org:member ?item ; org:organization/a ?kind .",
    "person.area": "?item lskg:participatesIn ?area .",
    "infrastructure.area": "?item lskg:servesArea ?area .",
    "infrastructure.sector": "?item lskg:operatedBy/lskg:sector ?sector .",
}

_ORG_KINDS = _PREFIXES + f"SELECT ?kind WHERE {{ {_ORG_KIND} }}"
_INFRASTRUCTURE_KINDS = (
    _PREFIXES + "SELECT DISTINCT ?kind WHERE { ?kind rdfs:subClassOf* lskg:Infrastructure }"
)
_AREA_LIST = _PREFIXES + "SELECT ?area WHERE { ?area a lskg:CollaborationArea } ORDER BY ?area"

Q = Query(None, description="Text in a label or alternative label; case and diacritics are ignored.")
SECTOR = Query(
    None, description="A sector: its notation (academia, industry, public, healthcare, civil-society) or IRI."
)
KIND = Query(None, description="A kind: the class's local name (University, Company, Biobank …) or IRI.")
AREA = Query(None, description="A collaboration area: its slug (data-och-information) or IRI.")
FORMAT = Query(None, description="json or html; overrides Accept.")
LIMIT = Query(50, ge=1, le=500, description="Items per page (at most 500).")
OFFSET = Query(0, ge=0, description="Items to skip.")


@router.get(
    "/organisations",
    response_model=Page[Organisation],
    summary="Organisations, filtered and paginated",
    responses={200: {"content": {"text/html": {}}}},
)
def organisations(
    request: Request,
    *,
    q: str | None = Q,
    sector: str | None = SECTOR,
    kind: str | None = KIND,
    area: str | None = AREA,
    limit: int = LIMIT,
    offset: int = OFFSET,
    format: str | None = FORMAT,
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """Organisations by sector, kind and collaboration area, with labels in English and Swedish."""
    media = negotiated(request, ["application/json", "text/html"], format)
    ctx = _context(request, settings, store)
    bindings: dict[str, Term] = {}
    if sector:
        bindings["sector"] = _sector(ctx, sector)
    if kind:
        bindings["kind"] = _kind(ctx, kind, _ORG_KINDS)
    if area:
        bindings["area"] = _area(ctx, area)
    text = _ORGANISATIONS % {
        "kinds": _kinds_clause(ctx, _ORG_KINDS),
        "types": _LSKG_TYPES,
        "area": _PATTERNS["org.area"] if area else "",
    }
    items = _items(ctx, text, bindings, q, lambda i, v: _organisation(ctx, i, v))
    filters = [
        _select(
            "sector", "Sector", sector, [(s.notation, s.label.en or s.notation) for s in ctx.sectors.values()]
        ),
        _select("kind", "Kind", kind, _kind_options(ctx, _ORG_KINDS)),
        _text("q", "Label contains", q),
    ]
    return _respond(
        request, media, "Organisations", items, limit, offset, filters, ["Kind", "Sector"], _org_cells(ctx)
    )


@router.get("/organisations/{slug}", response_model=Organisation, summary="One organisation")
def organisation(
    request: Request,
    *,
    slug: str = Path(description="The last segment of the IRI: id/org/{slug}", examples=["vinnova"]),
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """The organisation ``{base}id/org/{slug}`` (browsers are sent to its linked-data page)."""
    iri = f"{settings.base_iri}id/org/{slug}"
    ctx = _context(request, settings, store)
    text = _ORGANISATIONS % {"kinds": _kinds_clause(ctx, _ORG_KINDS), "types": _LSKG_TYPES, "area": ""}
    return _one(ctx, text, iri, lambda i, v: _organisation(ctx, i, v))


@router.get(
    "/people",
    response_model=Page[Person],
    summary="People, filtered and paginated",
    responses={200: {"content": {"text/html": {}}}},
)
def people(
    request: Request,
    *,
    q: str | None = Q,
    sector: str | None = Query(
        None, description="A sector of an organisation they belong to, or that they represent."
    ),
    organisation: str | None = Query(
        None,
        description="An organisation or group they are a member of: slug (id/org/…), path (id/group/…) or IRI.",
    ),
    kind: str | None = Query(
        None, description="The kind of an organisation they are a member of (University …)."
    ),
    area: str | None = AREA,
    limit: int = LIMIT,
    offset: int = OFFSET,
    format: str | None = FORMAT,
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """People by the sector, kind or identity of the organisations they are members of."""
    media = negotiated(request, ["application/json", "text/html"], format)
    ctx = _context(request, settings, store)
    bindings: dict[str, Term] = {}
    if sector:
        bindings["sector"] = _sector(ctx, sector)
    if organisation:
        bindings["organisation"] = _resource(ctx, organisation, "org")
    if kind:
        bindings["kind"] = _kind(ctx, kind, _ORG_KINDS)
    if area:
        bindings["area"] = _area(ctx, area)
    text = _PEOPLE % {
        name: _PATTERNS[f"person.{name}"] if value else ""
        for name, value in (
            ("sector", sector),
            ("organisation", organisation),
            ("kind", kind),
            ("area", area),
        )
    }
    items = _items(ctx, text, bindings, q, lambda i, v: _person(ctx, i, v))
    filters = [
        _select(
            "sector", "Sector", sector, [(s.notation, s.label.en or s.notation) for s in ctx.sectors.values()]
        ),
        _select("kind", "Kind of organisation", kind, _kind_options(ctx, _ORG_KINDS)),
        _text("organisation", "Organisation", organisation),
        _text("q", "Name contains", q),
    ]
    return _respond(
        request,
        media,
        "People",
        items,
        limit,
        offset,
        filters,
        ["Organisations", "Sectors"],
        _person_cells(ctx),
    )


@router.get("/people/{slug}", response_model=Person, summary="One person")
def person(
    request: Request,
    *,
    slug: str = Path(description="The last segment of the IRI: id/person/{slug}", examples=["sara-riggare"]),
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """The person ``{base}id/person/{slug}``."""
    ctx = _context(request, settings, store)
    text = _PEOPLE % {"sector": "", "organisation": "", "kind": "", "area": ""}
    return _one(ctx, text, f"{settings.base_iri}id/person/{slug}", lambda i, v: _person(ctx, i, v))


@router.get(
    "/areas",
    response_model=Page[Area],
    summary="Collaboration areas",
    responses={200: {"content": {"text/html": {}}}},
)
def areas(
    request: Request,
    *,
    q: str | None = Q,
    limit: int = LIMIT,
    offset: int = OFFSET,
    format: str | None = FORMAT,
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """The collaboration areas with their notation and aim, in the programme's order."""
    media = negotiated(request, ["application/json", "text/html"], format)
    ctx = _context(request, settings, store)
    items = _items(ctx, _AREAS, {}, q, lambda i, v: _area_item(ctx, i, v), key=_area_order)
    return _respond(
        request,
        media,
        "Collaboration areas",
        items,
        limit,
        offset,
        [_text("q", "Label contains", q)],
        ["No.", "Aim"],
        _area_cells,
    )


@router.get("/areas/{slug}", response_model=Area, summary="One collaboration area")
def area_item(
    request: Request,
    *,
    slug: str = Path(
        description="The last segment of the IRI: id/area/{slug}", examples=["data-och-information"]
    ),
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """The collaboration area ``{base}id/area/{slug}``."""
    ctx = _context(request, settings, store)
    return _one(ctx, _AREAS, f"{settings.base_iri}id/area/{slug}", lambda i, v: _area_item(ctx, i, v))


@router.get(
    "/infrastructures",
    response_model=Page[Infrastructure],
    summary="Infrastructures, filtered and paginated",
    responses={200: {"content": {"text/html": {}}}},
)
def infrastructures(
    request: Request,
    *,
    q: str | None = Q,
    kind: str | None = KIND,
    area: str | None = AREA,
    sector: str | None = Query(None, description="The sector of an organisation that operates it."),
    limit: int = LIMIT,
    offset: int = OFFSET,
    format: str | None = FORMAT,
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """Research and data infrastructures by kind, the areas they serve, and their operators' sector."""
    media = negotiated(request, ["application/json", "text/html"], format)
    ctx = _context(request, settings, store)
    bindings: dict[str, Term] = {}
    if kind:
        bindings["kind"] = _kind(ctx, kind, _INFRASTRUCTURE_KINDS)
    if area:
        bindings["area"] = _area(ctx, area)
    if sector:
        bindings["sector"] = _sector(ctx, sector)
    text = _INFRASTRUCTURES % {
        "kinds": _kinds_clause(ctx, _INFRASTRUCTURE_KINDS),
        "types": _LSKG_TYPES,
        "area": _PATTERNS["infrastructure.area"] if area else "",
        "sector": _PATTERNS["infrastructure.sector"] if sector else "",
    }
    items = _items(ctx, text, bindings, q, lambda i, v: _infrastructure(ctx, i, v))
    filters = [
        _select("kind", "Kind", kind, _kind_options(ctx, _INFRASTRUCTURE_KINDS)),
        _select("area", "Area", area, _area_options(ctx)),
        _text("q", "Label contains", q),
    ]
    return _respond(
        request,
        media,
        "Infrastructures",
        items,
        limit,
        offset,
        filters,
        ["Kind", "Areas"],
        _infrastructure_cells(ctx),
    )


@router.get("/infrastructures/{slug}", response_model=Infrastructure, summary="One infrastructure")
def infrastructure(
    request: Request,
    *,
    slug: str = Path(
        description="The last segment of the IRI: id/infrastructure/{slug}", examples=["biobanks"]
    ),
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """The infrastructure ``{base}id/infrastructure/{slug}``."""
    ctx = _context(request, settings, store)
    text = _INFRASTRUCTURES % {
        "kinds": _kinds_clause(ctx, _INFRASTRUCTURE_KINDS),
        "types": _LSKG_TYPES,
        "area": "",
        "sector": "",
    }
    return _one(
        ctx, text, f"{settings.base_iri}id/infrastructure/{slug}", lambda i, v: _infrastructure(ctx, i, v)
    )


# ---------------------------------------------------------------- building items

Values = dict[str, list[Term]]
Builder = Callable[[str, Values], Item]


def _group(table: Table) -> dict[str, Values]:
    """Rows grouped by ``?item``: each variable's distinct values, and labels as ``label:<property>``."""
    grouped: dict[str, Values] = {}
    for row in table.rows:
        values = grouped.setdefault(_iri(row["item"]), {})
        for var, term in row.items():
            if term is None or var in ("item", "lp", "label"):
                continue
            bucket = values.setdefault(var, [])
            if term not in bucket:
                bucket.append(term)
        lp, label = row.get("lp"), row.get("label")
        if lp is not None and label is not None:
            bucket = values.setdefault("label:" + _iri(lp), [])
            if label not in bucket:
                bucket.append(label)
    return grouped


def _items(
    ctx: _Context,
    text: str,
    bindings: Mapping[str, Term],
    q: str | None,
    build: Builder,
    key: Callable[[Item], Any] | None = None,
) -> list[Item]:
    grouped = _group(ctx.store.select(text, bindings))
    if q and q.strip():
        needle = fold(q.strip())
        grouped = {
            iri: values
            for iri, values in grouped.items()
            if any(
                needle in fold(_lexical(t))
                for name, terms in values.items()
                if name.startswith("label:")
                for t in terms
            )
        }
    ctx.fetch_names(_linked(grouped.values()))
    items = [build(iri, values) for iri, values in grouped.items()]
    items.sort(key=key or _label_order)
    return items


# The variables of the item queries whose values items link to by label (:meth:`_Context.ref`).
_LINKED = ("areas", "programmes", "operators", "orgs")


def _linked(groups: Iterable[Values]) -> set[str]:
    return {_iri(t) for values in groups for var in _LINKED for t in values.get(var, [])}


def _one(ctx: _Context, text: str, iri: str, build: Builder) -> Response:
    media = negotiated(ctx.request, ["application/json", "text/html"])
    if not entity_exists(ctx.store, iri):  # also refuses a slug that is no valid IRI
        raise NotFound(f"no such resource <{iri}> in this collection")
    grouped = _group(ctx.store.select(text, {"item": ox.NamedNode(iri)}))
    if iri not in grouped:
        raise NotFound(f"no such resource <{iri}> in this collection")
    if media == "text/html":
        # The resource's linked-data page is its HTML form.
        return RedirectResponse(local_path(iri, ctx.base) or "/", status_code=303, headers=VARY)
    ctx.fetch_names(_linked([grouped[iri]]))
    return JSONResponse(build(iri, grouped[iri]).model_dump(mode="json"), headers=VARY)


def _labels_of(values: Values, *properties: str) -> Labels:
    found: dict[str, list[str]] = {}
    for prop in properties:
        for term in values.get("label:" + prop, []):
            if isinstance(term, ox.Literal):
                found.setdefault(term.language or "", []).append(term.value)
    return _labels(found)


def _labels(found: Mapping[str, list[str]]) -> Labels:
    untagged = sorted(found.get("", []))
    en = sorted(found.get("en", [])) or untagged
    sv = sorted(found.get("sv", [])) or untagged
    return Labels(en=en[0] if en else None, sv=sv[0] if sv else None)


_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_FOAF = "http://xmlns.com/foaf/0.1/"


def _organisation(ctx: _Context, iri: str, values: Values) -> Organisation:
    sectors = [ctx.sectors[_iri(s)] for s in values.get("sector", []) if _iri(s) in ctx.sectors]
    return Organisation(
        iri=iri,
        labels=_labels_of(values, _RDFS + "label"),
        alt_labels=sorted({_lexical(t) for t in values.get("label:" + _SKOS + "altLabel", [])}),
        sector=sectors[0] if sectors else None,
        kinds=_kinds(values),
        areas=[ctx.ref(_iri(a)) for a in values.get("areas", [])],
        page=ctx.page(iri) or "",
    )


def _person(ctx: _Context, iri: str, values: Values) -> Person:
    sector_iris = {_iri(t) for t in [*values.get("orgSectors", []), *values.get("represents", [])]}
    return Person(
        iri=iri,
        labels=_labels_of(values, _RDFS + "label", _FOAF + "name"),
        sectors=[s for i, s in ctx.sectors.items() if i in sector_iris],
        organisations=sorted(
            (ctx.ref(_iri(o)) for o in values.get("orgs", [])), key=lambda r: fold(r.label.en or r.iri)
        ),
        page=ctx.page(iri) or "",
    )


def _area_item(ctx: _Context, iri: str, values: Values) -> Area:
    aims: dict[str, list[str]] = {}
    for term in values.get("aim", []):
        if isinstance(term, ox.Literal):
            aims.setdefault(term.language or "", []).append(term.value)
    notations = [_lexical(t) for t in values.get("notation", [])]
    return Area(
        iri=iri,
        labels=_labels_of(values, _SKOS + "prefLabel"),
        notation=notations[0] if notations else None,
        aim=_labels(aims),
        programmes=[ctx.ref(_iri(p)) for p in values.get("programmes", [])],
        page=ctx.page(iri) or "",
    )


def _infrastructure(ctx: _Context, iri: str, values: Values) -> Infrastructure:
    return Infrastructure(
        iri=iri,
        labels=_labels_of(values, _RDFS + "label"),
        kinds=_kinds(values),
        areas=[ctx.ref(_iri(a)) for a in values.get("areas", [])],
        operators=[ctx.ref(_iri(o)) for o in values.get("operators", [])],
        page=ctx.page(iri) or "",
    )


def _kinds(values: Values) -> list[str]:
    return sorted({_iri(t)[len(LSKG.NS) :] for t in values.get("types", []) if _iri(t).startswith(LSKG.NS)})


def _label_order(item: Item) -> tuple[str, str]:
    return (fold(item.labels.en or item.labels.sv or ""), item.iri)


def _area_order(item: Item) -> tuple[int, str]:
    notation = getattr(item, "notation", None) or ""
    return (int(notation) if notation.isdigit() else 1_000_000, _label_order(item)[0])


# ---------------------------------------------------------------- filter values


def _sector(ctx: _Context, value: str) -> ox.NamedNode:
    """A sector by notation (``industry``), local name (``SectorIndustry``) or IRI."""
    wanted = value.strip()
    for iri, sector in ctx.sectors.items():
        if wanted.casefold() in (sector.notation.casefold(), iri.casefold(), local_name(iri).casefold()):
            return ox.NamedNode(iri)
    known = ", ".join(s.notation for s in ctx.sectors.values())
    raise InputError(f"unknown sector {value!r}; use one of: {known} (or a sector IRI)")


def _kind(ctx: _Context, value: str, kinds_query: str) -> ox.NamedNode:
    """A kind by local name (``University``) or IRI, among the kinds ``kinds_query`` lists."""
    kinds = ctx.kinds(kinds_query)
    wanted = value.strip()
    for kind in kinds:
        if wanted in (kind, local_name(kind)) or wanted.casefold() == local_name(kind).casefold():
            return ox.NamedNode(kind)
    known = ", ".join(sorted(local_name(k) for k in kinds))
    raise InputError(f"unknown kind {value!r}; use one of: {known}")


def _kinds_clause(ctx: _Context, kinds_query: str) -> str:
    """``VALUES ?kind { … }`` listing the kinds ``kinds_query`` finds.

    The collection queries join their items with this list rather than with the class hierarchy
    itself: Virtuoso answers a join of a bound ``?kind`` with a subquery or property path over
    ``rdfs:subClassOf`` with only some of the items (and refuses a path between two variables).
    """
    return "VALUES ?kind { " + " ".join(str(ox.NamedNode(k)) for k in ctx.kinds(kinds_query)) + " }"


def _area(ctx: _Context, value: str) -> ox.NamedNode:
    """A collaboration area by slug, ``id/area/…`` path or IRI."""
    areas = [a for a in ctx.store.select(_AREA_LIST).column("area") if a]
    iri = _absolute(ctx.base, value, "area")
    if iri in areas:
        return ox.NamedNode(iri)
    known = ", ".join(local_name(a) for a in areas)
    raise InputError(f"unknown collaboration area {value!r}; use one of: {known}")


def _resource(ctx: _Context, value: str, default_type: str) -> ox.NamedNode:
    """A resource by slug (``{base}id/{default_type}/…``), ``id/…`` path or IRI that is in the graph."""
    iri = _absolute(ctx.base, value, default_type)
    if not entity_exists(ctx.store, iri):
        raise InputError(f"nothing in the graph is called <{iri}>")
    return ox.NamedNode(iri)


def _absolute(base: str, value: str, default_type: str) -> str:
    value = value.strip()
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
        iri = value
    elif value.startswith(("id/", "/id/")):
        iri = base + value.lstrip("/")
    else:
        iri = f"{base}id/{default_type}/{value}"
    if re.search(r'[\s<>"{}|\\^`]', iri):
        raise InputError(f"{value!r} is not a valid IRI or slug")
    return iri


# ---------------------------------------------------------------- responses


def _respond(
    request: Request,
    media: str,
    heading: str,
    items: list[Item],
    limit: int,
    offset: int,
    filters: list[dict[str, Any]],
    columns: list[str],
    cells: Callable[[Any], list[list[TermView]]],
) -> Response:
    total = len(items)
    shown = items[offset : offset + limit]
    following = (
        str(request.url.include_query_params(limit=limit, offset=offset + limit))
        if offset + limit < total
        else None
    )
    if media != "text/html":
        body = {
            "total": total,
            "limit": limit,
            "offset": offset,
            "next": following,
            "items": [i.model_dump(mode="json") for i in shown],
        }
        return JSONResponse(body, headers=VARY)
    previous = (
        str(request.url.include_query_params(limit=limit, offset=max(0, offset - limit)))
        if offset > 0
        else None
    )
    page = {
        "title": heading,
        "heading": heading,
        "path": request.url.path,
        "filters": filters,
        "total": total,
        "offset": offset,
        "columns": ["Name", *columns],
        "items": [
            {
                "path": _path(i.page) or i.iri,
                "label": i.labels.en or i.labels.sv or local_name(i.iri),
                "label_sv": i.labels.sv,
                "cells": cells(i),
            }
            for i in shown
        ],
        "next": following,
        "previous": previous,
        "json_link": str(request.url.include_query_params(format="json")),
    }
    return render(request, "collection.html", page)


def _ref_view(ctx: _Context, ref: Ref) -> TermView:
    text = ref.label.en or ref.label.sv or local_name(ref.iri)
    return TermView("iri", text, href=local_path(ref.iri, ctx.base) or ref.iri, title=ref.iri)


def _path(url: str | None) -> str | None:
    """The path of one of this server's URLs (the page links of items are absolute)."""
    match = re.match(r"^[a-z]+://[^/]+(/.*)$", url or "")
    return match.group(1) if match else None


def _sector_view(sector: Sector) -> TermView:
    return TermView(
        "iri", sector.label.en or sector.notation, href=local_path(sector.iri, LSKG.NS), title=sector.iri
    )


def _kind_view(kind: str) -> TermView:
    return TermView("iri", kind, href=f"/ontology#{kind}", title=LSKG.NS + kind)


def _org_cells(ctx: _Context) -> Callable[[Any], list[list[TermView]]]:
    def cells(item: Organisation) -> list[list[TermView]]:
        return [[_kind_view(k) for k in item.kinds], [_sector_view(item.sector)] if item.sector else []]

    return cells


def _person_cells(ctx: _Context) -> Callable[[Any], list[list[TermView]]]:
    def cells(item: Person) -> list[list[TermView]]:
        return [[_ref_view(ctx, o) for o in item.organisations], [_sector_view(s) for s in item.sectors]]

    return cells


def _area_cells(item: Area) -> list[list[TermView]]:
    aim = item.aim.en or item.aim.sv
    return [
        [TermView("literal", item.notation or "")],
        [TermView("literal", aim, lang="en" if item.aim.en else "sv")] if aim else [],
    ]


def _infrastructure_cells(ctx: _Context) -> Callable[[Any], list[list[TermView]]]:
    def cells(item: Infrastructure) -> list[list[TermView]]:
        return [[_kind_view(k) for k in item.kinds], [_ref_view(ctx, a) for a in item.areas]]

    return cells


def _select(name: str, label: str, value: str | None, options: list[tuple[str, str]]) -> dict[str, Any]:
    return {"name": name, "label": label, "value": value or "", "options": options}


def _text(name: str, label: str, value: str | None) -> dict[str, Any]:
    return {"name": name, "label": label, "value": value or "", "options": []}


def _kind_options(ctx: _Context, kinds_query: str) -> list[tuple[str, str]]:
    kinds = [k for k in ctx.kinds(kinds_query) if k.startswith(LSKG.NS)]
    ctx.fetch_names(kinds)
    return sorted(
        ((local_name(k), display_label(ctx.names.get(k, {})) or local_name(k)) for k in kinds),
        key=lambda o: o[1],
    )


def _area_options(ctx: _Context) -> list[tuple[str, str]]:
    areas = [a for a in ctx.store.select(_AREA_LIST).column("area") if a]
    ctx.fetch_names(areas)
    return [(local_name(a), display_label(ctx.names.get(a, {})) or local_name(a)) for a in areas]


def _iri(term: Term | None) -> str:
    assert isinstance(term, ox.NamedNode), term
    return term.value


def _lexical(term: Term) -> str:
    return term.value if isinstance(term, ox.Literal | ox.NamedNode) else str(term)
