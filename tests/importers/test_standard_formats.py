"""lskg import of ROR v2 records and Wikidata entity JSON: exact triples, identifiers, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kg.config import Settings
from kg.errors import InputError
from kg.importers import ImportRejected, detect_format, import_file
from kg.importers.jsonrecords import read_json_records

BASE = "https://w3id.org/lskg/"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
ORGS, P = f"<{BASE}id/org/", f"<{BASE}id/person/"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
SAME = "<https://schema.org/sameAs>"
LSKG = "<https://w3id.org/lskg/ontology#"
ORG = "<http://www.w3.org/ns/org#"
XSD = "^^<http://www.w3.org/2001/XMLSchema#"


def facts_only(triples: set[str]) -> set[str]:
    """The triples about organisations and people (not the source document)."""
    return {t for t in triples if t.startswith((ORGS, P))}


def test_json_files_are_recognised_as_ror_or_wikidata_by_their_shape() -> None:
    assert detect_format(FIXTURES / "ror-records.json") == "ror"
    assert detect_format(FIXTURES / "ror-bad-record.json") == "ror"
    assert detect_format(FIXTURES / "wikidata-entities.json") == "wikidata"


def test_each_json_record_knows_the_lines_it_spans() -> None:
    records = read_json_records(FIXTURES / "ror-records.json", ("items",))
    assert [(r.number, r.start_line, r.end_line) for r in records] == [(1, 2, 44), (2, 45, 67)]
    entities = read_json_records(FIXTURES / "wikidata-entities.json", ("entities",))
    assert [(r.key, r.start_line, r.end_line) for r in entities] == [
        ("Q999000001", 3, 90),
        ("Q999000002", 91, 113),
    ]


def test_ror_records_become_organisations_with_their_identifiers_kinds_and_sectors(
    settings: Settings, graph_of: Callable[[str], set[str]]
) -> None:
    result = import_file(settings, FIXTURES / "ror-records.json")
    assert (result.format, result.rows, result.new_entities) == ("ror", 2, 2)
    ki, centre = f"{ORGS}karolinska-institutet-2>", f"{ORGS}exempel-research-centre>"
    assert facts_only(graph_of("import-ror-records")) == {
        f"{ki} {TYPE} {LSKG}University> .",
        f"{ki} {LSKG}sector> {LSKG}SectorAcademia> .",
        f'{ki} {LABEL} "Karolinska Institutet"@en .',
        f'{ki} {ALT} "KI" .',
        f'{ki} {ALT} "Karolinska Institute"@en .',
        f"{ki} {SAME} <https://ror.org/056d84691> .",
        f"{ki} {SAME} <https://isni.org/isni/0000000400000001> .",
        f"{ki} {SAME} <http://www.wikidata.org/entity/Q999000003> .",
        f'{ki} <https://schema.org/foundingDate> "1810"{XSD}gYear> .',
        f"{ki} <http://xmlns.com/foaf/0.1/homepage> <https://ki.se> .",
        f"{ki} <https://schema.org/location> <https://sws.geonames.org/2673730/> .",
        f"{ki} {ORG}hasSubOrganization> {centre} .",
        f"{centre} {TYPE} {LSKG}NonProfitOrganisation> .",
        f"{centre} {LSKG}sector> {LSKG}SectorCivilSociety> .",
        f'{centre} {LABEL} "Exempel Research Centre"@en .',
        f'{centre} {LABEL} "Exempelforskningscentrum"@sv .',
        f"{centre} {SAME} <https://ror.org/0exemp108> .",
        f"{centre} <https://schema.org/location> <https://sws.geonames.org/2673730/> .",
        f"{centre} {ORG}subOrganizationOf> {ki} .",
    }


def test_a_ror_record_whose_type_has_no_lskg_kind_is_rejected_with_its_record_and_field(
    settings: Settings,
) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_file(settings, FIXTURES / "ror-bad-record.json")
    assert [(e.row, e.column, e.message) for e in caught.value.errors] == [
        (1, "types", "no lskg organisation kind for ROR types ['archive']")
    ]
    assert (
        str(caught.value.errors[0])
        == "record 1, field types: no lskg organisation kind for ROR types ['archive']"
    )


def test_wikidata_entities_become_an_organisation_and_a_person_with_their_identifiers(
    settings: Settings, graph_of: Callable[[str], set[str]]
) -> None:
    result = import_file(settings, FIXTURES / "wikidata-entities.json")
    assert (result.format, result.rows, result.new_entities) == ("wikidata", 2, 2)
    company, ada = f"{ORGS}exempel-biotech-ab>", f"{P}ada-exempel>"
    # The deprecated ROR statement (P6782) is not read.
    assert facts_only(graph_of("import-wikidata-entities")) == {
        f"{company} {TYPE} {LSKG}Company> .",
        f"{company} {LSKG}sector> {LSKG}SectorIndustry> .",
        f'{company} {LABEL} "Exempel Biotech AB"@en .',
        f'{company} {LABEL} "Exempel Biotech AB"@sv .',
        f'{company} {ALT} "Exempel Biotech"@en .',
        f"{company} {SAME} <http://www.wikidata.org/entity/Q999000001> .",
        f'{company} <https://schema.org/identifier> "559000-0005" .',
        f'{company} <https://schema.org/foundingDate> "2015-03"{XSD}gYearMonth> .',
        f"{company} <http://xmlns.com/foaf/0.1/homepage> <https://exempel-biotech.example> .",
        f"{ada} {TYPE} <http://xmlns.com/foaf/0.1/Person> .",
        f'{ada} {LABEL} "Ada Exempel" .',
        f'{ada} <http://xmlns.com/foaf/0.1/name> "Ada Exempel" .',
        f"{ada} {SAME} <http://www.wikidata.org/entity/Q999000002> .",
    }


def test_a_wikidata_item_of_an_unknown_class_names_the_classes_it_saw(
    settings: Settings, tmp_path: Path
) -> None:
    entity = (
        '{"entities": {"Q999000009": {"type": "item", "id": "Q999000009", '
        '"labels": {"en": {"language": "en", "value": "Exempel Thing"}}, "claims": {"P31": [{"mainsnak": '
        '{"snaktype": "value", "property": "P31", "datavalue": {"value": {"entity-type": "item", "id": "Q43229"}, '
        '"type": "wikibase-entityid"}}, "type": "statement", "rank": "normal"}]}}}}'
    )
    (tmp_path / "thing.json").write_text(entity, encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_file(settings, tmp_path / "thing.json")
    assert [(e.row, e.column) for e in caught.value.errors] == [(1, "claims.P31")]
    assert caught.value.errors[0].message.startswith("no lskg kind for instance of Q43229")


def test_a_json_file_that_is_not_valid_json_is_an_input_error_with_its_position(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"entities": {', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.json"):
        read_json_records(tmp_path / "broken.json", ("entities",))
