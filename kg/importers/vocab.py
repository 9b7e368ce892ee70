"""What an importer needs to know about the lskg ontology, read from ``ontology/lskg.ttl``.

Organisation kinds, sectors, infrastructure kinds and role statuses are looked up by their
local name or their English or Swedish label, so a sheet may say ``University``,
``universitet`` or ``Government agency``. Nothing here is a second copy of the ontology: the
tables are computed from it, once per process.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox

from kg.paths import resource_dir
from kg.vocab import LSKG

__all__ = [
    "DCTERMS",
    "FOAF",
    "ORG",
    "OWL",
    "RDF",
    "RDFS",
    "ROR",
    "SCHEMA",
    "SKOS",
    "WD",
    "XSD",
    "Vocabulary",
    "lookup_key",
    "vocabulary",
]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
WD = "http://www.wikidata.org/entity/"
ROR = "https://ror.org/"

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def lookup_key(text: str) -> str:
    """A spelling-insensitive key: casefolded, without diacritics, spaces or punctuation.

    Examples
    --------
    >>> lookup_key("Government agency"), lookup_key("Företag"), lookup_key("civil-society")
    ('governmentagency', 'foretag', 'civilsociety')
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub("", ascii_only)


@dataclass(frozen=True)
class Vocabulary:
    """Lookup tables computed from the ontology (keys are :func:`lookup_key` forms)."""

    org_kinds: dict[str, str]
    group_kinds: frozenset[str]
    organisation_classes: frozenset[str]
    infrastructure_kinds: dict[str, str]
    sectors: dict[str, str]
    sector_notations: dict[str, str]
    sector_by_ror_type: dict[str, str]
    role_statuses: dict[str, str]

    def kind_names(self, table: dict[str, str]) -> list[str]:
        """The local names of the classes in ``table``, sorted, for error messages."""
        return sorted({iri.rsplit("#", 1)[-1] for iri in table.values()})


@functools.cache
def vocabulary() -> Vocabulary:
    """Read the ontology once and build the lookup tables."""
    quads = ox.parse(path=str(resource_dir("ontology") / "lskg.ttl"), format=ox.RdfFormat.TURTLE)
    parents: dict[str, set[str]] = {}
    labels: dict[str, set[str]] = {}
    notations: dict[str, str] = {}
    instances: dict[str, set[str]] = {}
    close_match: dict[str, str] = {}
    for q in quads:
        s, p, o = q.subject, q.predicate.value, q.object
        if not isinstance(s, ox.NamedNode):
            continue
        if p == RDFS + "subClassOf" and isinstance(o, ox.NamedNode):
            parents.setdefault(s.value, set()).add(o.value)
        elif p in (RDFS + "label", SKOS + "prefLabel") and isinstance(o, ox.Literal):
            labels.setdefault(s.value, set()).add(o.value)
        elif p == SKOS + "notation" and isinstance(o, ox.Literal):
            notations[s.value] = o.value
        elif p == RDF + "type" and isinstance(o, ox.NamedNode):
            instances.setdefault(o.value, set()).add(s.value)
        elif p == SKOS + "closeMatch" and isinstance(o, ox.NamedNode):
            close_match[s.value] = o.value

    def ancestors(cls: str) -> set[str]:
        seen: set[str] = set()
        todo = [cls]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def keyed(iris: set[str]) -> dict[str, str]:
        table: dict[str, str] = {}
        for iri in sorted(iris):
            for name in {iri.rsplit("#", 1)[-1], *labels.get(iri, ())}:
                table.setdefault(lookup_key(name), iri)
        return table

    lskg_classes = {c for c in parents if c.startswith(LSKG.NS)}
    organisations = {c for c in lskg_classes if ORG + "Organization" in ancestors(c)}
    groups = {c for c in organisations if c == LSKG.Group.value or LSKG.Group.value in ancestors(c)}
    infrastructures = {LSKG.Infrastructure.value} | {
        c for c in lskg_classes if LSKG.Infrastructure.value in ancestors(c)
    }
    sectors = instances.get(LSKG.Sector.value, set())
    sector_table = keyed(sectors)
    for sector in sectors:
        if sector in notations:
            sector_table[lookup_key(notations[sector])] = sector
    ror_types = {notations[c]: s for s, c in close_match.items() if s in sectors and c in notations}
    statuses = instances.get(LSKG.RoleStatus.value, set())
    status_table = keyed(statuses)
    for status in statuses:
        # "current" and "former" as well as the prefLabels "Current"/"Nuvarande".
        status_table.setdefault(lookup_key(status.rsplit("#", 1)[-1].removesuffix("Role")), status)
    return Vocabulary(
        org_kinds=keyed(organisations),
        group_kinds=frozenset(groups),
        organisation_classes=frozenset(organisations | {ORG + "Organization"}),
        infrastructure_kinds=keyed(infrastructures),
        sectors=sector_table,
        sector_notations={s: notations[s] for s in sectors if s in notations},
        sector_by_ror_type=ror_types,
        role_statuses=status_table,
    )
