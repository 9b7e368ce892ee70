"""Every SHACL shape in ``ontology/shapes.ttl`` against two tiny fixtures of its own.

For a shape named ``XShape`` there are ``tests/fixtures/shapes/XShape-conforms.ttl`` (no result
of any severity) and ``XShape-violates.ttl`` (breaks every constraint of the shape at least once;
the exact results are listed in :data:`EXPECTED`). Shapes are discovered from shapes.ttl, so a
new shape without fixtures and a table fails here rather than going untested.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, SH

from kg.build import assemble, validate_assembled
from kg.validate import ValidationReport, load_ontology, load_shapes, validate_graph

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"
EX = "https://example.org/"
LSKG = "https://w3id.org/lskg/ontology#"
SHAPES = "https://w3id.org/lskg/shapes#"
BASE = "https://w3id.org/lskg/"

V = "Violation"
W = "Warning"

# (severity, focus node in ex:, path) of every result of each shape's violating fixture. A row
# appears once per result: one focus node can break several constraints on the same path.
EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    "OrganisationShape": [
        (V, "unlabelled", "rdfs:label"),  # no label
        (W, "unlabelled", "rdfs:label"),  # ... so no @sv label
        (W, "unlabelled", "rdfs:label"),  # ... and no @en label
        (V, "untagged", "rdfs:label"),  # a label without a language tag
        (W, "swedish-only", "rdfs:label"),  # no @en label
        (W, "english-only", "rdfs:label"),  # no @sv label
        (V, "sectorless", "lskg:sector"),
        (V, "two-sectors", "lskg:sector"),
        (V, "ror-type-as-sector", "lskg:sector"),  # not an lskg:Sector
        (W, "unidentified", "schema:sameAs|schema:identifier"),
        (V, "unit-of-nothing", "org:unitOf"),
    ],
    "GroupShape": [
        (V, "unlabelled-group", "rdfs:label"),
        (V, "group-with-sector", "lskg:sector"),
        (V, "group-attached-to-programme", "lskg:attachedToArea"),
    ],
    "ProgrammeShape": [
        (V, "unlabelled-programme", "rdfs:label"),
        (V, "programme-with-untyped-area", "lskg:hasCollaborationArea"),
        (V, "programme-with-text-date", "schema:foundingDate"),
    ],
    "PersonShape": [
        (V, "nameless", "rdfs:label"),
        (W, "loner", "^org:member"),
        (V, "reachable", "schema:email"),
        (V, "reachable", "foaf:mbox"),
        (V, "reachable", "vcard:hasEmail"),
        (V, "reachable", "schema:telephone"),
        (V, "reachable", "foaf:phone"),
        (V, "reachable", "vcard:hasTelephone"),
        (V, "reachable", "schema:address"),
        (V, "reachable", "vcard:hasAddress"),
    ],
    "MembershipShape": [
        (V, "no-member", "org:member"),
        (V, "two-members", "org:member"),
        (V, "member-not-an-agent", "org:member"),
        (V, "no-organisation", "org:organization"),
        (V, "two-organisations", "org:organization"),
        (V, "organisation-not-an-organisation", "org:organization"),
        (V, "no-role", "org:role"),
        (V, "status-as-role", "org:role"),
        (V, "current-and-former", "lskg:roleStatus"),  # one result for the count
        (V, "sector-as-status", "lskg:roleStatus"),
        (V, "overtime", "lskg:workingTimeFraction"),  # 1.5 > 1
        (V, "full-time-as-integer", "lskg:workingTimeFraction"),  # 1 is an xsd:integer
        (V, "eight-days-a-week", "lskg:daysPerWeek"),
        (V, "during-a-year", "org:memberDuring"),
    ],
    "PostShape": [
        (V, "unlabelled-post", "rdfs:label"),
        (V, "post-in-nothing", "org:postIn"),
        (V, "post-in-untyped", "org:postIn"),
        (V, "post-held-by-company", "org:heldBy"),
    ],
    "RoleShape": [
        (V, "unlabelled-role", "skos:prefLabel"),  # no label
        (W, "unlabelled-role", "skos:prefLabel"),  # ... so no @sv label
        (W, "english-only-role", "skos:prefLabel"),
    ],
    "CollaborationAreaShape": [
        (V, "unlabelled-area", "skos:prefLabel"),  # no label
        (V, "unlabelled-area", "skos:prefLabel"),  # ... so not exactly one @sv label
        (W, "unlabelled-area", "skos:prefLabel"),  # ... and no @en label
        (V, "english-only-area", "skos:prefLabel"),  # no @sv label
        (V, "twice-swedish-area", "skos:prefLabel"),  # two @sv labels
        (W, "swedish-only-area", "skos:prefLabel"),  # no @en label
        (V, "schemeless-area", "skos:inScheme"),
        (W, "aimless-area", "lskg:aim"),
        (V, "untagged-aim-area", "lskg:aim"),
    ],
    "MeetingShape": [
        (V, "undated-meeting", "schema:startDate"),
        (V, "text-dated-meeting", "schema:startDate"),
        (V, "impossibly-dated-meeting", "schema:startDate"),  # 30 February
        (V, "meeting-organised-by-untyped", "schema:organizer"),
    ],
    "MilestoneShape": [
        (V, "unlabelled-milestone", "rdfs:label"),
        (V, "undated-milestone", "time:inXSDgYear|time:inXSDgYearMonth|time:inXSDDate"),
        (V, "year-as-text", "time:inXSDgYear"),
        (V, "month-as-date", "time:inXSDgYearMonth"),  # wrong datatype
        (V, "month-as-date", "time:inXSDgYearMonth"),  # ... and not a year-month pattern
        (V, "day-as-year", "time:inXSDDate"),
        (V, "malformed-year", "time:inXSDgYear"),  # "20x9"
    ],
    "ConceptShape": [
        (V, "unlabelled-challenge", "skos:prefLabel"),  # no label
        (W, "unlabelled-challenge", "skos:prefLabel"),  # ... so no @sv label
        (W, "english-only-sector", "skos:prefLabel"),
        (W, "english-only-status", "skos:prefLabel"),
    ],
    "WeaknessShape": [
        (V, "weakness-about-nothing", "lskg:concerns"),
        (W, "anonymous-weakness", "prov:wasAttributedTo"),
    ],
    "TaskShape": [
        (V, "unlabelled-task", "rdfs:label"),
        (V, "task-consulting-ror-type", "lskg:consultsSector"),
    ],
    "StrategyShape": [
        (V, "unlabelled-strategy", "rdfs:label"),
        (V, "strategy-planned-for-a-month", "lskg:plannedFor"),
    ],
    "InfrastructureShape": [
        (V, "unlabelled-register", "rdfs:label"),
        (V, "lab-serving-untyped", "lskg:servesArea"),
        (V, "infrastructure-run-by-untyped", "lskg:operatedBy"),
    ],
    "SourceDocumentShape": [
        (V, "unlabelled-document", "rdfs:label"),
        (V, "fileless-document", "lskg:fileName"),
        (V, "two-file-document", "lskg:fileName"),
        (V, "text-issued-document", "dcterms:issued"),
    ],
    "ExcerptShape": [
        (V, "orphan-excerpt", "dcterms:isPartOf"),
        (V, "excerpt-of-two-documents", "dcterms:isPartOf"),
        (V, "excerpt-of-untyped", "dcterms:isPartOf"),
        (V, "excerpt-without-start", "lskg:startLine"),
        (V, "excerpt-from-line-0", "lskg:startLine"),
        (V, "excerpt-without-end", "lskg:endLine"),
        (V, "excerpt-with-two-ends", "lskg:endLine"),
        (V, "backwards-excerpt", "lskg:startLine"),  # start line after end line
    ],
    "WebSourceShape": [
        (V, "addressless-page", "schema:url"),
        (V, "string-address-page", "schema:url"),
        (V, "undated-page", "dcterms:date"),
        (V, "month-dated-page", "dcterms:date"),
    ],
    "SiteShape": [
        (V, "unlabelled-country", "rdfs:label"),
        (V, "site-with-untyped-address", "org:siteAddress"),
    ],
}


@cache
def shapes_graph() -> rdflib.Graph:
    """The shapes graph, parsed once: results point into it through sh:sourceShape."""
    return load_shapes()


@cache
def ontology_graph() -> rdflib.Graph:
    """The ontology graph, parsed once."""
    return load_ontology()


def node_shapes() -> list[str]:
    """The local names of the node shapes declared in shapes.ttl, sorted."""
    return sorted(
        str(s).removeprefix(SHAPES)
        for s in shapes_graph().subjects(RDF.type, SH.NodeShape)
        if str(s).startswith(SHAPES)
    )


SHAPE_NAMES = node_shapes()


def fixture_path(shape: str, kind: str) -> Path:
    """The fixture ``<shape>-<kind>.ttl``, failing the test (not skipping it) when it is missing."""
    path = FIXTURES / f"{shape}-{kind}.ttl"
    if not path.is_file():
        pytest.fail(f"{shape} has no fixture {path.relative_to(FIXTURES.parents[1])}")
    return path


@cache
def validate_fixture(shape: str, kind: str) -> ValidationReport:
    """Validate one fixture as the build validates the data: together with the ontology graph.

    The ontology is added to the data, not only passed as pyshacl's ``ont_graph``: pyshacl copies
    class and property axioms from ``ont_graph`` but not the SKOS concepts typed ``lskg:Sector``
    or ``lskg:RoleStatus``, which ``sh:class`` constraints need (see ``validate_assembled``).
    """
    data = rdflib.Graph().parse(fixture_path(shape, kind), format="turtle")
    return validate_graph(data + ontology_graph(), shapes_graph(), ontology_graph())


def local(iri: str) -> str:
    """``ex:`` nodes by their local name, any other node by its full IRI."""
    return iri.removeprefix(EX)


def property_shapes(shape: str) -> set[rdflib.term.Node]:
    """The property shapes (constraints) of one node shape."""
    return set(shapes_graph().objects(rdflib.URIRef(SHAPES + shape), SH.property))


def describe(node: rdflib.term.Node) -> str:
    """A property shape as ``Shape path "message"``, for failure messages."""
    graph = shapes_graph()
    owner = graph.value(predicate=SH.property, object=node)
    path = graph.value(node, SH.path)
    path_text = path.n3(graph.namespace_manager) if isinstance(path, rdflib.URIRef) else "(complex path)"
    return f'{str(owner).removeprefix(SHAPES)} {path_text} "{graph.value(node, SH.message)}"'


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_a_conforming_fixture_has_no_results(shape: str) -> None:
    report = validate_fixture(shape, "conforms")
    assert report.results == []


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_a_conforming_fixture_describes_a_node_the_shape_targets(shape: str) -> None:
    data = rdflib.Graph().parse(fixture_path(shape, "conforms"), format="turtle")
    targets = set(shapes_graph().objects(rdflib.URIRef(SHAPES + shape), SH.targetClass))
    typed = {o for o in data.objects(None, RDF.type) if o in targets}
    assert typed, f"{shape}-conforms.ttl has no node of a class {shape} targets"


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_a_violating_fixture_has_exactly_the_expected_results(shape: str) -> None:
    if shape not in EXPECTED:
        pytest.fail(f"{shape} has no table of expected results in EXPECTED")
    report = validate_fixture(shape, "violates")
    actual = Counter((r.severity, local(r.focus), r.path) for r in report.results)
    assert actual == Counter(EXPECTED[shape])


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_a_violating_fixture_breaks_every_constraint_of_its_shape_and_no_other(shape: str) -> None:
    report = validate_fixture(shape, "violates")
    assert report.graph is not None
    fired = set(report.graph.objects(None, SH.sourceShape))
    expected = property_shapes(shape)
    assert sorted(map(describe, expected - fired)) == [], "constraints that never fired"
    assert sorted(map(describe, fired - expected)) == [], "results from constraints of other shapes"


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_every_result_of_a_violating_fixture_has_a_message(shape: str) -> None:
    report = validate_fixture(shape, "violates")
    assert report.results, f"{shape}-violates.ttl produced no results"
    assert [r for r in report.results if not r.message.strip()] == []


def test_every_fixture_and_every_table_belongs_to_a_shape() -> None:
    fixtures = {p.name for p in FIXTURES.glob("*.ttl")}
    wanted = {f"{shape}-{kind}.ttl" for shape in SHAPE_NAMES for kind in ("conforms", "violates")}
    assert sorted(fixtures - wanted) == []
    assert sorted(set(EXPECTED) - set(SHAPE_NAMES)) == []


def test_every_class_of_the_ontology_is_the_target_class_of_a_shape() -> None:
    classes = {c for c in ontology_graph().subjects(RDF.type, OWL.Class) if str(c).startswith(LSKG)}
    targets = set(shapes_graph().objects(None, SH.targetClass))
    assert len(classes) > 30  # the namespace matched: an empty set would pass vacuously
    assert sorted(str(c) for c in classes - targets) == []


def test_every_property_shape_has_a_message_and_an_explicit_severity() -> None:
    graph = shapes_graph()
    constraints = set(graph.objects(None, SH.property))
    assert len(constraints) > 50  # the shapes were found: an empty set would pass vacuously
    severities = {SH.Violation, SH.Warning, SH.Info}
    without_message = [describe(c) for c in constraints if not str(graph.value(c, SH.message) or "").strip()]
    without_severity = [describe(c) for c in constraints if graph.value(c, SH.severity) not in severities]
    assert sorted(without_message) == []
    assert sorted(without_severity) == []


def test_the_real_data_has_no_violations() -> None:
    report = validate_assembled(assemble(BASE))
    assert [(r.focus, r.path, r.message) for r in report.violations] == []
    # Some results prove the shapes ran over the data (the graph has known gaps, as Warnings).
    assert report.warnings
