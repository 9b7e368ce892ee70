"""lskg diff: added and removed quads per named graph, between builds or dump files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox

from kg.build import build, statement_iri
from kg.config import Settings
from kg.diff import DEFAULT_GRAPH, diff_paths

BASE = "https://w3id.org/lskg/"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def test_the_diff_of_two_builds_lists_exactly_the_quads_added_and_removed(tmp_path: Path) -> None:
    old_data, new_data = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FIXTURES / "data", old_data)
    shutil.copytree(FIXTURES / "data", new_data)
    seed = new_data / "seed.trig"
    seed.write_text(
        seed.read_text(encoding="utf-8").replace('skos:altLabel "S"@sv', 'skos:altLabel "S-partiet"@sv'),
        encoding="utf-8",
    )
    old_store, new_store = tmp_path / "a" / "store", tmp_path / "b" / "store"
    build(Settings(store=str(old_store), data_dir=str(old_data)))
    build(Settings(store=str(new_store), data_dir=str(new_data)))

    diff = diff_paths(old_store, new_store)

    party = ox.NamedNode(f"{BASE}id/org/socialdemokraterna")
    alt = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    old_fact = ox.Triple(party, alt, ox.Literal("S", language="sv"))
    new_fact = ox.Triple(party, alt, ox.Literal("S-partiet", language="sv"))
    facts, provenance = ox.NamedNode(f"{BASE}graph/seed"), ox.NamedNode(f"{BASE}graph/seed/provenance")

    def reified(fact: ox.Triple) -> set[ox.Quad]:
        st = statement_iri(BASE, fact)
        return {
            ox.Quad(st, ox.NamedNode(RDF + "type"), ox.NamedNode(RDF + "Statement"), provenance),
            ox.Quad(st, ox.NamedNode(RDF + "subject"), fact.subject, provenance),
            ox.Quad(st, ox.NamedNode(RDF + "predicate"), fact.predicate, provenance),
            ox.Quad(st, ox.NamedNode(RDF + "object"), fact.object, provenance),
            ox.Quad(
                st,
                ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"),
                ox.NamedNode(f"{BASE}id/websource/fixture"),
                provenance,
            ),
        }

    assert [(g.graph, set(g.added), set(g.removed)) for g in diff.graphs] == [
        (
            facts.value,
            {ox.Quad(party, alt, new_fact.object, facts)},
            {ox.Quad(party, alt, old_fact.object, facts)},
        ),
        (provenance.value, reified(new_fact), reified(old_fact)),
    ]
    assert (diff.added_count, diff.removed_count, diff.notes) == (6, 6, [])
    text = diff.to_text(BASE)
    assert '  - <id/org/socialdemokraterna> skos:altLabel "S"@sv .' in text
    assert '  + <id/org/socialdemokraterna> skos:altLabel "S-partiet"@sv .' in text
    assert text.splitlines()[-1] == "2 graph(s) changed: +6 -6 quads"


def test_a_build_compared_with_itself_has_no_differences(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(Settings(store=str(store), data_dir=str(FIXTURES / "data")))
    diff = diff_paths(store, store.resolve())
    assert not diff.changed
    assert diff.to_text() == "No differences."


def test_dump_files_are_compared_after_canonical_blank_node_labels(tmp_path: Path) -> None:
    old, same, changed = tmp_path / "old.nq", tmp_path / "same.nq", tmp_path / "changed.nq"
    template = (
        '_:{a} <http://e/name> "{name}" <http://e/g> .\n'
        "<http://e/x> <http://e/knows> _:{a} <http://e/g> .\n"
        '<http://e/x> <http://e/label> "x" .\n'
    )
    old.write_text(template.format(a="b1", name="Ada"), encoding="utf-8")
    same.write_text(template.format(a="zz9", name="Ada"), encoding="utf-8")
    changed.write_text(template.format(a="b1", name="Ada E."), encoding="utf-8")
    assert not diff_paths(old, same).changed
    diff = diff_paths(old, changed)
    assert [(g.graph, len(g.added), len(g.removed)) for g in diff.graphs] == [("http://e/g", 1, 1)]
    assert diff.notes == ["http://e/g: compared after canonical blank-node relabelling"]
    document = json.loads(diff.to_json())
    assert (document["added"], document["removed"]) == (1, 1)
    assert any('"Ada E."' in t for t in document["graphs"][0]["added_triples"])


def test_the_default_graph_of_a_dump_is_compared_as_its_own_graph(tmp_path: Path) -> None:
    old, new = tmp_path / "old.nq", tmp_path / "new.nq"
    old.write_text('<http://e/x> <http://e/label> "x" .\n', encoding="utf-8")
    new.write_text('<http://e/x> <http://e/label> "y" .\n', encoding="utf-8")
    diff = diff_paths(old, new)
    assert [
        (g.graph, [str(q.object) for q in g.added], [str(q.object) for q in g.removed]) for g in diff.graphs
    ] == [(DEFAULT_GRAPH, ['"y"'], ['"x"'])]
