"""Describe one resource of the graph: what it says, what points at it, and where each fact came from.

This is the library side of the linked-data pages (no web imports). For a resource IRI it
collects, with a bounded number of queries whose only input is the IRI (bound as a query
parameter, never spliced into the text):

- its types and labels (English, Swedish, untagged);
- every outgoing triple and every incoming link (reification links excluded), each with the
  provenance records that state it: an excerpt of a source document (file name and line
  range) or a web page (address and the date it was read);
- for a provenance record itself, the facts it states;
- labels of every resource it mentions, so that pages can show names instead of IRIs.

The number of queries does not grow with the size of the description: records, labels and
membership names are looked up for all the resources at once (a ``VALUES`` block of IRIs per
batch), about a dozen queries in all, which keeps a page cheap on a remote store too.

Its RDF form is the resource's *concise bounded description* (:func:`cbd`): the outgoing
triples plus the reified ``rdf:Statement`` of each of them with its ``prov:wasDerivedFrom``,
as in Stickler's CBD definition, which includes the reifications of the statements it holds.
The graph has no blank nodes, so nothing else is needed for the description to be complete.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.errors import NotFound
from kg.store import Store, Term
from kg.vocab import LSKG

__all__ = [
    "ONTOLOGY_IRI",
    "ONTOLOGY_SECTIONS",
    "SHAPES_NS",
    "Arc",
    "Description",
    "Hit",
    "OntologyTerm",
    "Record",
    "cbd",
    "describe",
    "describe_ontology",
    "display_label",
    "entity_exists",
    "fold",
    "labels",
    "labels_of",
    "local_name",
    "local_path",
    "search_labels",
]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCTERMS = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
ONTOLOGY_IRI = "https://w3id.org/lskg/ontology"
SHAPES_NS = "https://w3id.org/lskg/shapes#"
SAME_AS = (OWL + "sameAs", SCHEMA + "sameAs")

_PREFIXES = """
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf:    <http://xmlns.com/foaf/0.1/>
PREFIX org:     <http://www.w3.org/ns/org#>
PREFIX prov:    <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema:  <https://schema.org/>
PREFIX lskg:    <https://w3id.org/lskg/ontology#>
"""

# Oxigraph substitutes a bound value only for a variable the SELECT projects, so every query
# below projects ?entity even though the caller knows it. Each query is one basic graph
# pattern seeded by ?entity: Oxigraph evaluates a bound variable as a join, and a pattern in
# an OPTIONAL or a UNION branch would be evaluated over the whole store before that join.
_EXISTS = _PREFIXES + "ASK { { ?entity ?p ?o } UNION { ?s ?p ?entity } }"

_OUTGOING = _PREFIXES + "SELECT ?entity ?p ?o WHERE { ?entity ?p ?o } ORDER BY ?p ?o LIMIT 5001"

_OUTGOING_RECORDS = (
    _PREFIXES
    + """SELECT ?entity ?p ?o ?record WHERE {
  ?st rdf:subject ?entity ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?record .
}"""
)

# Reification links (statement → resource) are provenance, not links between resources.
_INCOMING = (
    _PREFIXES
    + """SELECT ?entity ?s ?p WHERE {
  ?s ?p ?entity .
  FILTER(?p NOT IN (rdf:subject, rdf:predicate, rdf:object, prov:wasDerivedFrom))
} ORDER BY ?p ?s LIMIT 5001"""
)

_INCOMING_RECORDS = (
    _PREFIXES
    + """SELECT ?entity ?s ?p ?record WHERE {
  ?st rdf:object ?entity ; rdf:subject ?s ; rdf:predicate ?p ; prov:wasDerivedFrom ?record .
}"""
)

_STATED = (
    _PREFIXES
    + """SELECT ?entity ?s ?p ?o WHERE {
  ?st prov:wasDerivedFrom ?entity ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
} ORDER BY ?s ?p ?o LIMIT 5001"""
)

_STATEMENTS = (
    _PREFIXES
    + "SELECT DISTINCT ?entity ?st ?sp ?so WHERE { ?st rdf:subject ?entity ; a rdf:Statement ; ?sp ?so }"
)

_LABELS = _PREFIXES + "SELECT ?entity ?label WHERE { ?entity rdfs:label|skos:prefLabel|foaf:name ?label }"

# The batched lookups of :class:`_Lookup`: ``%(values)s`` is a VALUES block of IRIs for ?entity.
_LABELS_OF = (
    _PREFIXES
    + "SELECT ?entity ?label WHERE { %(values)s ?entity rdfs:label|skos:prefLabel|foaf:name ?label }"
)

_RECORD_PROPERTIES = _PREFIXES + "SELECT ?entity ?p ?o WHERE { %(values)s ?entity ?p ?o }"

_FILE_NAME = _PREFIXES + "SELECT ?entity ?file WHERE { %(values)s ?entity lskg:fileName ?file }"

_TYPES = _PREFIXES + "SELECT ?entity ?type WHERE { %(values)s ?entity a ?type }"

# Memberships have no label of their own; they are named after member and organisation.
_MEMBERSHIP = (
    _PREFIXES
    + "SELECT ?entity ?member ?organisation WHERE { %(values)s "
    + "?entity org:member ?member ; org:organization ?organisation }"
)

_ROLE_TITLE = _PREFIXES + "SELECT ?entity ?title WHERE { %(values)s ?entity lskg:roleTitle ?title }"

_SEARCH = (
    _PREFIXES
    + """
SELECT ?x ?lp ?label ?type WHERE {
  VALUES ?lp { rdfs:label skos:prefLabel foaf:name skos:altLabel }
  ?x ?lp ?label .
  FILTER(isIRI(?x))
  OPTIONAL { ?x a ?type }
}
"""
)


@dataclass(frozen=True)
class Record:
    """A provenance record: an excerpt (file and line range) or a web page (address and date read).

    Examples
    --------
    >>> str(Record("x", file_name="000_cfe27d1b3417dce0.txt", start_line=50, end_line=50))
    '000_cfe27d1b3417dce0.txt, lines 50–50'
    >>> str(Record("w", url="https://sv.wikipedia.org/wiki/X", read_on="2026-11-24"))
    'https://sv.wikipedia.org/wiki/X (read 2026-11-24)'
    """

    iri: str
    document: str | None = None
    file_name: str | None = None
    start_line: int | None = None
    end_line: int | None = None
    url: str | None = None
    read_on: str | None = None

    @property
    def kind(self) -> str:
        """``web`` for a web page, ``excerpt`` for lines of a source document."""
        return "web" if self.url else "excerpt"

    @property
    def lines(self) -> str:
        """The line range as people write it (``lines 50–52``), or an empty string."""
        if self.start_line is None:
            return ""
        return f"lines {self.start_line}–{self.end_line if self.end_line is not None else self.start_line}"

    def __str__(self) -> str:
        if self.url:
            return f"{self.url} (read {self.read_on})" if self.read_on else self.url
        where = self.file_name or (local_name(self.document) if self.document else local_name(self.iri))
        return f"{where}, {self.lines}" if self.lines else where


@dataclass(frozen=True)
class Arc:
    """One triple touching the described resource, with the records that state it."""

    subject: Term
    predicate: ox.NamedNode
    object: Term
    records: tuple[Record, ...] = ()


@dataclass
class Description:
    """What the graph says about one resource; see :func:`describe`.

    ``names`` maps the IRI of every resource the description mentions (including the
    resource itself) to its labels by language tag (``""`` for untagged labels).
    """

    iri: str
    types: list[str] = field(default_factory=list)
    outgoing: list[Arc] = field(default_factory=list)
    incoming: list[Arc] = field(default_factory=list)
    stated: list[Arc] = field(default_factory=list)
    names: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    truncated: bool = False

    @property
    def labels(self) -> dict[str, list[str]]:
        """The resource's own labels by language tag."""
        return self.names.get(self.iri, {})

    def label(self, lang: str = "en") -> str:
        """The best label of the resource in ``lang`` (falling back to other languages, then the IRI)."""
        return self.name(self.iri, lang)

    def name(self, iri: str, lang: str = "en") -> str:
        """The best label of any resource the description mentions."""
        return display_label(self.names.get(iri, {}), lang) or local_name(iri)

    @property
    def same_as(self) -> list[str]:
        """External identifiers: objects of ``owl:sameAs`` and ``schema:sameAs``."""
        return sorted(
            {
                str(arc.object.value)
                for arc in self.outgoing
                if arc.predicate.value in SAME_AS and isinstance(arc.object, ox.NamedNode)
            }
        )

    @property
    def records(self) -> list[Record]:
        """Every distinct provenance record of the outgoing and incoming facts."""
        seen: dict[str, Record] = {}
        for arc in [*self.outgoing, *self.incoming]:
            for record in arc.records:
                seen.setdefault(record.iri, record)
        return sorted(seen.values(), key=lambda r: (r.kind, str(r)))


@dataclass(frozen=True)
class Hit:
    """A label search result."""

    iri: str
    label: str
    matched: str
    types: tuple[str, ...]


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or the last ``/``).

    Examples
    --------
    >>> local_name("https://w3id.org/lskg/ontology#University")
    'University'
    >>> local_name("https://w3id.org/lskg/id/excerpt/cfe27d1b3417dce0/L64")
    'L64'
    """
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


def local_path(iri: str, base_iri: str) -> str | None:
    """The path on this server where ``iri`` dereferences, or ``None`` for an external IRI.

    Ontology terms live at ``/ontology#Term`` and shapes at ``/shapes#Shape`` whatever the
    base; instance IRIs ``{base}id/...``, graphs and the dataset map to the same path here.

    Examples
    --------
    >>> local_path("https://w3id.org/lskg/id/org/vinnova", "https://w3id.org/lskg/")
    '/id/org/vinnova'
    >>> local_path("https://w3id.org/lskg/ontology#Company", "http://localhost:8000/")
    '/ontology#Company'
    >>> local_path("http://www.wikidata.org/entity/Q145", "https://w3id.org/lskg/") is None
    True
    """
    if iri.startswith(LSKG.NS):
        return "/ontology#" + iri[len(LSKG.NS) :]
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    if iri.startswith(SHAPES_NS):
        return "/shapes#" + iri[len(SHAPES_NS) :]
    if iri.startswith(base_iri) and len(iri) > len(base_iri):
        return "/" + iri[len(base_iri) :]
    return None


def display_label(labels: Mapping[str, list[str]], lang: str = "en") -> str:
    """The label to show: in ``lang``, else English, Swedish, untagged, any; ``""`` if none.

    Examples
    --------
    >>> display_label({"sv": ["Regeringen"], "en": ["Government of Sweden"]}, "sv")
    'Regeringen'
    >>> display_label({"sv": ["Regeringen"]}, "en")
    'Regeringen'
    """
    for tag in (lang, "en", "sv", ""):
        if labels.get(tag):
            return sorted(labels[tag])[0]
    for values in labels.values():
        if values:
            return sorted(values)[0]
    return ""


def fold(text: str) -> str:
    """Text folded for matching: case and diacritics removed.

    Examples
    --------
    >>> fold("Linköping Universitet") == fold("linkoping universitet")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def entity_exists(store: Store, iri: str) -> bool:
    """True if ``iri`` is the subject or the object of any triple (never for a malformed IRI)."""
    try:
        entity = ox.NamedNode(iri)
    except ValueError:
        return False
    return bool(store.query(_EXISTS, bindings={"entity": entity}))


def describe(store: Store, iri: str, limit: int = 500) -> Description:
    """Collect the description of ``iri``: types, outgoing and incoming arcs with provenance, labels.

    At most ``limit`` arcs are kept in each direction; ``truncated`` says whether any were cut.
    Raises :class:`~kg.errors.NotFound` when no triple mentions ``iri``.

    Examples
    --------
    >>> s = _example_store()
    >>> d = describe(s, "https://w3id.org/lskg/id/org/vinnova")
    >>> d.label(), [str(r) for arc in d.outgoing for r in arc.records][:1]
    ('Vinnova', ['000_x.txt, lines 7–7'])
    """
    node = ox.NamedNode(iri)
    if not entity_exists(store, iri):
        raise NotFound(f"nothing in the graph is called <{iri}>")
    bind = {"entity": node}
    lookup = _Lookup(store)

    out_rows = store.select(_OUTGOING, bind).rows
    out_records = store.select(_OUTGOING_RECORDS, bind).rows
    in_rows = store.select(_INCOMING, bind).rows
    in_records = store.select(_INCOMING_RECORDS, bind).rows
    lookup.fetch_records(_value(row["record"]) for row in [*out_records, *in_records])

    outgoing: dict[tuple[ox.NamedNode, Term], list[Record]] = {
        (_named(row["p"]), _term(row["o"])): [] for row in out_rows
    }
    for row in out_records:
        key = (_named(row["p"]), _term(row["o"]))
        if key in outgoing:
            outgoing[key].append(lookup.record(_value(row["record"])))
    incoming: dict[tuple[Term, ox.NamedNode], list[Record]] = {
        (_term(row["s"]), _named(row["p"])): [] for row in in_rows
    }
    for row in in_records:
        key2 = (_term(row["s"]), _named(row["p"]))
        if key2 in incoming:
            incoming[key2].append(lookup.record(_value(row["record"])))
    stated = [
        Arc(_term(row["s"]), _named(row["p"]), _term(row["o"])) for row in store.select(_STATED, bind).rows
    ]

    description = Description(iri)
    description.truncated = max(len(outgoing), len(incoming), len(stated)) > limit
    description.outgoing = [
        Arc(node, p, o, tuple(sorted(recs, key=str))) for (p, o), recs in list(outgoing.items())[:limit]
    ]
    description.incoming = [
        Arc(s, p, node, tuple(sorted(recs, key=str))) for (s, p), recs in list(incoming.items())[:limit]
    ]
    description.stated = stated[:limit]
    description.types = sorted(
        str(arc.object.value)
        for arc in description.outgoing
        if arc.predicate.value == RDF + "type" and isinstance(arc.object, ox.NamedNode)
    )
    arcs = [*description.outgoing, *description.incoming, *description.stated]
    # Properties are only ever named by their labels; resources may be memberships or records.
    predicates = sorted({arc.predicate.value for arc in arcs})
    mentioned = {iri} | {
        t.value for arc in arcs for t in (arc.subject, arc.object) if isinstance(t, ox.NamedNode)
    }
    mentioned.update(r.iri for arc in arcs for r in arc.records)
    lookup.fetch_labels([*predicates, *mentioned])
    for predicate in predicates:
        if found := lookup.labels(predicate):
            description.names[predicate] = found
    description.names.update(lookup.names(mentioned))
    return description


def labels(store: Store, iri: str) -> dict[str, list[str]]:
    """The labels (``rdfs:label``, ``skos:prefLabel``, ``foaf:name``) of one resource by language tag.

    Examples
    --------
    >>> labels(_example_store(), "https://w3id.org/lskg/id/org/vinnova")
    {'en': ['Vinnova']}
    """
    found: dict[str, list[str]] = {}
    for row in store.select(_LABELS, {"entity": ox.NamedNode(iri)}).rows:
        label = row["label"]
        if isinstance(label, ox.Literal) and label.value not in found.get(label.language or "", []):
            found.setdefault(label.language or "", []).append(label.value)
    return found


def cbd(store: Store, iri: str) -> list[ox.Triple]:
    """The concise bounded description of ``iri``: its outgoing triples, then the reified
    statements of those triples (type, subject, predicate, object and ``prov:wasDerivedFrom``).

    Raises :class:`~kg.errors.NotFound` when no triple mentions ``iri``.

    Examples
    --------
    >>> triples = cbd(_example_store(), "https://w3id.org/lskg/id/org/vinnova")
    >>> len(triples), str(triples[0].predicate)
    (6, '<http://www.w3.org/2000/01/rdf-schema#label>')
    """
    node = ox.NamedNode(iri)
    if not entity_exists(store, iri):
        raise NotFound(f"nothing in the graph is called <{iri}>")
    bind = {"entity": node}
    own = sorted(
        (ox.Triple(node, _named(r["p"]), _term(r["o"])) for r in store.select(_OUTGOING, bind).rows),
        key=_triple_key,
    )
    statements = store.select(_STATEMENTS, bind).rows
    reified = sorted(
        (ox.Triple(_subject(r["st"]), _named(r["sp"]), _term(r["so"])) for r in statements), key=_triple_key
    )
    return list(dict.fromkeys([*own, *reified]))


def search_labels(store: Store, text: str, limit: int = 50, lang: str = "en") -> list[Hit]:
    """Resources whose label, preferred, alternative label or name contains ``text``.

    Matching ignores case and diacritics (``linkoping`` finds *Linköping University*); exact
    matches come first, then labels that start with the text, then the rest, by label.

    Examples
    --------
    >>> [h.label for h in search_labels(_example_store(), "VINN")]
    ['Vinnova']
    """
    needle = fold(text.strip())
    if not needle:
        return []
    labels: dict[str, dict[str, list[str]]] = {}
    matched: dict[str, str] = {}
    types: dict[str, set[str]] = {}
    for row in store.select(_SEARCH).rows:
        iri = _value(row["x"])
        label = row["label"]
        assert isinstance(label, ox.Literal)
        shown = labels.setdefault(iri, {})
        # Alternative labels are searched but never shown as the name.
        if _value(row["lp"]) != SKOS + "altLabel" and label.value not in shown.get(label.language or "", []):
            shown.setdefault(label.language or "", []).append(label.value)
        if row.get("type") is not None:
            types.setdefault(iri, set()).add(_value(row["type"]))
        folded = fold(label.value)
        if needle in folded:
            rank = 0 if folded == needle else 1 if folded.startswith(needle) else 2
            best = matched.get(iri)
            if best is None or (rank, label.value) < (_rank(fold(best), needle), best):
                matched[iri] = label.value
    hits = [
        Hit(iri, display_label(labels[iri], lang) or local_name(iri), text, tuple(sorted(types.get(iri, ()))))
        for iri, text in matched.items()
    ]
    hits.sort(key=lambda h: (_rank(fold(h.matched), needle), fold(h.label), h.iri))
    return hits[:limit]


ONTOLOGY_SECTIONS = ("Classes", "Object properties", "Datatype properties", "Concept schemes", "Concepts")
_SECTION_KINDS = (OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty", SKOS + "ConceptScheme")


@dataclass
class OntologyTerm:
    """One term of the lskg ontology as the ontology page shows it."""

    iri: str
    name: str
    kinds: list[str] = field(default_factory=list)
    labels: dict[str, list[str]] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, list[Term]] = field(default_factory=dict)
    subclasses: list[str] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)

    @property
    def section(self) -> str:
        """Which section of the page the term belongs in (one of :data:`ONTOLOGY_SECTIONS`)."""
        for kind, section in zip(_SECTION_KINDS, ONTOLOGY_SECTIONS, strict=False):
            if kind in self.kinds:
                return section
        return ONTOLOGY_SECTIONS[-1]


def describe_ontology(store: Store, graph: str) -> tuple[dict[str, list[Term]], list[OntologyTerm]]:
    """The ontology header (property IRI → values) and every ``lskg:`` term, sorted by name.

    ``graph`` is the named graph that holds the ontology (``{base}graph/ontology``).
    """
    header: dict[str, list[Term]] = {}
    terms: dict[str, OntologyTerm] = {}
    for quad in store.quads(graph):
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if isinstance(subject, ox.NamedNode) and subject.value == ONTOLOGY_IRI:
            header.setdefault(predicate, []).append(obj)
            continue
        if not (isinstance(subject, ox.NamedNode) and subject.value.startswith(LSKG.NS)):
            # A class of another vocabulary declared a subclass of an lskg class.
            if isinstance(subject, ox.NamedNode) and _is_lskg_superclass(predicate, obj):
                assert isinstance(obj, ox.NamedNode)
                _term_of(terms, obj.value).subclasses.append(subject.value)
            continue
        term = _term_of(terms, subject.value)
        if predicate == RDF + "type" and isinstance(obj, ox.NamedNode):
            term.kinds.append(obj.value)
            if obj.value.startswith(LSKG.NS):
                _term_of(terms, obj.value).instances.append(subject.value)
        elif predicate in (RDFS + "label", SKOS + "prefLabel") and isinstance(obj, ox.Literal):
            term.labels.setdefault(obj.language or "", []).append(obj.value)
        elif predicate in (RDFS + "comment", SKOS + "definition") and isinstance(obj, ox.Literal):
            term.comments.setdefault(obj.language or "", []).append(obj.value)
        else:
            term.values.setdefault(predicate, []).append(obj)
            if _is_lskg_superclass(predicate, obj):
                assert isinstance(obj, ox.NamedNode)
                _term_of(terms, obj.value).subclasses.append(subject.value)
    for term in terms.values():
        term.subclasses.sort()
        term.instances.sort()
        for values in term.values.values():
            values.sort(key=str)
    return header, sorted(terms.values(), key=lambda t: (ONTOLOGY_SECTIONS.index(t.section), t.name))


def _is_lskg_superclass(predicate: str, obj: Term) -> bool:
    return (
        predicate == RDFS + "subClassOf" and isinstance(obj, ox.NamedNode) and obj.value.startswith(LSKG.NS)
    )


def _term_of(terms: dict[str, OntologyTerm], iri: str) -> OntologyTerm:
    if iri not in terms:
        terms[iri] = OntologyTerm(iri, iri[len(LSKG.NS) :] if iri.startswith(LSKG.NS) else local_name(iri))
    return terms[iri]


def _rank(folded: str, needle: str) -> int:
    return 0 if folded == needle else 1 if folded.startswith(needle) else 2


class _Lookup:
    """Labels, records and membership names of many resources, looked up in batches and remembered.

    Each lookup is one query per batch of resources (a ``VALUES`` block of IRIs), not one per
    resource: a description that mentions a hundred resources costs a handful of queries, which
    matters most when every query is a round trip to a remote store.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._labels: dict[str, dict[str, list[str]]] = {}
        self._records: dict[str, Record] = {}

    def labels(self, iri: str) -> dict[str, list[str]]:
        """The labels of ``iri`` (looked up now unless :meth:`fetch_labels` already did)."""
        if iri not in self._labels:
            self.fetch_labels([iri])
        return self._labels[iri]

    def fetch_labels(self, iris: Iterable[str]) -> None:
        """Look up the labels of every IRI in ``iris`` not looked up yet."""
        wanted = sorted({i for i in iris if i not in self._labels})
        self._labels.update(labels_of(self.store, wanted))

    def record(self, iri: str) -> Record:
        """The provenance record ``iri``: its document, file and lines, or its address and date."""
        if iri not in self._records:
            self.fetch_records([iri])
        return self._records[iri]

    def fetch_records(self, iris: Iterable[str]) -> None:
        """Resolve every record in ``iris`` not resolved yet (two queries per batch)."""
        wanted = sorted({i for i in iris if i not in self._records})
        props: dict[str, dict[str, Term]] = {iri: {} for iri in wanted}
        for row in _select_values(self.store, _RECORD_PROPERTIES, wanted):
            props[_value(row["entity"])].setdefault(_value(row["p"]), _term(row["o"]))
        documents = sorted({d for p in props.values() if (d := _optional(p.get(DCTERMS + "isPartOf")))})
        files: dict[str, str] = {}
        for row in _select_values(self.store, _FILE_NAME, documents):
            files.setdefault(_value(row["entity"]), _value(row["file"]))
        for iri in wanted:
            found = props[iri]
            document = _optional(found.get(DCTERMS + "isPartOf"))
            self._records[iri] = Record(
                iri,
                document=document,
                file_name=files.get(document) if document else None,
                start_line=_int(found.get(LSKG.startLine.value)),
                end_line=_int(found.get(LSKG.endLine.value)),
                url=_optional(found.get(SCHEMA + "url")),
                read_on=_optional(found.get(DCTERMS + "date")),
            )

    def names(self, iris: Iterable[str]) -> dict[str, dict[str, list[str]]]:
        """Labels of each of ``iris`` that has a name; a membership is named after its member and
        organisation, and a provenance record after its file and lines (or address and date)."""
        iris = sorted(set(iris))
        self.fetch_labels(iris)
        named = {iri: self._labels[iri] for iri in iris if self._labels[iri]}
        unnamed = [iri for iri in iris if iri not in named]
        memberships: dict[str, tuple[str, str]] = {}
        for row in _select_values(self.store, _MEMBERSHIP, unnamed):
            memberships.setdefault(
                _value(row["entity"]), (_value(row["member"]), _value(row["organisation"]))
            )
        if memberships:
            titles: dict[str, dict[str, list[str]]] = {}
            for row in _select_values(self.store, _ROLE_TITLE, sorted(memberships)):
                title = row["title"]
                if isinstance(title, ox.Literal):
                    by_lang = titles.setdefault(_value(row["entity"]), {})
                    by_lang.setdefault(title.language or "", []).append(title.value)
            self.fetch_labels(i for pair in memberships.values() for i in pair)
            for iri, (member, organisation) in memberships.items():
                named[iri] = {}
                for lang in ("en", "sv"):
                    who = display_label(self._labels[member], lang) or local_name(member)
                    where = display_label(self._labels[organisation], lang) or local_name(organisation)
                    role = display_label(titles.get(iri, {}), lang)
                    named[iri][lang] = [f"{who} – {where}" + (f" ({role})" if role else "")]
        rest = [iri for iri in unnamed if iri not in memberships]
        records = sorted(
            {
                _value(row["entity"])
                for row in _select_values(self.store, _TYPES, rest)
                if _value(row["type"]) in (LSKG.Excerpt.value, LSKG.WebSource.value)
            }
        )
        self.fetch_records(records)
        for iri in records:
            named[iri] = {"": [str(self._records[iri])]}
        return named


# IRIs per VALUES block: long enough to keep round trips few, short enough for any endpoint.
_BATCH = 200


def _select_values(store: Store, query: str, iris: Iterable[str]) -> list[dict[str, Term | None]]:
    """The rows of ``query`` (whose text has a ``%(values)s`` slot for ``?entity``) for every
    IRI of ``iris``, in batches of :data:`_BATCH`.

    The IRIs go into a ``VALUES`` block as :class:`pyoxigraph.NamedNode` terms written in their
    N-Triples form, which cannot break out of the block (an invalid IRI is refused when the node
    is made, before any query text is built).
    """
    iris = list(iris)
    rows: list[dict[str, Term | None]] = []
    for start in range(0, len(iris), _BATCH):
        terms = " ".join(str(ox.NamedNode(iri)) for iri in iris[start : start + _BATCH])
        rows += store.select(query % {"values": f"VALUES ?entity {{ {terms} }}"}).rows
    return rows


def labels_of(store: Store, iris: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    """The labels of many resources at once: IRI → language tag → labels (see :func:`labels`).

    Every IRI of ``iris`` is a key of the answer, with ``{}`` if it has no label.

    Examples
    --------
    >>> labels_of(_example_store(), ["https://w3id.org/lskg/id/org/vinnova", "https://e.org/x"])
    {'https://w3id.org/lskg/id/org/vinnova': {'en': ['Vinnova']}, 'https://e.org/x': {}}
    """
    found: dict[str, dict[str, list[str]]] = {iri: {} for iri in iris}
    for row in _select_values(store, _LABELS_OF, found):
        label = row["label"]
        if isinstance(label, ox.Literal):
            by_lang = found[_value(row["entity"])].setdefault(label.language or "", [])
            if label.value not in by_lang:
                by_lang.append(label.value)
    return found


def _triple_key(triple: ox.Triple) -> tuple[str, str, str]:
    return (str(triple.subject), str(triple.predicate), str(triple.object))


def _value(term: Term | None) -> str:
    assert term is not None and not isinstance(term, ox.Triple)
    return str(term.value)


def _optional(term: Term | None) -> str | None:
    return None if term is None else _value(term)


def _int(term: Term | None) -> int | None:
    if term is None:
        return None
    try:
        return int(_value(term))
    except ValueError:
        return None


def _term(term: Term | None) -> Term:
    assert term is not None
    return term


def _named(term: Term | None) -> ox.NamedNode:
    assert isinstance(term, ox.NamedNode)
    return term


def _subject(term: Term | None) -> ox.NamedNode | ox.BlankNode:
    assert isinstance(term, ox.NamedNode | ox.BlankNode)
    return term


def _example_store() -> Store:
    """A two-fact store with provenance, for the examples in the docstrings."""
    from kg.store import OxigraphStore

    base = "https://w3id.org/lskg/"
    vinnova = ox.NamedNode(base + "id/org/vinnova")
    label = ox.NamedNode(RDFS + "label")
    excerpt = ox.NamedNode(base + "id/excerpt/x/L7")
    doc = ox.NamedNode(base + "id/source/x")
    facts = ox.NamedNode(base + "graph/s")
    prov = ox.NamedNode(base + "graph/s/provenance")
    st = ox.NamedNode(base + "id/statement/1")
    quads: Iterable[ox.Quad] = [
        ox.Quad(vinnova, label, ox.Literal("Vinnova", language="en"), facts),
        ox.Quad(st, ox.NamedNode(RDF + "type"), ox.NamedNode(RDF + "Statement"), prov),
        ox.Quad(st, ox.NamedNode(RDF + "subject"), vinnova, prov),
        ox.Quad(st, ox.NamedNode(RDF + "predicate"), label, prov),
        ox.Quad(st, ox.NamedNode(RDF + "object"), ox.Literal("Vinnova", language="en"), prov),
        ox.Quad(st, ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), excerpt, prov),
        ox.Quad(excerpt, ox.NamedNode("http://purl.org/dc/terms/isPartOf"), doc, prov),
        ox.Quad(excerpt, LSKG.startLine, ox.Literal("7", datatype=ox.NamedNode(XSD_INTEGER)), prov),
        ox.Quad(excerpt, LSKG.endLine, ox.Literal("7", datatype=ox.NamedNode(XSD_INTEGER)), prov),
        ox.Quad(doc, LSKG.fileName, ox.Literal("000_x.txt"), facts),
    ]
    return OxigraphStore.from_quads(quads)


XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
