"""Hypothesis: SPARQL-ish text to /sparql and Turtle-ish text to the data-file parser.

Whatever the text, /sparql answers 200 (it ran) or 400 (a clear refusal), never 5xx; and
``kg.build.parse_rdf_file`` returns quads or raises :class:`~kg.errors.InputError` naming the
file, never another exception.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from kg.build import parse_rdf_file
from kg.errors import InputError
from tests.api.conftest import settings_for

SPARQL_WORDS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS",
    "GRAPH", "SERVICE", "SILENT", "BIND", "AS", "VALUES", "LIMIT", "OFFSET", "ORDER BY", "GROUP BY",
    "HAVING", "COUNT(*)", "DISTINCT", "PREFIX", "BASE", "FROM", "FROM NAMED", "LOAD", "INSERT DATA",
    "DELETE WHERE", "regex(", "STR(", "LANG(", "NOT EXISTS", "a", "*", ".", ";", ",", "(", ")",
    "{", "}", "[", "]", "<", ">", "=", "!=", "&&", "||", "^^", "@en", "#", "\n",
]  # fmt: skip
TURTLE_WORDS = [
    "@prefix", "@base", "PREFIX", "ex:", ":", "a", ".", ";", ",", "[", "]", "(", ")", "{", "}",
    "GRAPH", "true", "false", "^^", "@sv", "_:b0", "<<", ">>", "#", "\n", '"""', "'",
]  # fmt: skip

iris = st.sampled_from(
    [
        "<https://w3id.org/lskg/id/org/vinnova>",
        "<http://www.w3.org/2000/01/rdf-schema#label>",
        "<http://127.0.0.1:9/>",
        "<file:///etc/passwd>",
        "<>",
        "<#x>",
        "<http://e/ spaced>",
    ]
)
literals = st.one_of(
    st.text(max_size=12).map(lambda t: '"' + t + '"'),
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(['"x"@sv', '"1"^^<http://www.w3.org/2001/XMLSchema#integer>', "1.5e3", "'a'"]),
)
variables = st.sampled_from(["?s", "?p", "?o", "$x", "?"])
prefixed = st.sampled_from(["rdfs:label", "org:member", "lskg:Organisation", "ex:", ":x"])
noise = st.text(max_size=6)


def _sentence(words: list[str], extras: list[st.SearchStrategy[str]]) -> st.SearchStrategy[str]:
    token = st.one_of(st.sampled_from(words), *extras)
    return st.lists(token, max_size=40).map(" ".join)


sparqlish = st.one_of(
    _sentence(SPARQL_WORDS, [iris, literals, variables, prefixed, noise]),
    # Half of them start like a real query, so the parser gets past the first token.
    _sentence(SPARQL_WORDS, [iris, literals, variables, prefixed, noise]).map(
        lambda t: "SELECT * WHERE { " + t
    ),
)
turtleish = st.one_of(
    _sentence(TURTLE_WORDS, [iris, literals, prefixed, noise]),
    _sentence(TURTLE_WORDS, [iris, literals, prefixed]).map(lambda t: "@prefix ex: <http://e/> .\n" + t),
)

_names = itertools.count()


@pytest.fixture(scope="module")
def client(real_store_path: Path) -> Iterator[TestClient]:
    """The API over the real graph; a short query limit so an accidental huge join stays short."""
    with TestClient(create_app(settings_for(real_store_path, query_timeout=10.0))) as test_client:
        yield test_client


@pytest.mark.parametrize("digit", ["²", "٣"])
def test_a_non_ascii_digit_in_a_query_is_400_not_500(client: TestClient, digit: str) -> None:
    response = client.get("/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p {digit} }}"})
    assert response.status_code == 400


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=sparqlish)
def test_any_sparqlish_text_is_answered_200_or_400(client: TestClient, query: str) -> None:
    # The known 500 above stays out of the way, so that the rest of the space is still searched.
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/json"})
    assert response.status_code in (200, 400), (query, response.status_code, response.text[:300])
    if response.status_code == 400:
        assert response.json()["error"] in ("query-syntax", "query-refused", "bad-input")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=turtleish, suffix=st.sampled_from([".ttl", ".trig", ".nt", ".nq"]))
def test_any_turtleish_text_parses_to_quads_or_is_an_input_error(
    tmp_path: Path, text: str, suffix: str
) -> None:
    path = tmp_path / f"fuzz-{next(_names)}{suffix}"
    path.write_text(text, encoding="utf-8")
    try:
        quads = parse_rdf_file(path)
    except InputError as exc:
        assert str(path) in str(exc)
    else:
        assert all(isinstance(quad, ox.Quad) for quad in quads)
