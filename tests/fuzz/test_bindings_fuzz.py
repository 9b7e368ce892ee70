"""Hypothesis: any string bound through the remote store's VALUES injection stays one literal."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.remote import inject_values

QUERY = "SELECT ?n WHERE { ?s <http://e/p> ?n }"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_bound_string_is_one_literal_and_the_query_still_parses(text: str) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal(text)))
    rewritten = inject_values(QUERY, {"n": ox.Literal(text)})
    result = store.query(rewritten)
    assert isinstance(result, ox.QuerySolutions)
    assert [s["n"] for s in result] == [ox.Literal(text)]
