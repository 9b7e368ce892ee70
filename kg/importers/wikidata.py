"""Organisations and people from Wikidata entity JSON (the Wikibase JSON format).

Accepts ``Special:EntityData`` answers (``{"entities": {"Q…": {...}}}``), an array of entities
or one entity. The mapping (documented in ``docs/importing.md``):

- the item id → ``schema:sameAs wd:Q…``;
- ``labels.en``/``labels.sv`` → ``rdfs:label`` (``foaf:name`` too for a person);
  ``aliases.en``/``aliases.sv`` → ``skos:altLabel``;
- ``claims.P31`` (instance of) → a person (Q5) or an organisation kind (table below);
- ``claims.P6782`` (ROR ID) → ``schema:sameAs <https://ror.org/…>``;
- ``claims.P6460`` (Swedish Organization Number) → ``schema:identifier "NNNNNN-NNNN"``;
- ``claims.P571`` (inception) → ``schema:foundingDate`` at the value's precision;
- ``claims.P856`` (official website) → ``foaf:homepage``.

Only statements with a value that are not deprecated are read. The property ids were checked
against Wikidata's documentation: P6782 is "ROR ID", P6460 "Swedish Organization Number".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.importers.common import Draft, triple
from kg.importers.identifiers import parse_org_number, parse_ror
from kg.importers.jsonrecords import JsonRecord, read_json_records
from kg.importers.vocab import FOAF, ORG, RDF, RDFS, ROR, SCHEMA, SKOS, WD, XSD
from kg.vocab import LSKG

__all__ = [
    "INSTANCE_KINDS",
    "KIND_SECTORS",
    "PATH_FIELDS",
    "looks_like_wikidata",
    "map_wikidata",
    "read_wikidata",
]

HUMAN = "Q5"
# instance of (P31) → lskg kind. Only classes whose ids were confirmed are listed; an item of
# another class is reported with its P31 values so that a person can add it here.
INSTANCE_KINDS: dict[str, str] = {
    "Q3918": LSKG.University.value,  # university
    "Q4830453": LSKG.Company.value,  # business
    "Q783794": LSKG.Company.value,  # company
    "Q327333": LSKG.GovernmentAgency.value,  # government agency
    "Q163740": LSKG.NonProfitOrganisation.value,  # nonprofit organization
    "Q16917": LSKG.CareProvider.value,  # hospital
}
# The sector an organisation of a kind belongs to when the source does not say (the curated
# data's own reading of each kind).
KIND_SECTORS: dict[str, str] = {
    LSKG.University.value: LSKG.SectorAcademia.value,
    LSKG.Company.value: LSKG.SectorIndustry.value,
    LSKG.GovernmentAgency.value: LSKG.SectorPublic.value,
    LSKG.NonProfitOrganisation.value: LSKG.SectorCivilSociety.value,
    LSKG.CareProvider.value: LSKG.SectorHealthcare.value,
}
PATH_FIELDS = {"rdfs:label": "labels", "lskg:sector": "claims.P31", "schema:sameAs|schema:identifier": "id"}
_PRECISION = {9: ("gYear", 4), 10: ("gYearMonth", 7), 11: ("date", 10)}


def looks_like_wikidata(document: Any) -> bool:
    """True for Wikibase entity JSON (``entities`` wrapper, entity list or one entity)."""
    if isinstance(document, dict) and isinstance(document.get("entities"), dict):
        return True
    if isinstance(document, list):
        document = document[0] if document else {}
    return isinstance(document, dict) and document.get("type") == "item" and "claims" in document


def read_wikidata(path: Path) -> list[JsonRecord]:
    """The entities of a Wikidata JSON file, with their lines."""
    return read_json_records(path, ("entities",))


def _claims(entity: dict[str, Any], prop: str) -> list[Any]:
    """The values of the non-deprecated ``prop`` statements that have a value."""
    values = []
    for statement in (entity.get("claims") or {}).get(prop, []):
        if not isinstance(statement, dict) or statement.get("rank") == "deprecated":
            continue
        snak = statement.get("mainsnak") or {}
        if snak.get("snaktype") == "value" and isinstance(snak.get("datavalue"), dict):
            values.append(snak["datavalue"].get("value"))
    return values


def _texts(entity: dict[str, Any], field: str, language: str) -> list[str]:
    value = (entity.get(field) or {}).get(language)
    items = value if isinstance(value, list) else [value] if value else []
    return [str(item["value"]).strip() for item in items if isinstance(item, dict) and item.get("value")]


def map_wikidata(records: list[JsonRecord], draft: Draft) -> None:
    """Map Wikidata entities into ``draft``."""
    for record in records:
        entity, n = record.value, record.number
        if not isinstance(entity, dict) or not str(entity.get("id", "")).startswith("Q"):
            draft.error(n, "id", "a Wikidata item has an id Q followed by digits")
            continue
        qid = str(entity["id"])
        instance_of = [v.get("id") for v in _claims(entity, "P31") if isinstance(v, dict)]
        person = HUMAN in instance_of
        kind = None if person else next((INSTANCE_KINDS[q] for q in instance_of if q in INSTANCE_KINDS), None)
        if not person and kind is None:
            seen = ", ".join(str(q) for q in instance_of) or "none"
            known = ", ".join(sorted(INSTANCE_KINDS))
            draft.error(n, "claims.P31", f"no lskg kind for instance of {seen} (known: Q5 person, {known})")
        labels = {lang: _texts(entity, "labels", lang) for lang in ("en", "sv")}
        main = next((t[0] for t in labels.values() if t), "")
        if not main:
            draft.error(n, "labels", "the item has no English or Swedish label")
            continue
        ids: list[tuple[str, ox.NamedNode | ox.Literal]] = [(SCHEMA + "sameAs", ox.NamedNode(WD + qid))]
        keys = [f"wikidata:{qid}"]
        for value in _claims(entity, "P6782"):
            try:
                rid = parse_ror(str(value))
            except ValueError as exc:
                draft.error(n, "claims.P6782", str(exc))
                continue
            ids.append((SCHEMA + "sameAs", ox.NamedNode(ROR + rid)))
            keys.append(f"ror:{rid}")
        for value in _claims(entity, "P6460"):
            try:
                number = parse_org_number(str(value))
            except ValueError as exc:
                draft.error(n, "claims.P6460", str(exc))
                continue
            ids.append((SCHEMA + "identifier", ox.Literal(number)))
            keys.append(f"orgnr:{number}")
        cls = FOAF + "Person" if person else kind or ORG + "Organization"
        iri = draft.mint("person" if person else "org", n, label=main, keys=keys, classes=[cls])
        facts = [triple(iri, RDF + "type", cls)]
        if person:
            facts += [
                triple(iri, RDFS + "label", ox.Literal(main)),
                triple(iri, FOAF + "name", ox.Literal(main)),
            ]
        else:
            facts += [
                triple(iri, RDFS + "label", ox.Literal(t[0], language=lang))
                for lang, t in labels.items()
                if t
            ]
            if kind in KIND_SECTORS:
                facts.append(triple(iri, LSKG.NS + "sector", KIND_SECTORS[kind]))
        for lang in ("en", "sv"):
            for alias in _texts(entity, "aliases", lang):
                facts.append(triple(iri, SKOS + "altLabel", ox.Literal(alias, language=lang)))
        facts += [ox.Triple(ox.NamedNode(iri), ox.NamedNode(p), o) for p, o in ids]
        facts += _inception(entity, iri) + [
            triple(iri, FOAF + "homepage", str(url))
            for url in _claims(entity, "P856")
            if str(url).startswith(("http://", "https://"))
        ]
        draft.record(n, record.start_line, record.end_line, facts)


def _inception(entity: dict[str, Any], iri: str) -> list[ox.Triple]:
    out = []
    for value in _claims(entity, "P571"):
        if not isinstance(value, dict) or value.get("precision") not in _PRECISION:
            continue
        datatype, length = _PRECISION[value["precision"]]
        text = str(value.get("time", "")).lstrip("+")[:length]
        if text and not text.startswith("-"):
            out.append(
                triple(iri, SCHEMA + "foundingDate", ox.Literal(text, datatype=ox.NamedNode(XSD + datatype)))
            )
    return out
