"""A tiny ecosystem in Turtle, loaded with the ontology into an in-memory store.

It exists so that the docstring examples of :mod:`kg.analysis` can run against a real store
(doctests), and it is small enough to check every example by eye: a university and a company,
three people, one coordination group, one collaboration area.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.paths import resource_dir
from kg.store import OxigraphStore

__all__ = ["EX", "TINY_TURTLE", "tiny_store"]

EX = "https://w3id.org/lskg/id/"

TINY_TURTLE = """\
@prefix lskg: <https://w3id.org/lskg/ontology#> .
@prefix org:  <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix id:   <https://w3id.org/lskg/id/> .

id:org\\/uni  a lskg:University ; rdfs:label "Uni"@en ; lskg:sector lskg:SectorAcademia .
id:org\\/acme a lskg:Company ; rdfs:label "Acme"@en ; lskg:sector lskg:SectorIndustry .
id:group\\/board a lskg:CoordinationGroup ; rdfs:label "Board"@en .
id:area\\/a1 a lskg:CollaborationArea ; skos:notation "1" ; skos:prefLabel "Area one"@en .
id:org\\/uni  lskg:participatesIn id:area\\/a1 .
id:org\\/acme lskg:participatesIn id:area\\/a1 .

id:person\\/ann a foaf:Person ; rdfs:label "Ann" .
id:person\\/pat a foaf:Person ; rdfs:label "Pat" .
id:person\\/bob a foaf:Person ; rdfs:label "Bob" .

id:membership\\/ann-uni a org:Membership ; org:member id:person\\/ann ; org:organization id:org\\/uni .
id:membership\\/pat-uni a org:Membership ; org:member id:person\\/pat ; org:organization id:org\\/uni .
id:membership\\/bob-acme a org:Membership ; org:member id:person\\/bob ; org:organization id:org\\/acme .
id:membership\\/ann-board a org:Membership ; org:member id:person\\/ann ; org:organization id:group\\/board .
id:membership\\/bob-board a org:Membership ; org:member id:person\\/bob ; org:organization id:group\\/board .
id:membership\\/pat-board a org:Membership ; org:member id:person\\/pat ; org:organization id:group\\/board ;
    lskg:representsSector lskg:SectorCivilSociety .
"""


def tiny_store(extra_turtle: str = "") -> OxigraphStore:
    """An in-memory store with the ontology, :data:`TINY_TURTLE` and ``extra_turtle``.

    Examples
    --------
    >>> len(tiny_store().select("SELECT ?m WHERE { ?m a <http://www.w3.org/ns/org#Membership> }").rows)
    6
    """
    graph = ox.NamedNode(EX + "graph/tiny")
    ontology = ox.parse(path=str(resource_dir("ontology") / "lskg.ttl"), format=ox.RdfFormat.TURTLE)
    data = ox.parse(TINY_TURTLE + extra_turtle, format=ox.RdfFormat.TURTLE)
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in (*ontology, *data)]
    return OxigraphStore.from_quads(quads)
