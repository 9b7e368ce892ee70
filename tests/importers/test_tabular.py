"""lskg import of Kumu-style sheets: exact triples, row provenance, row-by-row errors, replace, dry run."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from kg.config import Settings
from kg.errors import InputError
from kg.importers import ImportRejected, import_file
from kg.store import open_store

BASE = "https://w3id.org/lskg/"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
ORGS, X = f"<{BASE}id/org/", f"<{BASE}id/excerpt/import-organisations/"
LSKG, RDFS, SCHEMA = (
    "<https://w3id.org/lskg/ontology#",
    "<http://www.w3.org/2000/01/rdf-schema#",
    "<https://schema.org/",
)
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SKOS_ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
INT = "^^<http://www.w3.org/2001/XMLSchema#integer>"

ORGANISATION_FACTS = {
    f"{ORGS}exempel-biotech> {TYPE} {LSKG}Company> .",
    f'{ORGS}exempel-biotech> {RDFS}label> "Exempel Biotech AB"@en .',
    f'{ORGS}exempel-biotech> {RDFS}label> "Exempel Biotech AB"@sv .',
    f'{ORGS}exempel-biotech> {SKOS_ALT} "Exempel Biotech"@en .',
    f"{ORGS}exempel-biotech> {LSKG}sector> {LSKG}SectorIndustry> .",
    f"{ORGS}exempel-biotech> {LSKG}region> {ORGS}region-skane> .",
    f'{ORGS}exempel-biotech> {SCHEMA}identifier> "556016-0680" .',
    f"{ORGS}exempel-university-hospital> {TYPE} {LSKG}CareProvider> .",
    f'{ORGS}exempel-university-hospital> {RDFS}label> "Exempel University Hospital"@en .',
    f'{ORGS}exempel-university-hospital> {RDFS}label> "Exempelregionens universitetssjukhus"@sv .',
    f"{ORGS}exempel-university-hospital> {LSKG}sector> {LSKG}SectorHealthcare> .",
    f"{ORGS}exempel-university-hospital> {LSKG}region> {ORGS}region-skane> .",
    f"{ORGS}karolinska-institutet> {TYPE} {LSKG}University> .",
    f'{ORGS}karolinska-institutet> {RDFS}label> "Karolinska Institutet"@en .',
    f"{ORGS}karolinska-institutet> {LSKG}sector> {LSKG}SectorAcademia> .",
    f"{ORGS}karolinska-institutet> {SCHEMA}sameAs> <https://ror.org/056d84691> .",
    f"<{BASE}id/source/import-organisations> {TYPE} {LSKG}SourceDocument> .",
    f'<{BASE}id/source/import-organisations> {RDFS}label> "organisations.csv"@en .',
    f'<{BASE}id/source/import-organisations> {LSKG}fileName> "organisations.csv" .',
}

TEN_ERRORS = [
    (
        2,
        "Kind",
        "unknown kind 'Univeristy'; use one of CareProvider, CollaborationProgramme, Company, "
        "CoordinationGroup, Government, GovernmentAgency, GovernmentOffice, Group, IndustryAssociation, "
        "LocalGovernmentAssociation, Ministry, Municipality, NewsMedium, NonProfitOrganisation, "
        "PatientOrganisation, PoliticalParty, ProfessionalAssociation, ReferenceGroup, Region, "
        "ResearchFunder, University, WorkingGroup",
    ),
    (
        3,
        "Sector",
        "unknown sector 'pharma'; use one of academia, civil-society, healthcare, industry, public",
    ),
    (4, "Wikidata", "'105112' is not a Wikidata item id (Q followed by digits, e.g. Q105112)"),
    (5, "ROR", "'056d84692' has a wrong ROR checksum (expected 91 at the end)"),
    (6, "Org number", "'556016-0681' fails the organisation number's check digit (Luhn)"),
    (7, "Label", "an organisation needs a label (Label or Label (sv))"),
    (8, "Region", "no region called 'Atlantis' in the graph (give a slug, an IRI or a label)"),
    (9, "Alt labels", "holds an e-mail address; personal contact details are never stored"),
    (10, "Sector", "a group has no sector of its own (its members have); leave Sector empty"),
    (11, "Sector", "An organisation has one sector, not several."),
]


def test_an_organisations_sheet_becomes_exactly_these_triples_in_one_graph_named_after_it(
    settings: Settings, graph_of: Callable[[str], set[str]]
) -> None:
    result = import_file(settings, FIXTURES / "organisations.csv", kind="organisations")
    assert (result.rows, result.facts, result.new_entities) == (3, 16, 2)
    assert result.path == Path(settings.store).parent / "imports" / "import-organisations.trig"
    assert graph_of("import-organisations") == ORGANISATION_FACTS


def test_every_row_is_cited_as_an_excerpt_of_the_sheet_with_its_row_number(settings: Settings) -> None:
    import_file(settings, FIXTURES / "organisations.csv", kind="organisations")
    rows = (
        open_store(settings.store)
        .select(
            """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            PREFIX lskg: <https://w3id.org/lskg/ontology#>
            PREFIX dcterms: <http://purl.org/dc/terms/>
            SELECT ?file ?start ?end WHERE {
              ?st rdf:subject <https://w3id.org/lskg/id/org/exempel-university-hospital> ;
                  rdf:predicate <https://w3id.org/lskg/ontology#sector> ; prov:wasDerivedFrom ?x .
              ?x lskg:startLine ?start ; lskg:endLine ?end ; dcterms:isPartOf/lskg:fileName ?file .
            }"""
        )
        .values()
    )
    assert rows == [("organisations.csv", "3", "3")]


def test_an_existing_entity_named_by_its_slug_gains_the_row_s_facts(
    settings: Settings, graph_of: Callable[[str], set[str]]
) -> None:
    import_file(settings, FIXTURES / "organisations.csv", kind="organisations")
    # The curated Karolinska Institutet keeps its IRI and gets the ROR id from row 4.
    rows = (
        open_store(settings.store)
        .select(
            "SELECT ?id WHERE { <https://w3id.org/lskg/id/org/karolinska-institutet> <https://schema.org/sameAs> ?id }"
        )
        .values()
    )
    assert rows == [("https://ror.org/056d84691",)]
    assert f'{ORGS}karolinska-institutet> {RDFS}label> "Karolinska Institutet"@sv .' in graph_of("seed")
    assert f"{ORGS}karolinska-institutet> {SCHEMA}sameAs> <https://ror.org/056d84691> ." in graph_of(
        "import-organisations"
    )


def test_a_sheet_with_ten_deliberate_errors_gives_exactly_ten_row_and_column_messages(
    settings: Settings, snapshot: Callable[[], tuple[Path | None, bytes]]
) -> None:
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        import_file(settings, FIXTURES / "organisations-10-errors.csv", kind="organisations")
    assert [(e.row, e.column, e.message) for e in caught.value.errors] == TEN_ERRORS
    assert str(caught.value.errors[0]).startswith("row 2, column Kind: unknown kind 'Univeristy'")
    assert snapshot() == before
    assert not list((Path(settings.store).parent / "imports").glob("*.trig"))


def test_importing_the_same_sheet_again_replaces_its_graph_instead_of_adding_to_it(
    settings: Settings, tmp_path: Path, graph_of: Callable[[str], set[str]]
) -> None:
    sheet = tmp_path / "organisations.csv"
    shutil.copy(FIXTURES / "organisations.csv", sheet)
    import_file(settings, sheet, kind="organisations")
    lines = sheet.read_text(encoding="utf-8").splitlines()
    # Drop the hospital (row 3) and rename the company: its slug column keeps its IRI.
    sheet.write_text(
        "\n".join(
            [lines[0], lines[1].replace("Exempel Biotech AB,Exempel", "Exempel Bio AB,Exempel"), lines[3]]
        )
        + "\n",
        encoding="utf-8",
    )
    import_file(settings, sheet, kind="organisations")
    triples = graph_of("import-organisations")
    assert f'{ORGS}exempel-biotech> {RDFS}label> "Exempel Bio AB"@en .' in triples
    assert f'{ORGS}exempel-biotech> {RDFS}label> "Exempel Biotech AB"@en .' not in triples
    assert not any("exempel-university-hospital" in t for t in triples)
    assert len(triples) == len(ORGANISATION_FACTS) - 5
    assert [p.name for p in (Path(settings.store).parent / "imports").glob("*.trig")] == [
        "import-organisations.trig"
    ]


def test_an_entity_without_a_slug_keeps_the_iri_of_its_previous_import_when_its_label_changes(
    settings: Settings, tmp_path: Path
) -> None:
    sheet = tmp_path / "orgs.csv"
    sheet.write_text(
        "Label,Kind,Sector,Org number\nExempel Labs AB,Company,industry,556016-0680\n", encoding="utf-8"
    )
    import_file(settings, sheet, kind="organisations")
    sheet.write_text(
        "Label,Kind,Sector,Org number\nExempel Laboratories AB,Company,industry,556016-0680\n",
        encoding="utf-8",
    )
    import_file(settings, sheet, kind="organisations")
    rows = open_store(settings.store).select(
        'SELECT ?o WHERE { ?o <http://www.w3.org/2000/01/rdf-schema#label> "Exempel Laboratories AB"@en }'
    )
    assert rows.values() == [(f"{BASE}id/org/exempel-labs-ab",)]


def test_a_dry_run_validates_and_reports_but_writes_nothing(
    settings: Settings, snapshot: Callable[[], tuple[Path | None, bytes]]
) -> None:
    before = snapshot()
    result = import_file(settings, FIXTURES / "organisations.csv", kind="organisations", dry_run=True)
    assert (result.dry_run, result.facts, result.committed and result.committed.written) == (True, 16, False)
    assert snapshot() == before
    assert not (Path(settings.store).parent / "imports").exists()


def test_a_derived_slug_never_takes_over_an_existing_entity_of_the_same_name(
    settings: Settings, tmp_path: Path
) -> None:
    sheet = tmp_path / "agencies.csv"
    sheet.write_text("Label,Kind,Sector\nVinnova,GovernmentAgency,public\n", encoding="utf-8")
    result = import_file(settings, sheet, kind="organisations")
    assert result.new_entities == 1
    labels = open_store(settings.store).select(
        'SELECT ?o WHERE { ?o <http://www.w3.org/2000/01/rdf-schema#label> "Vinnova"@en } ORDER BY ?o'
    )
    assert labels.values() == [(f"{BASE}id/org/vinnova",), (f"{BASE}id/org/vinnova-2",)]


def test_memberships_refer_to_people_and_organisations_by_name_slug_or_iri(
    settings: Settings, graph_of: Callable[[str], set[str]]
) -> None:
    import_file(settings, FIXTURES / "people.csv", kind="people")
    result = import_file(settings, FIXTURES / "memberships.csv", kind="memberships")
    m, p, r = f"<{BASE}id/membership/", f"<{BASE}id/person/", f"<{BASE}id/role/"
    org, lskg = "<http://www.w3.org/ns/org#", LSKG
    decimal = "^^<http://www.w3.org/2001/XMLSchema#decimal>"
    expected = {
        f"{m}ada-exempel-vinnova> {TYPE} {org}Membership> .",
        f"{m}ada-exempel-vinnova> {org}member> {p}ada-exempel> .",
        f"{m}ada-exempel-vinnova> {org}organization> {ORGS}vinnova> .",
        f"{m}ada-exempel-vinnova> {org}role> {r}member> .",
        f'{m}ada-exempel-vinnova> {lskg}roleTitle> "Board member"@en .',
        f"{m}ada-exempel-vinnova> {lskg}roleStatus> {lskg}CurrentRole> .",
        f"{m}ada-exempel-karolinska-institutet> {TYPE} {org}Membership> .",
        f"{m}ada-exempel-karolinska-institutet> {org}member> {p}ada-exempel> .",
        f"{m}ada-exempel-karolinska-institutet> {org}organization> {ORGS}karolinska-institutet> .",
        f"{m}ada-exempel-karolinska-institutet> {org}role> {r}scientific-advisor> .",
        f'{m}ada-exempel-karolinska-institutet> {lskg}roleTitle> "Adviser on biobanks"@en .',
        f"{m}ada-exempel-karolinska-institutet> {lskg}roleStatus> {lskg}FormerRole> .",
        f'{m}ada-exempel-karolinska-institutet> {lskg}workingTimeFraction> "0.2"{decimal} .',
        f"{r}scientific-advisor> {TYPE} {org}Role> .",
        f'{r}scientific-advisor> <http://www.w3.org/2004/02/skos/core#prefLabel> "Scientific advisor"@en .',
        f"{m}sara-riggare-linkoping-university> {TYPE} {org}Membership> .",
        f"{m}sara-riggare-linkoping-university> {org}member> {p}sara-riggare> .",
        f"{m}sara-riggare-linkoping-university> {org}organization> {ORGS}linkoping-university> .",
        f"{m}sara-riggare-linkoping-university> {org}role> {r}researcher> .",
        f"{m}sara-riggare-linkoping-university> {lskg}roleStatus> {lskg}CurrentRole> .",
        f'{m}sara-riggare-linkoping-university> {lskg}workingTimeFraction> "0.5"{decimal} .',
    }
    source = f"<{BASE}id/source/import-memberships>"
    assert graph_of("import-memberships") - {
        t for t in graph_of("import-memberships") if t.startswith(source)
    } == (expected)
    assert result.notes == ["row 3: new role 'Scientific advisor' (<id/role/scientific-advisor>)"]


def test_a_membership_whose_member_is_unknown_is_reported_with_its_row_and_column(
    settings: Settings, tmp_path: Path
) -> None:
    sheet = tmp_path / "members.csv"
    sheet.write_text(
        "From,To,Role\nNobody Known,Vinnova,Member\nSara Riggare,Vinnova,Member\n", encoding="utf-8"
    )
    with pytest.raises(ImportRejected) as caught:
        import_file(settings, sheet, kind="memberships")
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "From")]
    assert caught.value.errors[0].message == (
        "no person or organisation called 'Nobody Known' in the graph (give a slug, an IRI or a label)"
    )


def test_a_working_time_above_one_is_caught_by_the_shapes_and_reported_at_its_cell(
    settings: Settings, tmp_path: Path
) -> None:
    sheet = tmp_path / "members.csv"
    sheet.write_text("From,To,Role,Working time\nSara Riggare,Vinnova,Member,1.5\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_file(settings, sheet, kind="memberships")
    assert [(e.row, e.column, e.message) for e in caught.value.errors] == [
        (2, "Working time", "lskg:workingTimeFraction is a decimal from 0 to 1. (value: 1.5)")
    ]


def test_an_xlsx_sheet_imports_the_same_triples_as_the_csv(
    settings: Settings, tmp_path: Path, graph_of: Callable[[str], set[str]]
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in (FIXTURES / "organisations.csv").read_text(encoding="utf-8").splitlines():
        sheet.append(line.split(","))
    workbook.save(tmp_path / "organisations.xlsx")
    import_file(settings, tmp_path / "organisations.xlsx", kind="organisations")
    xlsx = {t.replace(".xlsx", ".csv") for t in graph_of("import-organisations")}
    assert xlsx == ORGANISATION_FACTS


def test_kumu_headers_and_semicolon_separated_csv_are_understood(settings: Settings, tmp_path: Path) -> None:
    sheet = tmp_path / "kumu.csv"
    sheet.write_text("\ufeffName;Type;Sector\nExempel Medtech AB;Company;Näringsliv\n", encoding="utf-8")
    result = import_file(settings, sheet, kind="organisations")
    assert (result.rows, result.facts, result.new_entities) == (1, 3, 1)


def test_a_source_address_adds_a_web_source_that_every_fact_also_cites(settings: Settings) -> None:
    import_file(
        settings, FIXTURES / "people.csv", kind="people", source="https://example.org/sheets/people.csv"
    )
    rows = (
        open_store(settings.store)
        .select(
            """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
            PREFIX prov: <http://www.w3.org/ns/prov#>
            PREFIX schema: <https://schema.org/>
            SELECT DISTINCT ?url WHERE {
              ?st rdf:subject <https://w3id.org/lskg/id/person/erik-exempelsson> ; prov:wasDerivedFrom ?r .
              ?r schema:url ?url }"""
        )
        .values()
    )
    assert rows == [("https://example.org/sheets/people.csv",)]


def test_a_sheet_without_a_required_column_is_an_input_error(settings: Settings, tmp_path: Path) -> None:
    sheet = tmp_path / "orgs.csv"
    sheet.write_text("Label,Sector\nExempel AB,industry\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        import_file(settings, sheet, kind="organisations")
