"""lskg reconcile: identifier matches merge, name matches wait for --accept, merges stick."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.config import Settings
from kg.errors import InputError
from kg.importers import import_file
from kg.reconcile import name_similarity, normalise_name, reconcile
from kg.store import open_store

BASE = "https://w3id.org/lskg/"
ORG_NS = f"{BASE}id/org/"
SHEET = (
    "Label,Label (sv),Kind,Sector,Wikidata\n"
    "Swedish Social Democrats,Socialdemokraterna,PoliticalParty,civil-society,Q105112\n"
    ",Linköpings universitet,University,academia,\n"
    "Exempel Biotech AB,,Company,industry,\n"
)


@pytest.fixture
def imported(settings: Settings, tmp_path: Path) -> Path:
    """The sheet above, imported: two entities duplicate curated ones, one is new."""
    sheet = tmp_path / "parties-and-universities.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    import_file(settings, sheet, kind="organisations")
    return sheet


def labels(settings: Settings, iri: str) -> list[tuple[str | None, ...]]:
    query = f"SELECT ?p ?l WHERE {{ <{iri}> ?p ?l FILTER(isLiteral(?l)) }} ORDER BY ?p ?l"
    return open_store(settings.store).select(query).values()


def test_names_are_compared_without_case_diacritics_punctuation_suffixes_or_language() -> None:
    assert normalise_name("Exempel Biotech AB (publ)") == ["exempel", "biotech"]
    assert name_similarity("Linköpings universitet", "Linköping University") == 1.0
    assert name_similarity("Forska!Sverige", "Forska Sverige") == 1.0
    assert name_similarity("Karolinska Institutet", "Region Skåne") == 0.0


def test_an_identifier_match_is_merged_and_a_name_match_is_only_listed(
    settings: Settings, imported: Path, graph_of: Callable[[str], set[str]]
) -> None:
    result = reconcile(settings)
    assert [(c.imported, c.existing, c.reason, c.exact) for c in result.merged] == [
        (ORG_NS + "swedish-social-democrats", ORG_NS + "socialdemokraterna", "same wikidata:Q105112", True)
    ]
    assert [(c.imported, c.existing, c.score, c.exact) for c in result.candidates] == [
        (ORG_NS + "linkopings-universitet", ORG_NS + "linkoping-university", 1.0, False)
    ]
    assert result.written
    import_graph = graph_of("import-parties-and-universities")
    assert not any("swedish-social-democrats" in t for t in import_graph)
    # The name-only candidate is still its own entity.
    assert any(t.startswith(f"<{ORG_NS}linkopings-universitet>") for t in import_graph)
    # The curated sector and English label win; the imported English name becomes an alternative.
    assert labels(settings, ORG_NS + "socialdemokraterna") == [
        ("http://www.w3.org/2000/01/rdf-schema#label", "Socialdemokraterna"),
        ("http://www.w3.org/2000/01/rdf-schema#label", "Swedish Social Democratic Party"),
        ("http://www.w3.org/2004/02/skos/core#altLabel", "S"),
        ("http://www.w3.org/2004/02/skos/core#altLabel", "Swedish Social Democrats"),
    ]
    aliases = json.loads((Path(settings.store).parent / "imports" / "reconciliation.json").read_text())
    assert aliases["merged"] == {ORG_NS + "swedish-social-democrats": ORG_NS + "socialdemokraterna"}


def test_a_listed_candidate_is_merged_only_when_a_person_accepts_it(
    settings: Settings, imported: Path
) -> None:
    first = reconcile(settings, dry_run=True)
    assert not first.written
    candidate = first.candidates[0].id
    second = reconcile(settings)
    assert [c.id for c in second.candidates] == [candidate]
    third = reconcile(settings, accept=[candidate])
    assert [c.imported for c in third.merged] == [ORG_NS + "linkopings-universitet"]
    assert third.candidates == []
    assert labels(settings, ORG_NS + "linkopings-universitet") == []
    assert reconcile(settings).merged == reconcile(settings).candidates == []


def test_importing_the_sheet_again_lands_on_the_merged_entities(
    settings: Settings, imported: Path, graph_of: Callable[[str], set[str]]
) -> None:
    candidate = reconcile(settings).candidates[0].id
    reconcile(settings, accept=[candidate])
    result = import_file(settings, imported, kind="organisations")
    assert result.new_entities == 1  # only Exempel Biotech AB is new
    subjects = {t.split(" ", 1)[0] for t in graph_of("import-parties-and-universities")}
    assert f"<{ORG_NS}socialdemokraterna>" in subjects and f"<{ORG_NS}linkoping-university>" in subjects
    assert not any(s.endswith(("democrats>", "linkopings-universitet>")) for s in subjects)
    assert reconcile(settings).merged == reconcile(settings).candidates == []


def test_an_unknown_accept_id_is_refused(settings: Settings, imported: Path) -> None:
    with pytest.raises(InputError, match="no candidate with id 00000000"):
        reconcile(settings, accept=["00000000"])


def test_entities_whose_identifiers_disagree_are_never_candidates(settings: Settings, tmp_path: Path) -> None:
    sheet = tmp_path / "other-party.csv"
    sheet.write_text(
        "Label,Label (sv),Kind,Sector,Wikidata\n"
        "Swedish Social Democratic Party,Socialdemokraterna,PoliticalParty,civil-society,Q999000042\n",
        encoding="utf-8",
    )
    import_file(settings, sheet, kind="organisations")
    result = reconcile(settings, dry_run=True)
    assert result.merged == result.candidates == []
