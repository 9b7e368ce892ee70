"""External identifiers in the graph are well formed, each comes from the record that states it
(data/ecosystem-identifiers.trig and data/web-sources.trig), and coverage does not shrink.

A reader can check the sample below by opening the cited file: e.g. the ROR record
``folder_to_push/056d84691.ttl`` in ror-community/ror-records names Karolinska Institute with
``schema:sameAs <http://www.wikidata.org/entity/Q219564>``."""

from __future__ import annotations

from collections import Counter

import pytest

from kg.importers.identifiers import parse_org_number, parse_qid, parse_ror
from kg.store import OxigraphStore

ORG = "https://w3id.org/lskg/id/org/"
ROR = "https://ror.org/"
WD = "http://www.wikidata.org/entity/"
ROR_RECORDS = "https://github.com/ror-community/ror-records/blob/"
# ROR IDs read from another organisation's record, which names them as related organisations.
NAMED_BY = {"0084bse20": "016st3p78", "01apvbh93": "048a87296"}

IDENTIFIER_FACTS = """
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov:    <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema:  <https://schema.org/>
SELECT ?subject ?predicate ?object ?url ?read WHERE {
  VALUES ?predicate { schema:sameAs schema:identifier }
  ?statement rdf:subject ?subject ; rdf:predicate ?predicate ; rdf:object ?object ;
             prov:wasDerivedFrom ?record .
  ?record schema:url ?url ; dcterms:date ?read .
}"""

KINDS = """
PREFIX lskg: <https://w3id.org/lskg/ontology#>
SELECT ?o ?kind WHERE {
  ?o lskg:sector ?sector ; a ?kind . FILTER(STRSTARTS(STR(?kind), STR(lskg:)))
}"""


def facts(store: OxigraphStore) -> list[tuple[str, str, str, str, str]]:
    return [tuple(str(v) for v in row) for row in store.select(IDENTIFIER_FACTS).values()]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("slug", "target", "record"),
    [
        ("karolinska-institutet", ROR + "056d84691", "folder_to_push/056d84691.ttl"),
        ("karolinska-institutet", WD + "Q219564", "folder_to_push/056d84691.ttl"),
        ("uppsala-university", ROR + "048a87296", "folder_to_push/048a87296.ttl"),
        ("karolinska-universitetssjukhuset", ROR + "00m8d6786", "folder_to_push/00m8d6786.ttl"),
        ("folkhalsomyndigheten", WD + "Q17518896", "folder_to_push/05x4m5564.ttl"),
        ("region-stockholm", ROR + "02zrae794", "folder_to_push/02zrae794.ttl"),
        ("vastra-gotalandsregionen", ROR + "00a4x6777", "folder_to_push/00a4x6777.ttl"),
        ("sunderby-sjukhus", ROR + "0084bse20", "folder_to_push/016st3p78.ttl"),  # named in Luleå's record
        ("akademiska-sjukhuset", ROR + "01apvbh93", "folder_to_push/048a87296.ttl"),  # named in Uppsala's
        ("umea-university", WD + "Q1144565", "folder_to_push/05kb8h459.ttl"),
    ],
)
def test_a_sample_of_identifiers_cites_the_ror_record_that_states_them(
    real_store: OxigraphStore, slug: str, target: str, record: str
) -> None:
    urls = {url for s, p, o, url, _ in facts(real_store) if s == ORG + slug and o == target}
    assert len(urls) == 1
    (url,) = urls
    assert url.startswith(ROR_RECORDS) and url.endswith(record)


def test_organisation_numbers_come_from_the_swecris_example_record(real_store: OxigraphStore) -> None:
    numbers = {
        (s.removeprefix(ORG), o): url
        for s, p, o, url, _ in facts(real_store)
        if p == "https://schema.org/identifier" and "swecris" in url
    }
    assert set(numbers) == {
        ("kth-royal-institute-of-technology", "202100-3054"),
        ("vetenskapsradet", "202100-5208"),
    }


def test_every_identifier_is_well_formed_with_a_valid_checksum(real_store: OxigraphStore) -> None:
    checked = Counter[str]()
    for _s, predicate, target, _url, _read in facts(real_store):
        if target.startswith(ROR):
            assert parse_ror(target) == target.removeprefix(ROR)
            checked["ror"] += 1
        elif target.startswith(WD):
            assert parse_qid(target) == target.removeprefix(WD)
            checked["wikidata"] += 1
        elif predicate == "https://schema.org/identifier":
            assert parse_org_number(target) == target  # stored in the normalised NNNNNN-NNNN form
            checked["orgnr"] += 1
    assert checked["ror"] >= 34 and checked["wikidata"] >= 27 and checked["orgnr"] >= 4


def test_a_ror_record_gives_its_own_id_to_one_organisation_only(real_store: OxigraphStore) -> None:
    holders: dict[str, set[str]] = {}
    for subject, _p, target, url, read in facts(real_store):
        if target.startswith(ROR):
            holders.setdefault(target, set()).add(subject)
            if url.startswith(ROR_RECORDS):
                rid = target.removeprefix(ROR)
                assert url.endswith(f"/{NAMED_BY.get(rid, rid)}.ttl"), (subject, url)
                assert read == "2026-11-25"
    assert all(len(subjects) == 1 for subjects in holders.values())


def test_identifier_coverage_per_kind_does_not_shrink(real_store: OxigraphStore) -> None:
    kind_of = {str(o): str(k).rsplit("#", 1)[1] for o, k in real_store.select(KINDS).values()}
    with_ror = Counter(
        kind_of[s] for s in {s for s, _p, o, _u, _r in facts(real_store) if o.startswith(ROR)} if s in kind_of
    )
    with_qid = {s for s, _p, o, _u, _r in facts(real_store) if o.startswith(WD) and s in kind_of}
    assert len(kind_of) >= 154
    assert with_ror["University"] >= 19
    assert with_ror["CareProvider"] >= 8
    assert with_ror["Region"] >= 2
    assert with_ror["GovernmentAgency"] >= 2
    assert sum(with_ror.values()) >= 32
    assert len(with_qid) >= 24
