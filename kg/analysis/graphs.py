"""NetworkX graphs of the ecosystem, built from SPARQL results over the store.

Everything here reads the store through :meth:`kg.store.Store.select` (never by walking
triples), so the graphs show exactly what the built, validated data says. Four graphs:

``affiliations``
    Bipartite: people on one side (``bipartite=0``), organisations, groups and programmes on
    the other (``bipartite=1``); one edge per person–organisation pair that an
    ``org:Membership`` states (former roles included, flagged ``former=True``).
``areas``
    Bipartite: organisations, groups, infrastructures and any other agent on one side, the
    collaboration areas on the other; edges are ``lskg:participatesIn``,
    ``lskg:attachedToArea`` and ``lskg:servesArea`` triples.
``people``
    The projection of ``affiliations`` on people: two people are linked when they are members
    of the same organisation, group or programme; ``weight`` counts the shared ones and
    ``via`` lists their IRIs.
``organisations``
    Organisations linked when they share a person (someone is a member of both), a group
    (members of each sit in the same group or programme) or a collaboration area (both
    participate in it); ``weight`` is the sum, ``people``/``groups``/``areas`` list the IRIs.

Every node carries ``iri``, ``label``, ``kind`` (``person``, ``organisation``, ``group``,
``programme``, ``area`` or ``infrastructure``), ``type`` (local name of its most specific
class, e.g. ``University``), ``sector`` (the sector's ``skos:notation``, e.g. ``industry``;
``None`` for groups and areas), ``sectors`` (every sector that applies, sorted) and
``region`` (an IRI or ``None``). Node keys are IRIs.

A person represents the organisation of a *current* role: a former membership
(``lskg:roleStatus lskg:FormerRole``) says where someone came from, not whom they speak for
at the table, and a party membership (``lskg:PoliticalParty``) is not a seat for the party's
sector. The named query ``group-sector-coverage`` counts by the same roles (tested in
``tests/analysis/test_graphs.py``). A person's sector is chosen by the first rule that gives
one, and ``sector_basis`` says which:

1. ``represents``: a membership of theirs states ``lskg:representsSector`` (a patient);
2. ``post``: an organisation they head (``org:headOf``) or hold a post in (``org:holds`` /
   ``org:postIn``), because an office speaks for its organisation more than a membership;
3. ``membership``: organisations they are a current member of.

Someone with none of these (only former memberships, say) has no sector: ``sector`` and
``sector_basis`` are ``None``. Within a rule the sector given by most organisations wins, ties
going to the alphabetically first notation; ``sectors`` keeps every sector of every rule. An organisation's ``region`` is
its ``lskg:region``; an organisation that *is* an ``lskg:Region`` is its own region.

Built graphs are cached per store content: a small dict keyed by ``(store.version, name)``
holding at most :data:`CACHE_SIZE` graphs. Cached graphs are frozen (``nx.freeze``): copy
one before changing it. A store whose version is ``"memory"`` (the default of
:meth:`kg.store.OxigraphStore.from_quads`, which says nothing about the content) is never
cached, since two such stores may hold different data.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx

from kg.errors import NotFound
from kg.store import Store, term_value

__all__ = [
    "CACHE_SIZE",
    "GRAPHS",
    "Ecosystem",
    "affiliations",
    "areas",
    "build_graph",
    "clear_cache",
    "organisations",
    "people",
    "read_ecosystem",
]

LSKG = "https://w3id.org/lskg/ontology#"
ORG = "http://www.w3.org/ns/org#"
CACHE_SIZE = 16
UNCACHED_VERSION = "memory"

_PREFIXES = """\
PREFIX lskg: <https://w3id.org/lskg/ontology#>
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

# The most specific organisation class of each agent; groups, programmes and regions are told
# apart by subclass so that new subclasses in the ontology are picked up without code changes.
_Q_AGENTS = (
    _PREFIXES
    + """
SELECT DISTINCT ?node ?type ?isGroup ?isProgramme ?isRegion WHERE {
  ?node a ?type .
  ?type rdfs:subClassOf* org:Organization .
  BIND(EXISTS { ?type rdfs:subClassOf* lskg:Group } AS ?isGroup)
  BIND(EXISTS { ?type rdfs:subClassOf* org:OrganizationalCollaboration } AS ?isProgramme)
  BIND(EXISTS { ?type rdfs:subClassOf* lskg:Region } AS ?isRegion)
  FILTER NOT EXISTS { ?node a ?sub . ?sub rdfs:subClassOf+ ?type . FILTER(?sub != ?type) }
}"""
)
_Q_PERSONS = _PREFIXES + "SELECT DISTINCT ?node WHERE { ?node a foaf:Person }"
_Q_SECTORS = (
    _PREFIXES
    + """
SELECT DISTINCT ?sector ?notation WHERE {
  ?sector a lskg:Sector .
  OPTIONAL { ?sector skos:notation ?notation }
}"""
)
_Q_AGENT_SECTORS = _PREFIXES + "SELECT DISTINCT ?node ?sector WHERE { ?node lskg:sector ?sector }"
_Q_REGIONS = _PREFIXES + "SELECT DISTINCT ?node ?region WHERE { ?node lskg:region ?region }"
_Q_LABELS = (
    _PREFIXES
    + """
SELECT DISTINCT ?node ?label WHERE {
  { ?node rdfs:label ?label } UNION { ?node skos:prefLabel ?label }
}"""
)
# One query per optional part: four plain patterns read 100k memberships twice as fast as
# one pattern with three OPTIONALs (benchmarks/analysis_bench.py).
_Q_MEMBERSHIPS = (
    _PREFIXES
    + """
SELECT DISTINCT ?membership ?person ?organisation WHERE {
  ?membership a org:Membership ; org:member ?person ; org:organization ?organisation .
}"""
)
_Q_MEMBERSHIP_ROLES = _PREFIXES + "SELECT DISTINCT ?membership ?role WHERE { ?membership org:role ?role }"
_Q_FORMER = _PREFIXES + "SELECT DISTINCT ?membership WHERE { ?membership lskg:roleStatus lskg:FormerRole }"
_Q_REPRESENTS = (
    _PREFIXES + "SELECT DISTINCT ?membership ?sector WHERE { ?membership lskg:representsSector ?sector }"
)
_Q_OFFICES = (
    _PREFIXES
    + """
SELECT DISTINCT ?person ?organisation WHERE {
  { ?person org:headOf ?organisation }
  UNION { ?person org:holds ?post . ?post org:postIn ?organisation }
  UNION { ?post org:heldBy ?person ; org:postIn ?organisation }
}"""
)
_Q_PARTIES = (
    _PREFIXES + "SELECT DISTINCT ?node WHERE { ?node a ?type . ?type rdfs:subClassOf* lskg:PoliticalParty }"
)
_Q_AREAS = (
    _PREFIXES
    + """
SELECT DISTINCT ?area ?notation WHERE {
  ?area a lskg:CollaborationArea .
  OPTIONAL { ?area skos:notation ?notation }
}"""
)
_Q_AREA_LINKS = (
    _PREFIXES
    + """
SELECT DISTINCT ?agent ?relation ?area WHERE {
  VALUES ?relation { lskg:participatesIn lskg:attachedToArea lskg:servesArea }
  ?agent ?relation ?area .
}"""
)
_Q_INFRASTRUCTURES = (
    _PREFIXES
    + """
SELECT DISTINCT ?node ?type WHERE {
  ?node a ?type . ?type rdfs:subClassOf* lskg:Infrastructure .
  FILTER NOT EXISTS { ?node a ?sub . ?sub rdfs:subClassOf+ ?type . FILTER(?sub != ?type) }
}"""
)


@dataclass(frozen=True)
class Membership:
    """One ``org:Membership``: who, in what, with which roles, and whether it is former."""

    iri: str
    person: str
    organisation: str
    roles: tuple[str, ...]
    former: bool
    represents: tuple[str, ...]


@dataclass
class Ecosystem:
    """The facts the graphs are built from, as read from the store (IRIs as strings).

    ``nodes`` maps every person, agent, area and infrastructure IRI to its attribute dict
    (the same dicts become node attributes); ``sectors`` maps sector IRIs to notations,
    ``sector_iris`` and ``sector_labels`` map notations back to IRIs and English labels.
    """

    version: str
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    sectors: dict[str, str] = field(default_factory=dict)
    sector_iris: dict[str, str] = field(default_factory=dict)
    sector_labels: dict[str, str] = field(default_factory=dict)
    memberships: list[Membership] = field(default_factory=list)
    offices: dict[str, set[str]] = field(default_factory=dict)
    parties: set[str] = field(default_factory=set)
    area_links: list[tuple[str, str, str]] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[str]:
        """The IRIs of nodes of the given kinds, sorted."""
        return sorted(n for n, a in self.nodes.items() if a["kind"] in kinds)

    def members(self) -> dict[str, set[str]]:
        """Organisation, group or programme IRI to the IRIs of the people who are members."""
        result: dict[str, set[str]] = defaultdict(set)
        for m in self.memberships:
            result[m.organisation].add(m.person)
        return dict(result)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _val(row: dict[str, Any], name: str) -> str:
    """A bound variable of a solution as a plain string (IRI or lexical form)."""
    return term_value(row.get(name))


def _true(row: dict[str, Any], name: str) -> bool:
    """Whether a boolean variable is true: ``true`` (SPARQL) or ``1`` (Virtuoso's ``EXISTS``).

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> [_true({"x": ox.Literal(v)}, "x") for v in ("true", "1", "false", "0")]
    [True, True, False, False]
    """
    return _val(row, name) in ("true", "1")


def _rows(store: Store, sparql: str) -> list[tuple[str, ...]]:
    """The solutions of a SELECT whose variables are all bound, as tuples of plain strings.

    Reads pyoxigraph's solutions directly rather than through :class:`kg.store.Table`, which
    builds a dict per row: half the time on the 100k-edge benchmark.
    """
    result = store.query(sparql)
    width = len(result.variables)
    return [tuple(term_value(solution[i]) for i in range(width)) for solution in result]


def _labels(store: Store) -> dict[str, str]:
    """One label per node: English, then untagged, then Swedish, then any; ties sorted."""
    rank = {"en": 0, "": 1, "sv": 2}
    best: dict[str, tuple[int, str]] = {}
    for solution in store.query(_Q_LABELS):
        node, label = solution[0], solution[1]
        key = (rank.get(getattr(label, "language", None) or "", 3), term_value(label))
        iri = term_value(node)
        if iri not in best or key < best[iri]:
            best[iri] = key
    return {iri: value for iri, (_, value) in best.items()}


def _choose(sectors: Iterable[str]) -> str | None:
    """The most frequent sector, ties to the alphabetically first: deterministic."""
    counts = Counter(sectors)
    if not counts:
        return None
    return min(counts, key=lambda s: (-counts[s], s))


def read_ecosystem(store: Store) -> Ecosystem:
    """Read the people, organisations, memberships and area links the graphs are made of.

    Parameters
    ----------
    store : kg.store.Store
        The store to read; its ``version`` is the cache key.

    Returns
    -------
    Ecosystem
        Node attribute dicts keyed by IRI, memberships, offices and area links.

    Examples
    --------
    >>> from kg.analysis._fixtures import tiny_store
    >>> eco = read_ecosystem(tiny_store())
    >>> eco.of_kind("group")
    ['https://w3id.org/lskg/id/group/board']
    >>> eco.nodes["https://w3id.org/lskg/id/person/pat"]["sector_basis"]
    'represents'
    """
    if store.version != UNCACHED_VERSION and store.version in _ECOSYSTEMS:
        return _ECOSYSTEMS[store.version]
    eco = Ecosystem(version=store.version)
    labels = _labels(store)
    for row in store.select(_Q_SECTORS).rows:
        iri = _val(row, "sector")
        notation = row.get("notation")
        key = term_value(notation) if notation is not None else _local(iri)
        eco.sectors[iri] = key
        eco.sector_iris[key] = iri
        eco.sector_labels[key] = labels.get(iri, key)

    def node(iri: str, kind: str, type_: str | None) -> dict[str, Any]:
        attrs = eco.nodes.setdefault(
            iri,
            {
                "iri": iri,
                "label": labels.get(iri, _local(iri)),
                "kind": kind,
                "type": type_,
                "sector": None,
                "sectors": [],
                "region": None,
            },
        )
        return attrs

    region_self: set[str] = set()
    for row in store.select(_Q_AGENTS).rows:
        iri, type_ = _val(row, "node"), _val(row, "type")
        if _true(row, "isGroup"):
            kind = "group"
        elif _true(row, "isProgramme"):
            kind = "programme"
        else:
            kind = "organisation"
        attrs = node(iri, kind, _local(type_))
        # Two equally specific classes: keep the alphabetically first, whatever the row order.
        if attrs["type"] is not None and _local(type_) < attrs["type"]:
            attrs["type"] = _local(type_)
        if _true(row, "isRegion"):
            region_self.add(iri)
    for (iri,) in _rows(store, _Q_PERSONS):
        node(iri, "person", "Person")
    for row in store.select(_Q_INFRASTRUCTURES).rows:
        node(_val(row, "node"), "infrastructure", _local(_val(row, "type")))
    for row in store.select(_Q_AREAS).rows:
        attrs = node(_val(row, "area"), "area", "CollaborationArea")
        notation = row.get("notation")
        attrs["notation"] = None if notation is None else term_value(notation)

    roles: dict[str, set[str]] = defaultdict(set)
    for membership, role in _rows(store, _Q_MEMBERSHIP_ROLES):
        roles[membership].add(role)
    former = {membership for (membership,) in _rows(store, _Q_FORMER)}
    represents: dict[str, set[str]] = defaultdict(set)
    for membership, sector in _rows(store, _Q_REPRESENTS):
        represents[membership].add(sector)
    for iri, person, organisation in sorted(_rows(store, _Q_MEMBERSHIPS)):
        node(person, "person", "Person")
        # An organisation a membership names but no class types is still an organisation.
        node(organisation, "organisation", None)
        eco.memberships.append(
            Membership(
                iri,
                person,
                organisation,
                tuple(sorted(roles.get(iri, ()))),
                iri in former,
                tuple(sorted(represents.get(iri, ()))),
            )
        )
    eco.parties = {party for (party,) in _rows(store, _Q_PARTIES)}
    for person, org in _rows(store, _Q_OFFICES):
        eco.offices.setdefault(person, set()).add(org)
    for row in store.select(_Q_AREA_LINKS).rows:
        agent, relation, area = (_val(row, v) for v in ("agent", "relation", "area"))
        node(area, "area", "CollaborationArea").setdefault("notation", None)
        node(agent, "organisation", None)
        eco.area_links.append((agent, _local(relation), area))
    eco.area_links.sort()
    org_sectors: dict[str, set[str]] = defaultdict(set)
    for iri, sector in _rows(store, _Q_AGENT_SECTORS):
        org_sectors[iri].add(eco.sectors.get(sector, _local(sector)))
    for iri, found in org_sectors.items():
        if iri in eco.nodes and eco.nodes[iri]["kind"] not in ("group", "area", "person"):
            eco.nodes[iri]["sectors"] = sorted(found)
            eco.nodes[iri]["sector"] = _choose(found)
    regions: dict[str, set[str]] = defaultdict(set)
    for iri, region in _rows(store, _Q_REGIONS):
        regions[iri].add(region)
    for iri in region_self:
        regions.setdefault(iri, {iri})
    for iri, found in regions.items():
        if iri in eco.nodes:
            eco.nodes[iri]["region"] = min(found)

    _assign_person_sectors(eco)
    if store.version != UNCACHED_VERSION:
        _ECOSYSTEMS[store.version] = eco
        while len(_ECOSYSTEMS) > CACHE_SIZE:
            _ECOSYSTEMS.popitem(last=False)
    return eco


def _assign_person_sectors(eco: Ecosystem) -> None:
    """Apply the three rules of the module docstring to every person."""
    by_person: dict[str, list[Membership]] = defaultdict(list)
    for m in eco.memberships:
        by_person[m.person].append(m)

    def sectors_of(orgs: Iterable[str]) -> list[tuple[str, str]]:
        found = []
        for org in sorted(set(orgs)):
            attrs = eco.nodes.get(org)
            if attrs and attrs["kind"] == "organisation" and attrs["sector"] and org not in eco.parties:
                found.append((attrs["sector"], org))
        return found

    for iri, attrs in eco.nodes.items():
        if attrs["kind"] != "person":
            continue
        mine = by_person.get(iri, [])
        represented = [(eco.sectors.get(s, _local(s)), m.iri) for m in mine for s in m.represents]
        tiers: list[tuple[str, list[tuple[str, str]]]] = [
            ("represents", represented),
            ("post", sectors_of(eco.offices.get(iri, ()))),
            ("membership", sectors_of(m.organisation for m in mine if not m.former)),
        ]
        every = sorted({s for _, found in tiers for s, _ in found})
        attrs["sectors"] = every
        attrs["sector_basis"] = None
        attrs["sector_source"] = []
        for basis, found in tiers:
            if found:
                chosen = _choose(s for s, _ in found)
                attrs["sector"] = chosen
                attrs["sector_basis"] = basis
                attrs["sector_source"] = sorted({src for s, src in found if s == chosen})
                break
        regions = sorted(
            {
                eco.nodes[m.organisation]["region"]
                for m in mine
                if eco.nodes[m.organisation]["region"] is not None
            }
        )
        attrs["regions"] = regions
        attrs["region"] = regions[0] if regions else None


_ECOSYSTEMS: OrderedDict[str, Ecosystem] = OrderedDict()


def _new_graph(eco: Ecosystem, name: str) -> nx.Graph:
    return nx.Graph(name=name, store_version=eco.version)


def _add_nodes(G: nx.Graph, eco: Ecosystem, iris: Iterable[str], bipartite: int | None) -> None:
    for iri in iris:
        attrs = dict(eco.nodes[iri])
        attrs["sectors"] = list(attrs.get("sectors", []))
        if bipartite is not None:
            attrs["bipartite"] = bipartite
        G.add_node(iri, **attrs)


def affiliations(store: Store) -> nx.Graph:
    """The person–organisation affiliation graph (groups and programmes on the organisation side).

    Each edge stands for one or more ``org:Membership`` resources linking the pair; its
    ``memberships`` attribute lists their IRIs, ``roles`` the ``org:role`` IRIs, and
    ``former`` is true when every one of them is marked ``lskg:FormerRole``.

    Parameters
    ----------
    store : kg.store.Store

    Returns
    -------
    networkx.Graph
        Bipartite: people have ``bipartite=0``, organisations, groups and programmes ``1``.

    Examples
    --------
    >>> from kg.analysis._fixtures import tiny_store, EX
    >>> G = affiliations(tiny_store())
    >>> sorted(G[EX + "person/pat"])
    ['https://w3id.org/lskg/id/group/board', 'https://w3id.org/lskg/id/org/uni']
    >>> G.nodes[EX + "group/board"]["kind"]
    'group'
    """
    eco = read_ecosystem(store)
    G = _new_graph(eco, "affiliations")
    _add_nodes(G, eco, eco.of_kind("person"), 0)
    _add_nodes(G, eco, eco.of_kind("organisation", "group", "programme"), 1)
    for m in eco.memberships:
        if G.has_edge(m.person, m.organisation):
            data = G.edges[m.person, m.organisation]
            data["memberships"].append(m.iri)
            data["roles"] = sorted(set(data["roles"]) | set(m.roles))
            data["former"] = data["former"] and m.former
        else:
            G.add_edge(
                m.person,
                m.organisation,
                memberships=[m.iri],
                roles=list(m.roles),
                former=m.former,
                weight=1,
            )
    return G


def areas(store: Store) -> nx.Graph:
    """The organisation–area graph: who participates in, is attached to or serves which area.

    Every organisation, group and collaboration area is a node even when no triple links it,
    so that an area nobody is stated to work on shows as an isolated node rather than not at
    all. ``relation`` on each edge is ``participatesIn``, ``attachedToArea`` or ``servesArea``.

    Parameters
    ----------
    store : kg.store.Store

    Returns
    -------
    networkx.Graph
        Bipartite: areas have ``bipartite=1``, everything else ``0``.

    Examples
    --------
    >>> from kg.analysis._fixtures import tiny_store, EX
    >>> G = areas(tiny_store())
    >>> sorted(G[EX + "area/a1"])
    ['https://w3id.org/lskg/id/org/acme', 'https://w3id.org/lskg/id/org/uni']
    """
    eco = read_ecosystem(store)
    G = _new_graph(eco, "areas")
    _add_nodes(G, eco, eco.of_kind("area"), 1)
    _add_nodes(G, eco, eco.of_kind("organisation", "group", "programme"), 0)
    linked = {agent for agent, _, _ in eco.area_links} - set(G)
    _add_nodes(G, eco, sorted(linked), 0)
    for agent, relation, area in eco.area_links:
        G.add_edge(agent, area, relation=relation, weight=1)
    return G


def _insert_edges(G: nx.Graph, edges: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
    """Add edges between existing nodes straight into the adjacency dicts.

    What ``G.add_edge(u, v, **data)`` does for a new edge (one data dict shared by both
    directions, neighbours in insertion order), without its per-call checks and copies: the
    projections of the 100k-edge benchmark have 0.8 and 0.5 million edges.
    """
    adj = G._adj
    for u, v, data in edges:
        adj[u][v] = data
        adj[v][u] = data


def _pairs(groups: dict[str, set[str]]) -> dict[tuple[str, str], list[str]]:
    """For every pair of items that share a group: the sorted group keys they share."""
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key in sorted(groups):
        for a, b in combinations(sorted(groups[key]), 2):
            shared[(a, b)].append(key)
    return shared


def people(store: Store) -> nx.Graph:
    """The co-membership graph of people, weighted by how many organisations and groups they share.

    Two people are linked when the store states memberships of both in the same
    organisation, group or programme (former memberships included). ``weight`` is the number
    of such shared contexts and ``via`` their IRIs.

    Parameters
    ----------
    store : kg.store.Store

    Returns
    -------
    networkx.Graph

    Examples
    --------
    >>> from kg.analysis._fixtures import tiny_store, EX
    >>> G = people(tiny_store())
    >>> G.edges[EX + "person/ann", EX + "person/pat"]["via"]
    ['https://w3id.org/lskg/id/group/board', 'https://w3id.org/lskg/id/org/uni']
    >>> G.edges[EX + "person/ann", EX + "person/pat"]["weight"]
    2
    """
    eco = read_ecosystem(store)
    G = _new_graph(eco, "people")
    _add_nodes(G, eco, eco.of_kind("person"), None)
    _insert_edges(
        G, ((a, b, {"weight": len(via), "via": via}) for (a, b), via in _pairs(eco.members()).items())
    )
    return G


def organisations(store: Store) -> nx.Graph:
    """The collaboration graph of organisations, weighted by shared people, groups and areas.

    Organisations A and B are linked when someone is a member of both (``people``), when
    members of each sit in the same group or programme (``groups``), or when both are stated
    to participate in the same collaboration area (``areas``). ``weight`` is the total count.

    Parameters
    ----------
    store : kg.store.Store

    Returns
    -------
    networkx.Graph

    Examples
    --------
    >>> from kg.analysis._fixtures import tiny_store, EX
    >>> G = organisations(tiny_store())
    >>> edge = G.edges[EX + "org/acme", EX + "org/uni"]
    >>> edge["groups"], edge["areas"], edge["people"], edge["weight"]
    (['https://w3id.org/lskg/id/group/board'], ['https://w3id.org/lskg/id/area/a1'], [], 2)
    """
    eco = read_ecosystem(store)
    G = _new_graph(eco, "organisations")
    orgs = set(eco.of_kind("organisation"))
    _add_nodes(G, eco, sorted(orgs), None)
    members = eco.members()
    person_orgs: dict[str, set[str]] = defaultdict(set)
    for org, persons in members.items():
        if org in orgs:
            for p in persons:
                person_orgs[p].add(org)
    contexts = {c: s for c, s in members.items() if eco.nodes[c]["kind"] in ("group", "programme")}
    group_orgs = {
        c: set().union(*(person_orgs.get(p, set()) for p in persons)) for c, persons in contexts.items()
    }
    area_orgs: dict[str, set[str]] = defaultdict(set)
    for agent, relation, area in eco.area_links:
        if relation == "participatesIn" and agent in orgs:
            area_orgs[area].add(agent)
    reasons: dict[str, dict[tuple[str, str], list[str]]] = {
        "people": _pairs(dict(person_orgs)),
        "groups": _pairs(group_orgs),
        "areas": _pairs(dict(area_orgs)),
    }
    ties: dict[tuple[str, str], dict[str, Any]] = {}
    for field_name, pairs in reasons.items():
        for pair, why in pairs.items():
            data = ties.get(pair)
            if data is None:
                data = ties[pair] = {"people": [], "groups": [], "areas": [], "weight": 0}
            data[field_name] = why
            data["weight"] += len(why)
    _insert_edges(G, ((a, b, data) for (a, b), data in ties.items()))
    return G


GRAPHS: dict[str, Callable[[Store], nx.Graph]] = {
    "affiliations": affiliations,
    "areas": areas,
    "people": people,
    "organisations": organisations,
}

_GRAPH_CACHE: OrderedDict[tuple[str, str], nx.Graph] = OrderedDict()


def build_graph(store: Store, name: str) -> nx.Graph:
    """The graph ``name`` (a key of :data:`GRAPHS`) of ``store``, from the cache if built before.

    Raises :class:`~kg.errors.NotFound` for an unknown name. The returned graph is frozen;
    use ``G.copy()`` to get one you can change.

    Examples
    --------
    >>> from kg.analysis._fixtures import tiny_store
    >>> G = build_graph(tiny_store(), "people")
    >>> G.number_of_nodes(), nx.is_frozen(G)
    (3, True)
    >>> build_graph(tiny_store(), "friends")
    Traceback (most recent call last):
    ...
    kg.errors.NotFound: unknown graph 'friends'; choose one of affiliations, areas, organisations, people
    """
    if name not in GRAPHS:
        choices = ", ".join(sorted(GRAPHS))
        raise NotFound(f"unknown graph {name!r}; choose one of {choices}")
    key = (store.version, name)
    if store.version != UNCACHED_VERSION and key in _GRAPH_CACHE:
        _GRAPH_CACHE.move_to_end(key)
        return _GRAPH_CACHE[key]
    G = nx.freeze(GRAPHS[name](store))
    if store.version != UNCACHED_VERSION:
        _GRAPH_CACHE[key] = G
        while len(_GRAPH_CACHE) > CACHE_SIZE:
            _GRAPH_CACHE.popitem(last=False)
    return G


def clear_cache() -> None:
    """Forget every cached graph and ecosystem (for tests and long-running processes)."""
    _GRAPH_CACHE.clear()
    _ECOSYSTEMS.clear()
