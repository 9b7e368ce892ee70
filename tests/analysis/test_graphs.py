"""The graphs built from the store: nodes, ties, sectors, caching; and facts of the real data."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.analysis._fixtures import EX, tiny_store
from kg.analysis.graphs import (
    GRAPHS,
    affiliations,
    areas,
    build_graph,
    clear_cache,
    organisations,
    people,
    read_ecosystem,
)
from kg.catalogue import load_catalogue
from kg.errors import NotFound
from kg.store import OxigraphStore

ID = "https://w3id.org/lskg/id/"
CG = ID + "group/life-science-coordination-group"
KI = ID + "org/karolinska-institutet"


def person(name: str) -> str:
    return ID + "person/" + name


SECTOR_RULES = """
id:org\\/uni2 a lskg:University ; lskg:sector lskg:SectorAcademia .
id:org\\/region a lskg:Region ; rdfs:label "Region"@en ; lskg:sector lskg:SectorHealthcare .
id:org\\/clinic a lskg:CareProvider ; lskg:sector lskg:SectorHealthcare ; lskg:region id:org\\/region .

id:person\\/kim a foaf:Person ; org:headOf id:org\\/acme .
id:membership\\/kim-uni a org:Membership ; org:member id:person\\/kim ; org:organization id:org\\/uni .
id:membership\\/kim-acme a org:Membership ; org:member id:person\\/kim ; org:organization id:org\\/acme .

id:person\\/lee a foaf:Person .
id:membership\\/lee-acme a org:Membership ; org:member id:person\\/lee ; org:organization id:org\\/acme ;
    lskg:roleStatus lskg:FormerRole .

id:org\\/party a lskg:PoliticalParty ; lskg:sector lskg:SectorCivilSociety .
id:person\\/vic a foaf:Person .
id:membership\\/vic-party a org:Membership ; org:member id:person\\/vic ; org:organization id:org\\/party .
id:membership\\/vic-uni a org:Membership ; org:member id:person\\/vic ; org:organization id:org\\/uni .

id:person\\/max a foaf:Person .
id:membership\\/max-acme a org:Membership ; org:member id:person\\/max ; org:organization id:org\\/acme .
id:membership\\/max-uni a org:Membership ; org:member id:person\\/max ; org:organization id:org\\/uni .
id:membership\\/max-uni2 a org:Membership ; org:member id:person\\/max ; org:organization id:org\\/uni2 .

id:person\\/tie a foaf:Person .
id:membership\\/tie-acme a org:Membership ; org:member id:person\\/tie ; org:organization id:org\\/acme .
id:membership\\/tie-uni a org:Membership ; org:member id:person\\/tie ; org:organization id:org\\/uni .

id:person\\/nurse a foaf:Person .
id:membership\\/nurse-clinic a org:Membership ; org:member id:person\\/nurse ; org:organization id:org\\/clinic .
id:membership\\/nurse-region a org:Membership ; org:member id:person\\/nurse ; org:organization id:org\\/region .
"""


@pytest.fixture
def rules() -> OxigraphStore:
    return tiny_store(SECTOR_RULES)


def test_affiliations_puts_people_on_one_side_and_organisations_and_groups_on_the_other(tiny):
    G = affiliations(tiny)
    assert nx.is_bipartite(G)
    assert {n for n, b in G.nodes(data="bipartite") if b == 0} == {
        EX + "person/ann",
        EX + "person/pat",
        EX + "person/bob",
    }
    assert G.nodes[EX + "group/board"]["kind"] == "group"
    assert G.nodes[EX + "org/uni"]["type"] == "University"
    assert G.edges[EX + "person/pat", EX + "group/board"]["memberships"] == [EX + "membership/pat-board"]


def test_a_patient_member_takes_the_sector_they_represent_not_their_employers(tiny):
    pat = read_ecosystem(tiny).nodes[EX + "person/pat"]
    assert pat["sector"] == "civil-society"
    assert pat["sectors"] == ["academia", "civil-society"]
    assert pat["sector_source"] == [EX + "membership/pat-board"]


def test_an_office_decides_a_persons_sector_before_plain_memberships(rules):
    kim = read_ecosystem(rules).nodes[EX + "person/kim"]
    assert (kim["sector"], kim["sector_basis"]) == ("industry", "post")
    assert kim["sectors"] == ["academia", "industry"]


def test_a_person_with_only_former_memberships_has_no_sector(rules):
    lee = read_ecosystem(rules).nodes[EX + "person/lee"]
    assert (lee["sector"], lee["sector_basis"], lee["sectors"]) == (None, None, [])


def test_a_party_membership_gives_no_sector_but_a_current_employer_does(rules):
    vic = read_ecosystem(rules).nodes[EX + "person/vic"]
    assert (vic["sector"], vic["sector_basis"], vic["sectors"]) == ("academia", "membership", ["academia"])
    assert vic["sector_source"] == [EX + "org/uni"]


def test_the_sector_of_most_organisations_wins_and_ties_go_alphabetically(rules):
    eco = read_ecosystem(rules)
    assert eco.nodes[EX + "person/max"]["sector"] == "academia"  # two universities, one company
    assert eco.nodes[EX + "person/tie"]["sector"] == "academia"  # one each: academia < industry


def test_an_organisation_that_is_a_region_is_its_own_region_and_others_take_the_stated_one(rules):
    eco = read_ecosystem(rules)
    assert eco.nodes[EX + "org/region"]["region"] == EX + "org/region"
    assert eco.nodes[EX + "org/clinic"]["region"] == EX + "org/region"
    assert eco.nodes[EX + "person/nurse"]["regions"] == [EX + "org/region"]
    assert eco.nodes[EX + "org/uni"]["region"] is None


def test_people_are_linked_once_per_pair_weighted_by_shared_contexts(tiny):
    G = people(tiny)
    assert G.number_of_edges() == 3
    assert G.edges[EX + "person/ann", EX + "person/bob"]["via"] == [EX + "group/board"]
    assert G.edges[EX + "person/ann", EX + "person/bob"]["weight"] == 1


def test_organisations_are_linked_by_shared_groups_and_areas_with_the_reasons_listed(tiny):
    G = organisations(tiny)
    assert set(G) == {EX + "org/uni", EX + "org/acme"}
    edge = G.edges[EX + "org/uni", EX + "org/acme"]
    assert (edge["groups"], edge["areas"], edge["weight"]) == (
        [EX + "group/board"],
        [EX + "area/a1"],
        2,
    )


def test_areas_links_participating_organisations_to_their_area(tiny):
    G = areas(tiny)
    assert G.nodes[EX + "area/a1"]["notation"] == "1"
    assert {G.edges[n, EX + "area/a1"]["relation"] for n in G[EX + "area/a1"]} == {"participatesIn"}
    assert G.degree(EX + "group/board") == 0


def test_build_graph_serves_the_same_frozen_graph_while_the_store_version_is_unchanged(tiny):
    store = OxigraphStore(tiny.raw, "v1")
    try:
        first = build_graph(store, "people")
        assert build_graph(store, "people") is first
        assert nx.is_frozen(first)
        with pytest.raises(nx.NetworkXError):
            first.add_node("x")
    finally:
        clear_cache()


def test_stores_whose_version_says_nothing_about_content_are_never_cached(tiny):
    assert build_graph(tiny, "people") is not build_graph(tiny, "people")
    other = tiny_store("id:person\\/zed a foaf:Person .\n")
    assert build_graph(other, "people").number_of_nodes() == 4


def test_asking_for_an_unknown_graph_names_the_known_ones(tiny):
    with pytest.raises(NotFound, match="affiliations, areas, organisations, people"):
        build_graph(tiny, "friends")
    assert sorted(GRAPHS) == ["affiliations", "areas", "organisations", "people"]


# ------------------------------------------------------------------ the real data (data/*.trig)


def test_the_coordination_group_has_nineteen_members(ecosystem):
    G = build_graph(ecosystem, "affiliations")
    assert G.nodes[CG]["type"] == "CoordinationGroup"
    assert G.degree(CG) == 19


def test_karolinska_institutet_links_ole_petter_ottersen_and_sara_riggare(ecosystem):
    A = build_graph(ecosystem, "affiliations")
    assert {person("ole-petter-ottersen"), person("sara-riggare")} <= set(A[KI])
    P = build_graph(ecosystem, "people")
    assert {CG, KI} <= set(P.edges[person("ole-petter-ottersen"), person("sara-riggare")]["via"])


def test_coordination_group_members_by_sector_match_the_source_lines_50_to_68(ecosystem):
    A = build_graph(ecosystem, "affiliations")
    counts: dict[str, int] = {}
    for member in A[CG]:
        counts[A.nodes[member]["sector"]] = counts.get(A.nodes[member]["sector"], 0) + 1
    # Göran Ando's only organisation is a former one (Novo Nordisk), so his sector is unknown.
    assert counts == {"industry": 6, "public": 4, "healthcare": 4, "academia": 2, "civil-society": 2, None: 1}


def test_every_groups_sectors_agree_with_the_named_query_group_sector_coverage(ecosystem):
    # Both count a member for every sector of a current role (or a sector they represent).
    eco = read_ecosystem(ecosystem)
    A = build_graph(ecosystem, "affiliations")
    query = load_catalogue()["group-sector-coverage"]
    rows = ecosystem.select(query.sparql, query.bind({}, "https://w3id.org/lskg/")).values()
    notation = {label: key for key, label in eco.sector_labels.items()}
    named = {(group, notation[sector]): int(count) for group, sector, count in rows}
    ours = {
        (eco.nodes[g]["label"], s): sum(s in eco.nodes[p]["sectors"] for p in A[g])
        for g in eco.of_kind("group")
        for s in eco.sector_iris
    }
    assert ours == named
    assert ours[("Life science coordination group", "public")] == 4  # Lönnberg's post counts


def test_named_members_get_the_sector_their_triples_imply(ecosystem):
    eco = read_ecosystem(ecosystem)
    lonnberg = eco.nodes[person("anders-lonnberg")]
    assert (lonnberg["sector"], lonnberg["sector_basis"]) == ("public", "post")
    assert lonnberg["sector_source"] == [ID + "org/government-of-sweden"]
    ando = eco.nodes[person("goran-ando")]
    assert (ando["sector"], ando["sector_basis"]) == (None, None)  # Novo Nordisk is a former role
    riggare = eco.nodes[person("sara-riggare")]
    assert (riggare["sector"], riggare["sector_basis"]) == ("civil-society", "represents")
    assert eco.nodes[person("hanna-brodda")]["sector"] is None  # the journalist has no membership


def test_the_eight_collaboration_areas_have_no_stated_participants(ecosystem):
    G = build_graph(ecosystem, "areas")
    area_nodes = [n for n, k in G.nodes(data="kind") if k == "area"]
    assert sorted(G.nodes[a]["notation"] for a in area_nodes) == list("12345678")
    relations = {d["relation"] for _, _, d in G.edges(data=True)}
    assert relations == {"servesArea"}
    assert sorted(G[ID + "area/data-och-information"]) == [
        ID + "infrastructure/biobanks",
        ID + "infrastructure/registers",
    ]


def test_the_life_science_office_is_tied_to_vinnova_through_jenni_nordborg(ecosystem):
    G = build_graph(ecosystem, "organisations")
    edge = G.edges[ID + "org/life-science-office", ID + "org/vinnova"]
    # Source 000 lines 9 and 11: she heads the office and is head of health at Vinnova.
    assert person("jenni-nordborg") in edge["people"]
    assert edge["weight"] == len(edge["people"]) + len(edge["groups"]) + len(edge["areas"])
