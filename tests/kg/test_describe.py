"""Describing a resource: labels, links both ways, provenance per fact, CBD, JSON-LD and VoID."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.build import assemble
from kg.describe import (
    Record,
    cbd,
    describe,
    describe_ontology,
    display_label,
    fold,
    local_path,
    search_labels,
)
from kg.errors import NotFound
from kg.jsonld import context, to_jsonld
from kg.store import OxigraphStore
from kg.vocab import TERMS
from kg.void import void_description

BASE = "https://w3id.org/lskg/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
ACME = BASE + "id/org/acme"
ADA = BASE + "id/person/ada"
EXCERPT = BASE + "id/excerpt/doc/L3-4"

# One excerpt (lines 3–4 of doc.txt) and one web page state a few facts; "Acme"@en is in both.
FIXTURE = """
@prefix lskg:    <https://w3id.org/lskg/ontology#> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix foaf:    <http://xmlns.com/foaf/0.1/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema:  <https://schema.org/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .

<id/excerpt/doc/L3-4> a lskg:Excerpt ; dcterms:isPartOf <id/source/doc> ; lskg:startLine 3 ; lskg:endLine 4 .
<id/websource/page> a lskg:WebSource ; rdfs:label "A page"@en ;
    schema:url <https://example.org/page> ; dcterms:date "2026-01-02"^^xsd:date .

<id/excerpt/doc/L3-4> {
    <id/source/doc> a lskg:SourceDocument ; lskg:fileName "doc.txt" .
    <id/org/acme> a lskg:Company ; rdfs:label "Acme"@en , "Acme AB"@sv ; lskg:sector lskg:SectorIndustry .
    <id/person/ada> a foaf:Person ; rdfs:label "Ada Lövgren" .
    <id/membership/ada-acme> a org:Membership ; org:member <id/person/ada> ;
        org:organization <id/org/acme> ; lskg:roleTitle "CEO"@en .
}

<id/websource/page> {
    <id/org/acme> rdfs:label "Acme"@en ; schema:sameAs <http://www.wikidata.org/entity/Q1> .
}
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    """The fixture facts, the ontology and the shapes, laid out as the build lays them out."""
    data = tmp_path_factory.mktemp("data")
    (data / "fixture.trig").write_text(FIXTURE, encoding="utf-8")
    assembled = assemble(BASE, data)
    return OxigraphStore.from_quads(q for quads in assembled.graphs.values() for q in quads)


def literal(text: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(text, language=lang) if lang else ox.Literal(text)


def test_a_description_has_labels_in_both_languages_and_the_types(store: OxigraphStore) -> None:
    d = describe(store, ACME)
    assert d.label("en") == "Acme"
    assert d.label("sv") == "Acme AB"
    assert d.types == ["https://w3id.org/lskg/ontology#Company"]
    assert d.same_as == ["http://www.wikidata.org/entity/Q1"]


def test_each_fact_carries_every_record_that_states_it(store: OxigraphStore) -> None:
    d = describe(store, ACME)
    sources = {(arc.predicate.value, str(arc.object)): sorted(map(str, arc.records)) for arc in d.outgoing}
    assert sources[(RDFS + "label", str(literal("Acme", "en")))] == [
        "doc.txt, lines 3–4",
        "https://example.org/page (read 2026-01-02)",
    ]
    assert sources[(RDFS + "label", str(literal("Acme AB", "sv")))] == ["doc.txt, lines 3–4"]
    assert sources[("https://schema.org/sameAs", "<http://www.wikidata.org/entity/Q1>")] == [
        "https://example.org/page (read 2026-01-02)"
    ]
    assert [r.kind for r in d.records] == ["excerpt", "web"]


def test_incoming_links_are_named_and_skip_the_reification(store: OxigraphStore) -> None:
    d = describe(store, ACME)
    assert [(a.subject.value, a.predicate.value) for a in d.incoming] == [  # type: ignore[union-attr]
        (BASE + "id/membership/ada-acme", "http://www.w3.org/ns/org#organization")
    ]
    assert d.name(BASE + "id/membership/ada-acme") == "Ada Lövgren – Acme (CEO)"
    assert [str(r) for r in d.incoming[0].records] == ["doc.txt, lines 3–4"]


def test_an_excerpt_is_named_by_file_and_lines_and_lists_what_it_states(store: OxigraphStore) -> None:
    d = describe(store, EXCERPT)
    assert d.label() == "doc.txt, lines 3–4"
    stated = {(a.subject.value, a.predicate.value, str(a.object)) for a in d.stated}  # type: ignore[union-attr]
    assert (ACME, RDFS + "label", str(literal("Acme", "en"))) in stated
    assert (ADA, RDFS + "label", str(literal("Ada Lövgren"))) in stated
    assert not any(s == ACME and p == "https://schema.org/sameAs" for s, p, _ in stated)


def test_the_number_of_arcs_is_bounded(store: OxigraphStore) -> None:
    d = describe(store, ACME, limit=2)
    assert len(d.outgoing) == 2
    assert d.truncated is True
    assert describe(store, ACME).truncated is False


def test_an_unknown_iri_is_not_found(store: OxigraphStore) -> None:
    with pytest.raises(NotFound, match="no-such"):
        describe(store, BASE + "id/org/no-such")
    with pytest.raises(NotFound):
        cbd(store, BASE + "id/org/no-such")


def test_the_cbd_is_the_outgoing_triples_and_their_reified_statements(store: OxigraphStore) -> None:
    triples = cbd(store, ACME)
    own = [t for t in triples if t.subject == ox.NamedNode(ACME)]
    assert {(t.predicate.value, str(t.object)) for t in own} == {
        (arc.predicate.value, str(arc.object)) for arc in describe(store, ACME).outgoing
    }
    statements = {t.subject for t in triples if t.subject != ox.NamedNode(ACME)}
    assert len(statements) == len(own)
    for statement in statements:
        about = {t.predicate.value: t.object for t in triples if t.subject == statement}
        assert about[RDF + "type"] == ox.NamedNode(RDF + "Statement")
        assert about[RDF + "subject"] == ox.NamedNode(ACME)
        assert "http://www.w3.org/ns/prov#wasDerivedFrom" in about
    assert triples == cbd(store, ACME), "the description is stable from call to call"


def test_label_search_ignores_case_and_diacritics_and_ranks_exact_matches_first(store: OxigraphStore) -> None:
    hits = search_labels(store, "LOVGREN")
    assert [(h.iri, h.label) for h in hits] == [(ADA, "Ada Lövgren")]
    acme = search_labels(store, "acme")
    assert [h.iri for h in acme][:1] == [ACME]
    assert acme[0].matched == "Acme"
    assert search_labels(store, "   ") == []


def test_records_are_written_as_people_cite_them() -> None:
    assert str(Record("x", file_name="000_cfe27d1b3417dce0.txt", start_line=50, end_line=50)) == (
        "000_cfe27d1b3417dce0.txt, lines 50–50"
    )
    assert str(Record("w", url="https://example.org/", read_on="2026-11-24")) == (
        "https://example.org/ (read 2026-11-24)"
    )


def test_local_paths_follow_the_configured_base() -> None:
    base = "http://data.example.org/kg/"
    assert local_path(base + "id/org/acme", base) == "/id/org/acme"
    assert local_path(base + "graph/meta", base) == "/graph/meta"
    assert local_path("https://w3id.org/lskg/ontology#Company", base) == "/ontology#Company"
    assert local_path("https://w3id.org/lskg/shapes#OrganisationShape", base) == "/shapes#OrganisationShape"
    assert local_path(BASE + "id/org/acme", base) is None


def test_display_labels_fall_back_from_the_language_asked_for() -> None:
    assert display_label({"en": ["Acme"], "sv": ["Acme AB"]}, "sv") == "Acme AB"
    assert display_label({"": ["Ada"]}, "sv") == "Ada"
    assert display_label({}) == ""
    assert fold("Ärende Östersund") == "arende ostersund"


def test_json_ld_round_trips_through_the_context(store: OxigraphStore) -> None:
    triples = cbd(store, ACME)
    document = to_jsonld(triples, "https://example.org/context.jsonld")
    node = next(n for n in document["@graph"] if n["@id"] == ACME)
    assert node["@type"] == "lskg:Company"
    assert node["sector"] == "https://w3id.org/lskg/ontology#SectorIndustry"
    assert node["sameAs"] == "http://www.wikidata.org/entity/Q1"
    document["@context"] = context()["@context"]
    parsed = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    expected = rdflib.Graph().parse(data="\n".join(f"{t} ." for t in triples), format="nt")
    assert isomorphic(parsed, expected)


def test_the_context_names_every_ontology_property() -> None:
    terms = context()["@context"]
    assert terms["roleTitle"] == {"@id": "lskg:roleTitle"}
    assert terms["operatedBy"] == {"@id": "lskg:operatedBy", "@type": "@id"}
    properties = {name for name in TERMS if name[0].islower()}
    assert properties <= set(terms)


def test_void_counts_the_store(store: OxigraphStore) -> None:
    triples = void_description(
        store, BASE, endpoint=BASE + "sparql", dumps={"application/n-quads": BASE + "dump.nq"}
    )
    graph = rdflib.Graph().parse(data="\n".join(f"{t} ." for t in triples), format="nt")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dataset = rdflib.URIRef(BASE + "dataset")
    assert graph.value(dataset, void.triples).toPython() == len(store)
    company = next(
        p
        for p in graph.objects(dataset, void.classPartition)
        if graph.value(p, void["class"]) == rdflib.URIRef("https://w3id.org/lskg/ontology#Company")
    )
    assert graph.value(company, void.entities).toPython() == 1
    assert graph.value(dataset, void.dataDump) == rdflib.URIRef(BASE + "dump.nq")


def test_the_ontology_description_has_every_term_in_its_section(store: OxigraphStore) -> None:
    header, terms = describe_ontology(store, BASE + "graph/ontology")
    by_name = {t.name: t for t in terms}
    assert set(by_name) >= TERMS
    assert by_name["sector"].section == "Object properties"
    assert by_name["University"].section == "Classes"
    assert by_name["SectorIndustry"].section == "Concepts"
    assert "SectorIndustry" in {i.rsplit("#", 1)[1] for i in by_name["Sector"].instances}
    assert "https://w3id.org/lskg/ontology#CoordinationGroup" in by_name["Group"].subclasses
    assert by_name["University"].labels == {"en": ["University"], "sv": ["Universitet"]}
    assert "http://www.w3.org/2002/07/owl#versionInfo" in header


def test_the_real_graph_traces_sara_riggare_to_line_64(real_store: OxigraphStore) -> None:
    d = describe(real_store, BASE + "id/person/sara-riggare")
    assert {str(r) for arc in d.outgoing for r in arc.records} == {"000_cfe27d1b3417dce0.txt, lines 64–64"}
    memberships = {
        a.subject.value for a in d.incoming if a.predicate.value == "http://www.w3.org/ns/org#member"
    }  # type: ignore[union-attr]
    assert memberships == {
        BASE + "id/membership/cg-sara-riggare",
        BASE + "id/membership/sara-riggare-karolinska-institutet",
    }
