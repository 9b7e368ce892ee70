"""Named queries: header parsing and safe parameter binding."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.catalogue import load_catalogue, parse_query_file, to_term
from kg.errors import InputError
from kg.store import OxigraphStore

BASE = "https://w3id.org/lskg/"

QUERY = """#+ summary: Labels of a thing
#+ description: One parameter.
#+ tags: [test]
#+ params:
#+   - name: thing
#+     type: iri
#+     default: id/org/a
SELECT ?thing ?label WHERE { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def small_store() -> OxigraphStore:
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    g = ox.NamedNode(BASE + "graph/test")
    return OxigraphStore.from_quads(
        [
            ox.Quad(ox.NamedNode(BASE + "id/org/a"), label, ox.Literal("A"), g),
            ox.Quad(ox.NamedNode(BASE + "id/org/b"), label, ox.Literal("B"), g),
        ]
    )


def test_the_header_gives_summary_tags_and_typed_parameters(tmp_path: Path) -> None:
    query = parse_query_file(write(tmp_path, "labels", QUERY))
    assert query.summary == "Labels of a thing"
    assert query.tags == ("test",)
    assert [(p.name, p.type, p.default, p.required) for p in query.params] == [
        ("thing", "iri", "id/org/a", False)
    ]
    assert query.form == "SELECT"


def test_a_bound_parameter_selects_only_that_resource(tmp_path: Path) -> None:
    query = parse_query_file(write(tmp_path, "labels", QUERY))
    store = small_store()
    assert store.select(query.sparql, query.bind({"thing": "id/org/b"}, BASE)).values() == [
        (BASE + "id/org/b", "B")
    ]
    assert store.select(query.sparql, query.bind({}, BASE)).values() == [(BASE + "id/org/a", "A")]


def test_an_injection_attempt_is_a_literal_value_not_query_text(tmp_path: Path) -> None:
    text = QUERY.replace("type: iri", "type: string").replace("default: id/org/a", "default: x")
    text = text.replace(
        "?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label",
        "?s <http://www.w3.org/2000/01/rdf-schema#label> ?thing . BIND(?thing AS ?label)",
    )
    query = parse_query_file(write(tmp_path, "labels", text))
    hostile = '" } ; DROP ALL ; SELECT * { ?s ?p "'
    rows = small_store().select(query.sparql, query.bind({"thing": hostile}, BASE)).values()
    assert rows == []  # matched as a literal, found nowhere; the store is intact
    assert len(small_store()) == 2


@pytest.mark.parametrize(
    ("raw", "kind", "message"),
    [
        ("x> } DROP ALL #", "iri", "not a valid IRI"),
        ("twelve", "integer", "not an integer"),
        ("2016-13-40", "date", "not a date"),
        ("maybe", "boolean", "not true or false"),
        ("1,5", "decimal", "not a decimal"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(raw: str, kind: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        to_term(raw, kind, BASE)


def test_unknown_and_missing_parameters_are_named(tmp_path: Path) -> None:
    query = parse_query_file(write(tmp_path, "labels", QUERY.replace("#+     default: id/org/a\n", "")))
    with pytest.raises(InputError, match="needs the parameter 'thing'"):
        query.bind({}, BASE)
    with pytest.raises(InputError, match="has no parameter colour"):
        query.bind({"thing": "id/org/a", "colour": "red"}, BASE)


def test_a_parameter_missing_from_the_select_clause_is_refused_when_loading(tmp_path: Path) -> None:
    text = QUERY.replace("SELECT ?thing ?label", "SELECT ?label")
    with pytest.raises(InputError, match=r"must appear as \?thing in the SELECT clause"):
        parse_query_file(write(tmp_path, "labels", text))


def test_a_broken_header_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"bad\.rq: the #\+ header is not valid YAML"):
        parse_query_file(write(tmp_path, "bad", "#+ summary: [unclosed\nSELECT * {}"))


def test_query_file_names_must_be_lowercase_words(tmp_path: Path) -> None:
    write(tmp_path, "Bad_Name", QUERY)
    with pytest.raises(InputError, match="lower-case words"):
        load_catalogue(tmp_path)
