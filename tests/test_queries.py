"""Every named query in queries/ runs on the real data and returns the table the sources imply."""

from __future__ import annotations

import pytest

from kg.catalogue import check_syntax, load_catalogue
from kg.store import OxigraphStore, Table

BASE = "https://w3id.org/lskg/"
ID = BASE + "id/"


def run(store: OxigraphStore, name: str, **params: str) -> Table:
    query = load_catalogue()[name]
    return store.select(query.sparql, query.bind(params, BASE))


def column(table: Table, name: str) -> list[str | None]:
    return table.column(name)


def test_the_coordination_group_has_nineteen_members_each_with_their_organisation(
    real_store: OxigraphStore,
) -> None:
    table = run(real_store, "coordination-group-members")
    rows = {(r[1], r[2], r[4], r[5], r[6]) for r in table.values()}
    assert len(table.rows) == 19
    assert ("Anders Lönnberg", "Chair", None, None, None) in rows  # his coordinator role is former
    assert ("Göran Ando", "Member", None, None, None) in rows  # only a former chairmanship is named
    assert (
        "Sara Riggare",
        "Member",
        "Karolinska Institutet",
        "Academia",
        "Patients and civil society",
    ) in rows
    assert ("Heidi Stensmyren", "Member", "Swedish Medical Association", "Healthcare", None) in rows
    assert ("Lars Liljedahl", "Member", "Östersund Municipality", "Public sector", None) in rows
    assert sorted(set(column(table, "sector")) - {None}) == [  # type: ignore[type-var]
        "Academia",
        "Healthcare",
        "Industry",
        "Patients and civil society",
        "Public sector",
    ]


def count(store: OxigraphStore, pattern: str) -> int:
    ((value,),) = store.select(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {pattern} }}").values()
    return int(str(value))


SECTOR = "?o <https://w3id.org/lskg/ontology#sector> ?s ."


def test_organisations_are_counted_per_sector_and_kind(real_store: OxigraphStore) -> None:
    rows = {(r[0], r[1]): int(str(r[2])) for r in run(real_store, "organisations-per-sector").values()}
    # Every organisation with a sector is counted once for its one kind.
    assert sum(rows.values()) == count(real_store, SECTOR)
    # At least the organisations the seed documents name:
    assert rows[("Academia", "University")] >= 2
    assert rows[("Industry", "Company")] >= 4
    assert rows[("Industry", "Industry association")] >= 3
    assert rows[("Healthcare", "Region or county council")] >= 3
    assert rows[("Public sector", "Ministry")] >= 3
    assert rows[("Patients and civil society", "Political party")] == 1


def test_people_with_several_organisations_include_lonnberg_and_nordborg(real_store: OxigraphStore) -> None:
    table = run(real_store, "people-with-several-organisations")
    by_name = {r[1]: (int(str(r[2])), set(str(r[3]).split(" | "))) for r in table.values()}
    assert by_name["Anders Lönnberg"][0] >= 3
    assert {"Vinnova", "Life Science office"} <= by_name["Jenni Nordborg"][1]
    counts = [n for n, _ in by_name.values()]
    assert all(n > 1 for n in counts)
    assert counts == sorted(counts, reverse=True)


def test_three_ministries_of_the_government_offices_staff_the_office(real_store: OxigraphStore) -> None:
    assert run(real_store, "office-ministries").values() == [
        (
            ID + "org/naringsdepartementet",
            "Näringsdepartementet",
            "Ministry of Enterprise and Innovation",
            "Regeringskansliet",
        ),
        (
            ID + "org/socialdepartementet",
            "Socialdepartementet",
            "Ministry of Health and Social Affairs",
            "Regeringskansliet",
        ),
        (
            ID + "org/utbildningsdepartementet",
            "Utbildningsdepartementet",
            "Ministry of Education and Research",
            "Regeringskansliet",
        ),
    ]


def test_the_eight_collaboration_areas_come_in_the_sources_order(real_store: OxigraphStore) -> None:
    table = run(real_store, "collaboration-areas")
    assert column(table, "number") == [str(n) for n in range(1, 9)]
    assert column(table, "nameSv")[0] == "Kraftsamling biologiska läkemedel"
    assert column(table, "nameSv")[7] == "Antimikrobiell resistens (AMR)"
    assert column(table, "aimEn")[7] is None  # the source states no aim for AMR
    assert all(aim for aim in column(table, "aimEn")[:7])


def test_vinnova_is_linked_to_its_sector_head_and_two_memberships(real_store: OxigraphStore) -> None:
    rows = [r[1:] for r in run(real_store, "organisation-links").values()]
    assert rows == [
        ("incoming", "http://www.w3.org/ns/org#headOf", ID + "person/darja-isaksson", "Darja Isaksson"),
        (
            "incoming",
            "http://www.w3.org/ns/org#organization",
            ID + "membership/darja-isaksson-vinnova",
            "Darja Isaksson",
        ),
        (
            "incoming",
            "http://www.w3.org/ns/org#organization",
            ID + "membership/jenni-nordborg-vinnova",
            "Jenni Nordborg",
        ),
        (
            "outgoing",
            "https://w3id.org/lskg/ontology#sector",
            "https://w3id.org/lskg/ontology#SectorPublic",
            "Public sector",
        ),
    ]


def test_organisation_links_takes_another_organisation_as_parameter(real_store: OxigraphStore) -> None:
    rows = run(real_store, "organisation-links", organisation="id/org/life-science-office").values()
    outgoing = {r[2] for r in rows if r[1] == "outgoing"}
    assert "https://w3id.org/lskg/ontology#staffedFrom" in outgoing
    assert "https://w3id.org/lskg/ontology#modelledOn" in outgoing


def test_fact_provenance_points_at_the_line_that_names_sara_riggare(real_store: OxigraphStore) -> None:
    rows = [r[1:6] for r in run(real_store, "fact-provenance").values()]
    assert rows == [
        (
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
            "http://xmlns.com/foaf/0.1/Person",
            "000_cfe27d1b3417dce0.txt",
            "64",
            "64",
        ),
        (
            "http://www.w3.org/2000/01/rdf-schema#label",
            "Sara Riggare",
            "000_cfe27d1b3417dce0.txt",
            "64",
            "64",
        ),
        ("http://xmlns.com/foaf/0.1/name", "Sara Riggare", "000_cfe27d1b3417dce0.txt", "64", "64"),
    ]


def test_fact_provenance_gives_url_and_date_for_web_sourced_facts(real_store: OxigraphStore) -> None:
    rows = run(real_store, "fact-provenance", subject="id/org/socialdemokraterna").values()
    same_as = [r for r in rows if r[1] == "https://schema.org/sameAs"]
    assert [(r[2], r[6], r[7]) for r in same_as] == [
        (
            "http://www.wikidata.org/entity/Q105112",
            "https://github.com/swerik-project/riksdagen-persons/blob/103e2db8fe4a2251ac74a78642a5f4d90df704ca/data/party.csv",
            "2026-11-24",
        )
    ]


def test_former_roles_are_the_coordinator_post_and_the_novo_nordisk_chair(real_store: OxigraphStore) -> None:
    assert run(real_store, "former-roles").values() == [
        ("Anders Lönnberg", "Life Sciences Coordinator", "Government of Sweden"),
        ("Göran Ando", "former Chairman of the Board", "Novo Nordisk"),
    ]


def test_group_sector_coverage_counts_members_and_shows_empty_groups(real_store: OxigraphStore) -> None:
    rows = run(real_store, "group-sector-coverage").values()
    coordination = {r[1]: r[2] for r in rows if r[0] == "Life science coordination group"}
    assert coordination == {
        "Industry": "6",
        "Healthcare": "4",
        "Academia": "3",
        "Public sector": "4",
        "Patients and civil society": "2",
    }
    reference = {r[1]: r[2] for r in rows if r[0].startswith("Reference group")}  # type: ignore[union-attr]
    assert set(reference.values()) == {"0"}  # the source names no members
    assert len(reference) == 5


def test_infrastructures_link_areas_and_the_stated_data_weakness(real_store: OxigraphStore) -> None:
    rows = {(r[1], r[3], r[5]) for r in run(real_store, "infrastructures-and-weaknesses").values()}
    assert {
        ("Health and care data and health records", None, "Jenni Nordborg"),
        (
            "Public and private physical infrastructure",
            "Opening public and private physical infrastructure to external parties, including SMEs",
            None,
        ),
        ("Swedish biobanks", "Access to and funding of data and information", "Jenni Nordborg"),
        ("Swedish health registers", "Access to and funding of data and information", "Jenni Nordborg"),
    } <= rows


def test_the_programme_timeline_is_in_date_order(real_store: OxigraphStore) -> None:
    assert [(r[0], r[2]) for r in run(real_store, "programme-timeline").values()] == [
        ("2015-06", "milestone"),
        ("2016", "milestone"),
        ("2016-11-03", "meeting"),
        ("2016-12-08", "meeting"),
        ("2018", "milestone"),
    ]


def test_the_life_science_office_profile_matches_the_article(real_store: OxigraphStore) -> None:
    assert run(real_store, "life-science-office").values() == [
        (
            "Jenni Nordborg",
            "3",
            "Government of Sweden",
            "2018-02",
            "Anders Lönnberg",
            "Office for Life Sciences",
            "Denmark",
            "Mäster Samuelsgatan",
            "Stockholm",
        ),
    ]


def test_organisations_without_identifier_excludes_those_with_one(real_store: OxigraphStore) -> None:
    table = run(real_store, "organisations-without-identifier")
    labels = column(table, "label")
    assert "Swedish Social Democratic Party" not in labels  # has a Wikidata QID
    assert "Östersund Municipality" not in labels  # has an organisation number
    assert "Karolinska Institutet" not in labels  # has a ROR ID (data/ecosystem-identifiers.trig)
    assert "Vinnova" in labels
    identified = count(
        real_store, SECTOR + " ?o <https://schema.org/sameAs>|<https://schema.org/identifier> ?id ."
    )
    assert len(set(column(table, "organisation"))) == count(real_store, SECTOR) - identified


@pytest.mark.parametrize("name", ["personal-contact-violation", "facts-without-provenance-violation"])
def test_data_quality_checks_find_nothing_in_the_real_data(real_store: OxigraphStore, name: str) -> None:
    assert run(real_store, name).rows == []


def test_every_named_query_has_a_test_and_complete_metadata() -> None:
    catalogue = load_catalogue()
    tested = {
        "coordination-group-members",
        "organisations-per-sector",
        "people-with-several-organisations",
        "office-ministries",
        "collaboration-areas",
        "organisation-links",
        "fact-provenance",
        "former-roles",
        "group-sector-coverage",
        "infrastructures-and-weaknesses",
        "programme-timeline",
        "life-science-office",
        "organisations-without-identifier",
        "personal-contact-violation",
        "facts-without-provenance-violation",
    }
    assert set(catalogue) == tested
    assert len(catalogue) >= 12
    for query in catalogue.values():
        assert query.summary and query.summary != query.name, query.name
        assert query.description, query.name
        assert query.tags, query.name
        check_syntax(query)
