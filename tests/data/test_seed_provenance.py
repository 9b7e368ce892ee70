"""Every excerpt points at real lines of a real seed document, and those lines say what the
facts derived from them claim (names appear there verbatim). Needs ../shared/seeds."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from kg.paths import resource_dir
from kg.store import OxigraphStore

EXCERPTS = """
PREFIX lskg: <https://w3id.org/lskg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?excerpt ?file ?start ?end WHERE {
  ?excerpt a lskg:Excerpt ; dcterms:isPartOf ?doc ; lskg:startLine ?start ; lskg:endLine ?end .
  ?doc lskg:fileName ?file .
}"""


def seed_lines(seeds: Path, file: str) -> list[str]:
    return (seeds / file).read_text(encoding="utf-8").splitlines()


def normalise(text: str) -> str:
    # PDF extraction broke words across lines ("be-/folkningar"); compare without the breaks.
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"-\s*\n\s*", "", text).replace("\n", " ")


def test_every_excerpt_lies_within_its_seed_document(real_store: OxigraphStore, seeds: Path) -> None:
    rows = real_store.select(EXCERPTS).values()
    assert len(rows) > 50
    for excerpt, file, start, end in rows:
        lines = seed_lines(seeds, str(file))
        assert 1 <= int(str(start)) <= int(str(end)) <= len(lines), excerpt


def test_no_fact_comes_from_the_page_furniture_after_line_68(real_store: OxigraphStore) -> None:
    rows = real_store.select(EXCERPTS).values()
    ends = [int(str(end)) for _e, file, _s, end in rows if file == "000_cfe27d1b3417dce0.txt"]
    assert max(ends) == 68


def test_every_person_is_named_verbatim_in_the_lines_that_introduce_them(
    real_store: OxigraphStore, seeds: Path
) -> None:
    rows = real_store.select(
        """PREFIX lskg: <https://w3id.org/lskg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?name ?file ?start ?end WHERE {
          ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?p ;
              <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <http://xmlns.com/foaf/0.1/name> ;
              <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?name ;
              <http://www.w3.org/ns/prov#wasDerivedFrom> ?x .
          ?x lskg:startLine ?start ; lskg:endLine ?end ; dcterms:isPartOf/lskg:fileName ?file .
        }"""
    ).values()
    assert len({r[0] for r in rows}) == 21
    for name, file, start, end in rows:
        text = "\n".join(seed_lines(seeds, str(file))[int(str(start)) - 1 : int(str(end))])
        assert str(name) in normalise(text), (name, file, start)


def test_every_organisation_named_by_a_seed_has_a_label_found_in_its_lines(
    real_store: OxigraphStore, seeds: Path
) -> None:
    rows = real_store.select(
        """PREFIX lskg: <https://w3id.org/lskg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?org (GROUP_CONCAT(DISTINCT STR(?label); separator="|") AS ?labels) ?file ?start ?end WHERE {
          ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?org ;
              <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ;
              <http://www.w3.org/ns/prov#wasDerivedFrom> ?x .
          ?org lskg:sector ?sector ; rdfs:label|skos:altLabel ?label .
          ?x lskg:startLine ?start ; lskg:endLine ?end ; dcterms:isPartOf/lskg:fileName ?file .
          FILTER(?file != "README.md")
        } GROUP BY ?org ?file ?start ?end"""
    ).values()
    assert len({r[0] for r in rows}) >= 25
    unmatched = []
    for org, labels, file, start, end in rows:
        text = normalise("\n".join(seed_lines(seeds, str(file))[int(str(start)) - 1 : int(str(end))]))
        if not any(label and label.casefold() in text.casefold() for label in str(labels).split("|")):
            unmatched.append((org, labels, file, start))
    assert unmatched == []


def test_no_personal_email_address_is_anywhere_in_the_data_or_queries(seeds: Path) -> None:
    email = re.compile(r"[A-Za-z0-9._%+-]+@regeringskansliet\.se", re.IGNORECASE)
    assert email.search((seeds / "001_fd11bf42e1e92574.txt").read_text(encoding="utf-8"))  # the seed has one
    for folder in ("data", "queries", "ontology"):
        for path in resource_dir(folder).rglob("*"):
            if path.is_file():
                assert not email.search(path.read_text(encoding="utf-8")), path
