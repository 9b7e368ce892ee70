"""JSON-LD with short keys: the published ``@context`` and a compacting writer for small graphs.

The context maps the usual prefixes (``lskg:``, ``org:``, ``skos:`` …) and gives a short term to
every property of the lskg ontology (``sector``, ``roleTitle`` …) and to the common properties
of the reused vocabularies (``label``, ``prefLabel``, ``member``, ``sameAs`` …). Object
properties are declared ``"@type": "@id"`` so that their values are plain IRI strings.

:func:`to_jsonld` writes a set of triples as one ``@graph`` of node objects under that context,
one node per subject, keys compacted to terms or CURIEs. Literals are written as value objects
(``{"@value": …, "@language": …}``) except plain strings, so a document means the same with or
without the context's coercions. Entity IRIs stay absolute: a remote context may not set
``@base`` (JSON-LD 1.1 ignores it there), and absolute IRIs survive copying.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from kg.paths import resource_dir
from kg.store import PREFIXES

__all__ = ["COMMON_TERMS", "context", "to_jsonld"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_OWL = "http://www.w3.org/2002/07/owl#"

# Short names for the properties of reused vocabularies that the data uses, and whether their
# values are IRIs. Names that two vocabularies share (rdf:subject, dcterms:subject) keep CURIEs.
COMMON_TERMS: dict[str, tuple[str, bool]] = {
    "label": ("rdfs:label", False),
    "comment": ("rdfs:comment", False),
    "subClassOf": ("rdfs:subClassOf", True),
    "subPropertyOf": ("rdfs:subPropertyOf", True),
    "domain": ("rdfs:domain", True),
    "range": ("rdfs:range", True),
    "prefLabel": ("skos:prefLabel", False),
    "altLabel": ("skos:altLabel", False),
    "definition": ("skos:definition", False),
    "note": ("skos:note", False),
    "notation": ("skos:notation", False),
    "inScheme": ("skos:inScheme", True),
    "topConceptOf": ("skos:topConceptOf", True),
    "hasTopConcept": ("skos:hasTopConcept", True),
    "closeMatch": ("skos:closeMatch", True),
    "name": ("foaf:name", False),
    "member": ("org:member", True),
    "organization": ("org:organization", True),
    "role": ("org:role", True),
    "headOf": ("org:headOf", True),
    "holds": ("org:holds", True),
    "heldBy": ("org:heldBy", True),
    "postIn": ("org:postIn", True),
    "hasMembership": ("org:hasMembership", True),
    "unitOf": ("org:unitOf", True),
    "hasSite": ("org:hasSite", True),
    "siteAddress": ("org:siteAddress", True),
    "linkedTo": ("org:linkedTo", True),
    "sameAs": ("schema:sameAs", True),
    "url": ("schema:url", True),
    "identifier": ("schema:identifier", False),
    "keywords": ("schema:keywords", False),
    "location": ("schema:location", True),
    "organizer": ("schema:organizer", True),
    "startDate": ("schema:startDate", False),
    "foundingDate": ("schema:foundingDate", False),
    "telephone": ("schema:telephone", False),
    "title": ("dcterms:title", False),
    "date": ("dcterms:date", False),
    "issued": ("dcterms:issued", False),
    "language": ("dcterms:language", False),
    "isPartOf": ("dcterms:isPartOf", True),
    "source": ("dcterms:source", True),
    "license": ("dcterms:license", True),
    "publisher": ("dcterms:publisher", True),
    "creator": ("dcterms:creator", True),
    "wasDerivedFrom": ("prov:wasDerivedFrom", True),
    "wasAssociatedWith": ("prov:wasAssociatedWith", True),
    "wasAttributedTo": ("prov:wasAttributedTo", True),
    "generated": ("prov:generated", True),
}


@functools.cache
def context() -> dict[str, Any]:
    """The lskg JSON-LD context document (``{"@context": {...}}``), as served at ``/context.jsonld``.

    Examples
    --------
    >>> ctx = context()["@context"]
    >>> ctx["sector"], ctx["label"], ctx["lskg"]
    ({'@id': 'lskg:sector', '@type': '@id'}, {'@id': 'rdfs:label'}, 'https://w3id.org/lskg/ontology#')
    """
    terms: dict[str, Any] = dict(sorted(PREFIXES.items()))
    for name, (curie, is_iri) in COMMON_TERMS.items():
        terms[name] = {"@id": curie, "@type": "@id"} if is_iri else {"@id": curie}
    for name, is_iri in sorted(_ontology_properties().items()):
        terms.setdefault(name, {"@id": f"lskg:{name}", "@type": "@id"} if is_iri else {"@id": f"lskg:{name}"})
    return {"@context": terms}


def to_jsonld(triples: Iterable[ox.Triple], context_url: str) -> dict[str, Any]:
    """A compacted JSON-LD document of ``triples`` that refers to the context at ``context_url``.

    Examples
    --------
    >>> t = ox.Triple(ox.NamedNode("https://w3id.org/lskg/id/org/vinnova"),
    ...               ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
    ...               ox.Literal("Vinnova", language="sv"))
    >>> to_jsonld([t], "https://example.org/context.jsonld")["@graph"]
    [{'@id': 'https://w3id.org/lskg/id/org/vinnova', 'label': {'@value': 'Vinnova', '@language': 'sv'}}]
    """
    keys = _keys()
    nodes: dict[str, dict[str, list[Any]]] = {}
    for triple in triples:
        subject = _id(triple.subject)
        node = nodes.setdefault(subject, {})
        predicate = triple.predicate.value
        if predicate == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            node.setdefault("@type", []).append(_curie(triple.object.value))
            continue
        key, coerced = keys.get(predicate) or (_curie(predicate), False)
        node.setdefault(key, []).append(_object(triple.object, coerced))
    graph = [
        {"@id": subject, **{key: values[0] if len(values) == 1 else values for key, values in node.items()}}
        for subject, node in nodes.items()
    ]
    return {"@context": context_url, "@graph": graph}


@functools.cache
def _keys() -> Mapping[str, tuple[str, bool]]:
    """Property IRI → (key, whether the key's values are coerced to IRIs)."""
    keys: dict[str, tuple[str, bool]] = {}
    for name, definition in context()["@context"].items():
        if isinstance(definition, dict):
            keys[_expand(definition["@id"])] = (name, definition.get("@type") == "@id")
    return keys


@functools.cache
def _ontology_properties() -> dict[str, bool]:
    """Local name → is-object-property, for every property the lskg ontology declares."""
    ns = PREFIXES["lskg"]
    found: dict[str, bool] = {}
    path = resource_dir("ontology") / "lskg.ttl"
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        if triple.predicate.value != RDF_TYPE or not isinstance(triple.subject, ox.NamedNode):
            continue
        if not triple.subject.value.startswith(ns) or not isinstance(triple.object, ox.NamedNode):
            continue
        kind = triple.object.value
        if kind in (_OWL + "ObjectProperty", _OWL + "DatatypeProperty"):
            found[triple.subject.value[len(ns) :]] = kind == _OWL + "ObjectProperty"
    return found


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else curie


def _curie(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local and not local.startswith("/") and ":" not in local:
            return f"{prefix}:{local}"
    return iri


def _id(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode):
        return term.value
    raise ValueError(f"{term} cannot be a JSON-LD node")


def _object(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, coerced: bool) -> Any:
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return {"@value": term.value} if coerced else term.value
        return {"@value": term.value, "@type": _curie(datatype)}
    return _id(term) if coerced else {"@id": _id(term)}
