"""kg/vocab.py and ontology/lskg.ttl agree in both directions."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg import vocab
from kg.vocab import LSKG, TERMS
from kg.vocabgen import NAMESPACE, ontology_terms, render


def test_every_ontology_term_has_a_constant_in_vocab() -> None:
    missing = [t for t in ontology_terms() if not hasattr(LSKG, t)]
    assert missing == []


def test_every_vocab_constant_is_defined_by_the_ontology() -> None:
    defined = set(ontology_terms())
    constants = {n for n, v in vars(LSKG).items() if isinstance(v, ox.NamedNode)}
    assert constants - defined == set()
    assert constants == set(TERMS)


def test_vocab_constants_carry_the_ontology_namespace() -> None:
    assert LSKG.Excerpt == ox.NamedNode(NAMESPACE + "Excerpt")
    assert LSKG.sector.value == "https://w3id.org/lskg/ontology#sector"


def test_the_generated_module_is_up_to_date_with_the_ontology() -> None:
    assert Path(vocab.__file__).read_text(encoding="utf-8") == render(ontology_terms())


def test_every_minted_term_has_labels_and_comments_in_english_and_swedish() -> None:
    from kg.paths import resource_dir

    quads = list(ox.parse(path=str(resource_dir("ontology") / "lskg.ttl"), format=ox.RdfFormat.TURTLE))
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    owl = "http://www.w3.org/2002/07/owl#"
    typed = {
        q.subject.value
        for q in quads
        if q.predicate.value.endswith("#type")
        and q.object.value in (owl + "Class", owl + "ObjectProperty", owl + "DatatypeProperty")
        and q.subject.value.startswith(NAMESPACE)
    }
    assert len(typed) > 50
    for predicate in ("label", "comment"):
        langs: dict[str, set[str]] = {}
        for q in quads:
            if q.predicate.value == rdfs + predicate and isinstance(q.object, ox.Literal):
                langs.setdefault(q.subject.value, set()).add(q.object.language or "")
        lacking = sorted(t for t in typed if not {"en", "sv"} <= langs.get(t, set()))
        assert lacking == [], f"rdfs:{predicate} missing en/sv"
