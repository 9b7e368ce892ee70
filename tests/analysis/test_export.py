"""Exports re-read by networkx (GraphML, GEXF), Cytoscape.js JSON, Kumu CSV, and the plots."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree

from kg.analysis.export import (
    plot_area_sector_heatmap,
    plot_network,
    scalar_attributes,
    with_measures,
    write_graph,
)
from kg.analysis.graphs import build_graph
from kg.analysis.report import gap_report
from kg.errors import InputError

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
XSD = Path(__file__).resolve().parents[1] / "fixtures" / "xsd"
GEXF = "{http://www.gexf.net/1.2draft}"


@pytest.fixture(scope="module")
def affiliations(ecosystem):
    return build_graph(ecosystem, "affiliations")


def same_attributes(written: dict, read: dict) -> None:
    for key, value in written.items():
        if isinstance(value, float):
            assert read[key] == pytest.approx(value), key
        else:
            assert read[key] == value, key


def test_graphml_round_trips_nodes_edges_and_attributes(affiliations, tmp_path):
    (path,) = write_graph(affiliations, "graphml", tmp_path / "a.graphml")
    read = nx.read_graphml(path)
    assert all(n.startswith("n") for n in read)  # GraphML ids are name tokens; IRIs are not
    back = nx.relabel_nodes(read, dict(read.nodes(data="iri")))
    expected = scalar_attributes(with_measures(affiliations))
    assert set(back) == set(expected)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in expected.edges}
    for n in expected:
        same_attributes(dict(expected.nodes[n]), back.nodes[n])
    for u, v, data in expected.edges(data=True):
        same_attributes(data, back.edges[u, v])
    sara = back.nodes["https://w3id.org/lskg/id/person/sara-riggare"]
    assert (sara["sector"], sara["sectors"], sara["kind"]) == (
        "civil-society",
        "academia|civil-society",
        "person",
    )
    assert back.graph["betweenness_method"] == "exact"
    assert back.graph["node_ids"].startswith("canonical")


def test_graphml_declares_every_data_key_it_uses(affiliations, tmp_path):
    (path,) = write_graph(affiliations, "graphml", tmp_path / "a.graphml")
    root = ET.parse(path).getroot()
    assert root.tag == GRAPHML + "graphml"
    declared = {k.get("id") for k in root.iter(GRAPHML + "key")}
    used = {d.get("key") for d in root.iter(GRAPHML + "data")}
    assert used <= declared


def test_gexf_round_trips_nodes_edges_labels_and_attributes(affiliations, tmp_path):
    (path,) = write_graph(affiliations, "gexf", tmp_path / "a.gexf")
    root = ET.parse(path).getroot()
    assert root.tag == GEXF + "gexf"
    declared = {a.get("id") for a in root.iter(GEXF + "attribute")}
    assert {v.get("for") for v in root.iter(GEXF + "attvalue")} <= declared
    back = nx.read_gexf(path)
    expected = scalar_attributes(with_measures(affiliations))
    assert set(back) == set(expected)
    assert back.number_of_edges() == expected.number_of_edges()
    for n in expected:
        same_attributes(dict(expected.nodes[n]), back.nodes[n])
    edge = back.edges[
        "https://w3id.org/lskg/id/person/goran-ando", "https://w3id.org/lskg/id/org/novo-nordisk"
    ]
    assert edge["former"] is True


def test_cytoscape_json_holds_every_node_and_edge_with_lists_kept_as_lists(ecosystem, tmp_path):
    G = build_graph(ecosystem, "people")
    (path,) = write_graph(G, "cyjs", tmp_path / "people.cyjs")
    data = json.loads(path.read_text(encoding="utf-8"))
    nodes = {n["data"]["id"]: n["data"] for n in data["elements"]["nodes"]}
    assert set(nodes) == set(G)
    assert len(data["elements"]["edges"]) == G.number_of_edges()
    assert nodes["https://w3id.org/lskg/id/person/sara-riggare"]["sectors"] == [
        "academia",
        "civil-society",
    ]
    assert nx.cytoscape_graph(data).number_of_edges() == G.number_of_edges()


def test_csv_export_writes_kumu_columns_and_edges_that_point_at_node_ids(ecosystem, tmp_path):
    G = build_graph(ecosystem, "organisations")
    nodes_path, edges_path = write_graph(G, "csv", tmp_path / "kumu")
    with open(nodes_path, encoding="utf-8") as handle:
        nodes = list(csv.DictReader(handle))
    with open(edges_path, encoding="utf-8") as handle:
        edges = list(csv.DictReader(handle))
    assert list(nodes[0])[:4] == ["Label", "Type", "ID", "Tags"]
    assert {"sector", "kind", "betweenness", "pagerank", "community"} <= set(nodes[0])
    assert list(edges[0])[:5] == ["From", "To", "Type", "Direction", "Strength"]
    assert len(nodes) == G.number_of_nodes() and len(edges) == G.number_of_edges()
    ids = {row["ID"] for row in nodes}
    assert all(row["From"] in ids and row["To"] in ids for row in edges)
    vinnova = next(row for row in nodes if row["Label"] == "Vinnova")
    assert (vinnova["Type"], vinnova["Tags"]) == ("GovernmentAgency", "public")
    office = next(
        row
        for row in edges
        if {row["From"], row["To"]}
        == {
            "https://w3id.org/lskg/id/org/life-science-office",
            "https://w3id.org/lskg/id/org/vinnova",
        }
    )
    assert (office["Type"], office["people"]) == (
        "collaboration",
        "https://w3id.org/lskg/id/person/jenni-nordborg",
    )


def test_an_unknown_export_format_is_refused():
    with pytest.raises(InputError, match="graphml, gexf, cyjs, csv"):
        write_graph(nx.Graph(), "dot", "out.dot")


def test_the_network_plot_and_the_heatmap_are_written_as_images(ecosystem, tmp_path):
    png = plot_network(build_graph(ecosystem, "affiliations"), tmp_path / "a.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = plot_area_sector_heatmap(gap_report(ecosystem), tmp_path / "heat.svg")
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<svg" in text


def test_plots_refuse_unknown_image_types_and_huge_graphs(tmp_path):
    with pytest.raises(InputError, match=r"\.png, \.svg, \.pdf"):
        plot_network(nx.path_graph(3), tmp_path / "g.jpg")
    with pytest.raises(InputError, match="limited to 5000"):
        plot_network(nx.empty_graph(5001), tmp_path / "g.png")


# ------------------------------------------------------------------- the formats' own schemas


def schema(name: str) -> etree.XMLSchema:
    """A vendored schema (tests/fixtures/xsd/README.md); its imports resolve beside it."""
    return etree.XMLSchema(etree.parse(str(XSD / name)))


def assert_valid(xsd: etree.XMLSchema, path: Path) -> None:
    document = etree.parse(str(path))
    assert xsd.validate(document), [str(e) for e in xsd.error_log][:5]


def hand_built() -> nx.Graph:
    """Every kind of attribute value the exports meet: IRIs, lists, None, bool, int, float, inf."""
    G = nx.Graph(name="people")
    a, b, c = (f"https://w3id.org/lskg/id/person/{x}" for x in ("ann", "bob", "cy/d#e"))
    G.add_node(a, iri=a, label="Ann & <Co>", sector="academia", sectors=["academia", "industry"], region=None)
    G.add_node(b, iri=b, label="Bob", sector=None, former=True)
    G.add_node(c, label="Cy", score=float("inf"))
    G.add_edge(a, b, weight=2, via=["https://w3id.org/lskg/id/org/uni", "x"])
    G.add_edge(b, c, weight=1, former=False)
    return G


@pytest.mark.parametrize("name", ["affiliations", "areas", "people", "organisations"])
def test_graphml_exports_of_every_real_graph_validate_against_the_graphml_schema(ecosystem, name, tmp_path):
    (path,) = write_graph(build_graph(ecosystem, name), "graphml", tmp_path / f"{name}.graphml")
    assert_valid(schema("graphml.xsd"), path)


@pytest.mark.parametrize("name", ["affiliations", "areas", "people", "organisations"])
def test_gexf_exports_of_every_real_graph_validate_against_the_gexf_1_2_schema(ecosystem, name, tmp_path):
    (path,) = write_graph(build_graph(ecosystem, name), "gexf", tmp_path / f"{name}.gexf")
    assert_valid(schema("gexf.xsd"), path)
    root = ET.parse(path).getroot()
    assert root.find(f"{GEXF}meta/{GEXF}description").text == f"lskg graph {name!r}"


def test_a_hand_built_graph_exports_valid_graphml_and_gexf_that_read_back_the_same(tmp_path):
    G = hand_built()
    (graphml,) = write_graph(G, "graphml", tmp_path / "g.graphml", measures=False)
    (gexf,) = write_graph(G, "gexf", tmp_path / "g.gexf", measures=False)
    assert_valid(schema("graphml.xsd"), graphml)
    assert_valid(schema("gexf.xsd"), gexf)
    read = nx.read_graphml(graphml)
    keys = {n: d.get("iri", d.get("node_key")) for n, d in read.nodes(data=True)}
    back = nx.relabel_nodes(read, keys)
    assert set(back) == set(G) and {frozenset(e) for e in back.edges} == {frozenset(e) for e in G.edges}
    ann = "https://w3id.org/lskg/id/person/ann"
    assert back.nodes[ann]["label"] == "Ann & <Co>"
    assert back.nodes[ann]["sectors"] == "academia|industry" and "region" not in back.nodes[ann]
    assert (
        back.nodes["https://w3id.org/lskg/id/person/cy/d#e"]["node_key"]
        == "https://w3id.org/lskg/id/person/cy/d#e"
    )
    gexf_back = nx.read_gexf(gexf)
    assert set(gexf_back) == set(G)
    assert gexf_back.nodes[ann]["label"] == "Ann & <Co>"


def test_the_schemas_reject_what_networkx_writes_unchanged(tmp_path):
    # Proof that the validation can fail: IRIs as GraphML ids and GEXF's graph name attribute.
    G = hand_built()
    nx.write_graphml(scalar_attributes(G), tmp_path / "raw.graphml")
    nx.write_gexf(scalar_attributes(G), tmp_path / "raw.gexf")
    graphml = schema("graphml.xsd")
    assert not graphml.validate(etree.parse(str(tmp_path / "raw.graphml")))
    assert "NMTOKEN" in str(graphml.error_log)
    gexf = schema("gexf.xsd")
    assert not gexf.validate(etree.parse(str(tmp_path / "raw.gexf")))
    assert "'name' is not allowed" in str(gexf.error_log)
