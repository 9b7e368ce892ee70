"""The gap report on the real data: concrete, checkable claims, each traced to triples."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import networkx as nx
import pyoxigraph as ox
import pytest

from kg.analysis.graphs import build_graph
from kg.analysis.report import gap_report, render_html, render_json, render_markdown

ID = "https://w3id.org/lskg/id/"
CG = ID + "group/life-science-coordination-group"
ORG = "http://www.w3.org/ns/org#"


@pytest.fixture(scope="module")
def report(ecosystem):
    return gap_report(ecosystem)


def group(report, iri):
    (found,) = [g for g in report["groups"] if g["iri"] == iri]
    return found


def test_the_report_says_no_source_states_participation_in_any_of_the_eight_areas(report):
    assert len(report["areas"]) == 8
    assert report["findings"][0]["text"].startswith(
        "No source states that any organisation or person participates in any of the 8 "
        "collaboration areas (0 lskg:participatesIn triples)"
    )
    for area in report["areas"]:
        assert area["participants"] == []
        assert area["coverage"]["present"] == []
        assert len(area["coverage"]["missing"]) == 5
        assert area["coverage"]["diversity"] is None


def test_areas_are_listed_in_the_order_of_their_notation_with_the_infrastructures_serving_them(report):
    assert [a["notation"] for a in report["areas"]] == list("12345678")
    served = {a["notation"]: [i["label"] for i in a["infrastructures"]] for a in report["areas"]}
    assert served["4"] == ["Swedish biobanks", "Swedish health registers"]
    assert served["5"] == ["Public and private physical infrastructure"]


def test_the_coordination_group_has_all_five_sectors_with_industry_the_largest(report):
    cg = group(report, CG)
    assert len(cg["members"]) == 19
    assert cg["coverage"]["counts"] == {
        "academia": 2,
        "civil-society": 2,
        "healthcare": 4,
        "industry": 6,
        "public": 4,
    }
    assert cg["coverage"]["missing"] == []
    assert cg["single_points_of_failure"]["sector_single_points"] == []
    assert (
        "The Life science coordination group has 19 members from 5 of 5 sectors (Industry 6, "
        "Healthcare 4, Public sector 4, Academia 2, Patients and civil society 2); no sector is "
        "missing."
    ) in [f["text"] for f in report["findings"]]


def test_the_coordination_groups_regions_are_the_three_regions_among_its_member_organisations(report):
    regions = group(report, CG)["regions"]
    assert [r["label"] for r in regions] == [
        "Region Skåne",
        "Västerbotten County Council",
        "Västra Götaland Region",
    ]
    assert {r["basis"] for r in regions} == {"is an lskg:Region"}


def test_groups_without_named_members_lack_every_sector_and_say_why(report):
    for iri in (ID + "group/referensgrupp-life-science", ID + "group/arbetsgrupper-life-science"):
        g = group(report, iri)
        assert g["members"] == []
        assert len(g["coverage"]["missing"]) == 5
        assert "No source names any member" in g["notes"][0]


def test_goran_ando_is_the_single_point_of_failure_that_ties_novo_nordisk_to_the_group(report):
    # Source 000 line 51: Novo Nordisk appears only as Göran Ando's former employer.
    cuts = {c["iri"]: c for c in group(report, CG)["single_points_of_failure"]["cut_points"]}
    ando = cuts[ID + "person/goran-ando"]
    assert [n["label"] for n in ando["cut_off"]] == ["Novo Nordisk"]


def test_each_listed_cut_point_cuts_off_what_removing_it_from_the_graph_cuts_off(ecosystem, report):
    A = build_graph(ecosystem, "affiliations")
    for cut in group(report, CG)["single_points_of_failure"]["cut_points"]:
        component = A.subgraph(nx.node_connected_component(A, cut["iri"])).copy()
        component.remove_node(cut["iri"])
        pieces = sorted((len(c) for c in nx.connected_components(component)), reverse=True)
        assert cut["pieces"] == pieces
        assert cut["cut_off_count"] == sum(pieces[1:])


def test_the_coordination_group_node_is_the_most_damaging_articulation_point(ecosystem, report):
    top = report["network"]["articulation_points"]["top"][0]
    assert top["iri"] == CG
    A = build_graph(ecosystem, "affiliations")
    component = A.subgraph(nx.node_connected_component(A, CG)).copy()
    component.remove_node(CG)
    pieces = sorted((len(c) for c in nx.connected_components(component)), reverse=True)
    assert top["pieces"] == pieces
    assert top["cut_off_count"] == sum(pieces[1:])


def test_darja_isaksson_brokers_between_jenni_nordborg_and_the_group_across_sectors(report):
    # Source 000 lines 11 and 57: both work at Vinnova; only Darja Isaksson sits in the group.
    brokers = {b["iri"]: b for b in group(report, CG)["top_brokers"]}
    darja = brokers[ID + "person/darja-isaksson"]["brokerage"]
    assert darja["gatekeeper"] == darja["representative"] > 0  # undirected: one of each per path
    assert darja["liaison"] == darja["itinerant"] == 0  # she and Jenni Nordborg are both public


def test_every_listed_membership_is_stated_in_the_store(ecosystem, report):
    for row in group(report, CG)["members"]:
        for membership in row["memberships"]:
            query = f"ASK {{ <{membership}> <{ORG}member> <{row['iri']}> ; <{ORG}organization> <{CG}> }}"
            assert ecosystem.query(query), membership


def test_every_iri_given_as_evidence_occurs_in_the_store(ecosystem, report):
    for finding in report["findings"]:
        for iri in finding["evidence"]:
            table = ecosystem.select(
                "SELECT ?n WHERE { { ?n ?p ?y } UNION { ?x ?n ?y } UNION { ?x ?p ?n } } LIMIT 1",
                bindings={"n": ox.NamedNode(iri)},
            )
            assert table.rows, iri


def test_every_entity_in_the_report_carries_its_iri(report):
    def walk(value):
        if isinstance(value, dict):
            if "label" in value:
                assert value.get("iri", "").startswith("https://w3id.org/lskg/"), value
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk({k: v for k, v in report.items() if k != "measures"})


def test_the_json_rendering_round_trips_to_the_same_report(report):
    assert json.loads(render_json(report)) == report


def test_the_markdown_rendering_links_entities_and_explains_numbers(report):
    text = render_markdown(report)
    assert f"[Life science coordination group](<{CG}>)" in text
    assert "- Evenness: 0.946 — Pielou's evenness" in text
    assert text.count("### ") == 8 + 3


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_html_rendering_is_self_contained_and_links_every_entity_to_its_iri(report):
    page = render_html(report)
    parser = _Tags()
    parser.feed(page)
    tags = {t for t, _ in parser.tags}
    assert not tags & {"script", "link", "img", "iframe", "object"}
    assert all("src" not in attrs for _, attrs in parser.tags)
    hrefs = [attrs["href"] for t, attrs in parser.tags if t == "a"]
    assert hrefs and all(h.startswith(("https://w3id.org/lskg/", "http")) for h in hrefs)
    assert f'href="{CG}"' in page
