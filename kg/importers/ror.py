"""Organisations from Research Organization Registry records (ROR schema v2).

Accepts one record, an array of records (the data dump) or an API answer (``{"items": [...]}``).
The mapping (documented in ``docs/importing.md``):

- ``id`` → ``schema:sameAs <https://ror.org/…>`` (checksum verified);
- ``names``: the ``ror_display`` name and ``label`` names in English or Swedish →
  ``rdfs:label`` (a display name without a language is taken as English); aliases, acronyms
  and labels in other languages → ``skos:altLabel``;
- ``types`` → the lskg kind (education → University, healthcare → CareProvider, government →
  GovernmentAgency, company → Company, nonprofit → NonProfitOrganisation, funder →
  ResearchFunder; the first in that order wins) and the sector, through the ontology's
  ``skos:closeMatch`` between sectors and ROR types;
- ``external_ids``: wikidata → ``schema:sameAs wd:Q…``, isni → ``schema:sameAs
  <https://isni.org/isni/…>``, fundref → ``schema:sameAs <https://doi.org/10.13039/…>``
  (grid, retired by ROR, is left out);
- ``established`` → ``schema:foundingDate`` (``xsd:gYear``); ``links`` of type website →
  ``foaf:homepage``; ``locations`` → ``schema:location <https://sws.geonames.org/{id}/>``;
- ``relationships`` parent/child/related → ``org:subOrganizationOf``/``org:hasSubOrganization``
  /``org:linkedTo``, only where the other organisation is in the graph or the same file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.importers.common import Draft, triple
from kg.importers.identifiers import parse_qid, parse_ror
from kg.importers.jsonrecords import JsonRecord, read_json_records
from kg.importers.vocab import FOAF, ORG, RDF, RDFS, ROR, SCHEMA, SKOS, WD, XSD, vocabulary
from kg.vocab import LSKG

__all__ = ["PATH_FIELDS", "ROR_KINDS", "looks_like_ror", "map_ror", "read_ror"]

ROR_KINDS: tuple[tuple[str, str], ...] = (
    ("education", LSKG.University.value),
    ("healthcare", LSKG.CareProvider.value),
    ("government", LSKG.GovernmentAgency.value),
    ("company", LSKG.Company.value),
    ("nonprofit", LSKG.NonProfitOrganisation.value),
    ("funder", LSKG.ResearchFunder.value),
)
PATH_FIELDS = {"rdfs:label": "names", "lskg:sector": "types", "schema:sameAs|schema:identifier": "id"}
_RELATIONS = {
    "parent": ORG + "subOrganizationOf",
    "child": ORG + "hasSubOrganization",
    "related": ORG + "linkedTo",
}


def looks_like_ror(document: Any) -> bool:
    """True for a ROR record, an array of them or a ROR API answer."""
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        document = document["items"]
    if isinstance(document, list):
        document = document[0] if document else {}
    return isinstance(document, dict) and str(document.get("id", "")).startswith(ROR) and "names" in document


def read_ror(path: Path) -> list[JsonRecord]:
    """The records of a ROR JSON file, with their lines."""
    return read_json_records(path, ("items",))


def _field(draft: Draft, record: JsonRecord, name: str, kind: type) -> Any:
    value = record.value.get(name) if isinstance(record.value, dict) else None
    if value is None:
        return kind()
    if not isinstance(value, kind):
        draft.error(record.number, name, f"expected {kind.__name__}, found {type(value).__name__}")
        return kind()
    return value


def map_ror(records: list[JsonRecord], draft: Draft) -> None:
    """Map ROR v2 records into ``draft``: mint every organisation, then state the facts."""
    minted: list[tuple[JsonRecord, str, str, str | None, list[ox.Triple]]] = []
    for record in records:
        if not isinstance(record.value, dict):
            draft.error(record.number, "(record)", "a ROR record is a JSON object")
            continue
        n = record.number
        try:
            rid = parse_ror(str(record.value.get("id", "")))
        except ValueError as exc:
            draft.error(n, "id", str(exc))
            continue
        if record.value.get("status") == "withdrawn":
            draft.error(n, "status", "the ROR record is withdrawn; import its successor instead")
        labels, alternatives = _names(draft, record)
        types = [str(t) for t in _field(draft, record, "types", list)]
        kind = next((cls for ror_type, cls in ROR_KINDS if ror_type in types), None)
        if kind is None:
            draft.error(n, "types", f"no lskg organisation kind for ROR types {types}")
        sectors = vocabulary().sector_by_ror_type
        sector = next((sectors[t] for t, _ in ROR_KINDS if t in types and t in sectors), None)
        if kind is not None and sector is None:
            draft.error(
                n, "types", f"no sector follows from ROR types {types}; import it from a sheet with a Sector"
            )
        keys = [f"ror:{rid}"]
        same_as = [ROR + rid]
        for external in _field(draft, record, "external_ids", list):
            same_as += _external(draft, n, external, keys)
        main = next((text for text, _ in labels), None) or next((text for text, _ in alternatives), rid)
        iri = draft.mint("org", n, label=main, keys=keys, classes=[kind or ORG + "Organization"])
        facts = [triple(iri, RDFS + "label", ox.Literal(t, language=lang)) for t, lang in labels]
        facts += [
            triple(iri, SKOS + "altLabel", ox.Literal(t, language=lang) if lang else ox.Literal(t))
            for t, lang in alternatives
        ]
        facts += [triple(iri, SCHEMA + "sameAs", target) for target in dict.fromkeys(same_as)]
        # Index the identifiers now, so that relationships to later records resolve.
        draft.index.extend(facts)
        minted.append((record, iri, kind or "", sector, facts))
    for record, iri, kind, sector, facts in minted:
        out = list(facts)
        if kind:
            out.append(triple(iri, RDF + "type", kind))
        if sector:
            out.append(triple(iri, LSKG.NS + "sector", sector))
        out += _details(draft, record, iri)
        draft.record(record.number, record.start_line, record.end_line, out)


def _names(draft: Draft, record: JsonRecord) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    labels: list[tuple[str, str]] = []
    alternatives: list[tuple[str, str]] = []
    for name in _field(draft, record, "names", list):
        if not isinstance(name, dict) or not str(name.get("value", "")).strip():
            draft.error(record.number, "names", "each name is an object with a non-empty value")
            continue
        text, lang, types = str(name["value"]).strip(), name.get("lang") or "", name.get("types") or []
        if "ror_display" in types and lang in ("", "en", "sv"):
            labels.append((text, lang or "en"))
        elif "label" in types and lang in ("en", "sv"):
            labels.append((text, lang))
        else:
            alternatives.append((text, lang))
    if not labels:
        draft.error(record.number, "names", "no ror_display name or English or Swedish label")
    # One label per language: a second one in the same language is an alternative name.
    seen: dict[str, str] = {}
    kept = []
    for text, lang in labels:
        if lang in seen and seen[lang] != text:
            alternatives.append((text, lang))
        elif lang not in seen:
            seen[lang] = text
            kept.append((text, lang))
    return kept, alternatives


def _external(draft: Draft, number: int, external: Any, keys: list[str]) -> list[str]:
    if not isinstance(external, dict):
        draft.error(number, "external_ids", "each external id is an object with type and all")
        return []
    kind = external.get("type")
    values = [str(v) for v in (external.get("all") or [])]
    if external.get("preferred"):
        values = [str(external["preferred"]), *values]
    out = []
    for value in dict.fromkeys(values):
        if kind == "wikidata":
            try:
                qid = parse_qid(value)
            except ValueError as exc:
                draft.error(number, "external_ids", str(exc))
                continue
            keys.append(f"wikidata:{qid}")
            out.append(WD + qid)
        elif kind == "isni":
            out.append("https://isni.org/isni/" + value.replace(" ", ""))
        elif kind == "fundref":
            out.append("https://doi.org/10.13039/" + value)
    return out


def _details(draft: Draft, record: JsonRecord, iri: str) -> list[ox.Triple]:
    out: list[ox.Triple] = []
    established = record.value.get("established")
    if isinstance(established, int) and not isinstance(established, bool):
        year = ox.Literal(f"{established:04d}", datatype=ox.NamedNode(XSD + "gYear"))
        out.append(triple(iri, SCHEMA + "foundingDate", year))
    for link in _field(draft, record, "links", list):
        if (
            isinstance(link, dict)
            and link.get("type") == "website"
            and str(link.get("value", "")).startswith("http")
        ):
            out.append(triple(iri, FOAF + "homepage", str(link["value"])))
    for location in _field(draft, record, "locations", list):
        if isinstance(location, dict) and isinstance(location.get("geonames_id"), int):
            out.append(
                triple(iri, SCHEMA + "location", f"https://sws.geonames.org/{location['geonames_id']}/")
            )
    for relation in _field(draft, record, "relationships", list):
        if not isinstance(relation, dict) or relation.get("type") not in _RELATIONS:
            continue
        try:
            other_id = parse_ror(str(relation.get("id", "")))
        except ValueError as exc:
            draft.error(record.number, "relationships", str(exc))
            continue
        others = sorted(draft.index.identifiers.get(f"ror:{other_id}", ()))
        if others:
            out.append(triple(iri, _RELATIONS[relation["type"]], others[0]))
        else:
            draft.notes.append(
                f"record {record.number}: {relation['type']} {ROR}{other_id} is not in the graph; relation left out"
            )
    return out
