"""The sector gap report: per collaboration area and per group, what is there and what is not.

:func:`gap_report` reads the store, builds the four graphs of :mod:`kg.analysis.graphs` and
runs the analyses on them; the result is a plain, JSON-able dict. Three renderers turn it into
Markdown, self-contained HTML or JSON. Every entity in the report carries its IRI, and every
claim about membership or sector carries the IRIs of the resources that state it (the
``org:Membership`` and the organisation or ``lskg:representsSector`` membership that gave a
person their sector), so a reader can follow it back to the triples and their sources.

Which graph answers which question:

- groups and their sectors, regions and single points of failure: ``affiliations``;
- areas and their sectors: ``areas`` (plus the members of groups attached to an area);
- who brokers between people of different sectors: ``people``;
- suggested cross-sector links, communities and sector mixing: ``organisations``.
"""

from __future__ import annotations

import html
import json
from typing import Any

import networkx as nx

from kg import __version__
from kg.analysis._matrix import adjacency
from kg.analysis.assortativity import sector_mixing
from kg.analysis.brokerage import ROLES, brokerage_roles
from kg.analysis.centrality import BetweennessResult, betweenness
from kg.analysis.communities import communities
from kg.analysis.coverage import HELICES, sector_coverage, system_triple_helix
from kg.analysis.fragility import articulation_points, bridges
from kg.analysis.graphs import Ecosystem, build_graph, read_ecosystem
from kg.analysis.holes import structural_holes
from kg.analysis.links import cross_sector_links_by_unit
from kg.store import Store

__all__ = ["MEASURES", "gap_report", "render_html", "render_json", "render_markdown"]

LSKG = "https://w3id.org/lskg/ontology#"

# One line per number the report shows; renderers print these beside the numbers.
MEASURES: dict[str, str] = {
    "members": (
        "people the sources name as members (org:Membership), former roles included; a member's "
        "sector comes from a current role only"
    ),
    "diversity": (
        "Shannon diversity of members' sectors, -Σ p ln p in nats: 0 = one sector, "
        "ln 5 ≈ 1.61 = all five sectors equally"
    ),
    "evenness": "Pielou's evenness: diversity / ln 5; 1 = all five sectors equally present",
    "t_uig": (
        "Leydesdorff's triple-helix mutual information in bits over members' sector sets "
        "(u = academia, i = industry, g = public + healthcare); negative = synergy; "
        "shown only when all three helices occur"
    ),
    "cut_off_count": "nodes that lose contact with the rest of their component if this one goes",
    "brokerage": (
        "Gould–Fernandez brokerage: ordered open two-paths a→v→c through a person, by the "
        "sectors of a, v and c (undirected ties count both ways)"
    ),
    "betweenness": "share of shortest paths between other people that pass through this person",
    "constraint": "Burt's constraint: near 1 = all contacts know each other; low = spans holes",
    "score": (
        "Adamic–Adar score Σ 1/ln(deg w) over shared neighbours w: higher = more, and more "
        "exclusive, contacts in common"
    ),
    "modularity": "how much more ties fall inside communities than chance would put there",
    "assortativity": "1 = ties stay inside sectors, 0 = sector-blind, negative = ties cross sectors",
}

_PREDICATES = {
    "participatesIn": LSKG + "participatesIn",
    "attachedToArea": LSKG + "attachedToArea",
    "servesArea": LSKG + "servesArea",
    "representsSector": LSKG + "representsSector",
    "region": LSKG + "region",
}


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _ref(eco: Ecosystem, iri: str) -> dict[str, Any]:
    attrs = eco.nodes.get(iri)
    ref: dict[str, Any] = {"iri": iri, "label": attrs["label"] if attrs else _local(iri)}
    if attrs and attrs.get("sector"):
        ref["sector"] = attrs["sector"]
    return ref


def _sector_ref(eco: Ecosystem, notation: str) -> dict[str, Any]:
    return {
        "notation": notation,
        "iri": eco.sector_iris.get(notation, notation),
        "label": eco.sector_labels.get(notation, notation),
    }


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _coverage_entry(eco: Ecosystem, cov: dict[str, Any]) -> dict[str, Any]:
    return {
        "counts": cov["counts"],
        "present": [_sector_ref(eco, s) for s in cov["present"]],
        "missing": [_sector_ref(eco, s) for s in cov["absent"]],
        "unknown": [_ref(eco, n) for n in cov["unknown"]],
        "diversity": _round(cov["diversity"]),
        "evenness": _round(cov["evenness"]),
        "t_uig": _round(cov["t_uig"]),
    }


def _tie(eco: Ecosystem, org_graph: nx.Graph, a: str, b: str) -> dict[str, list[dict[str, Any]]]:
    data = org_graph.edges[a, b]
    return {k: [_ref(eco, x) for x in data.get(k, [])] for k in ("people", "groups", "areas")}


# At most this many shared neighbours are spelled out per suggestion (all are counted).
VIA_LISTED = 5


def _suggestions(eco: Ecosystem, org_graph: nx.Graph, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for s in found:
        u, v = s["pair"]
        # The shared neighbours that add most to the score first: the least connected ones.
        shared = sorted(s["shared"], key=lambda w: (org_graph.degree(w), str(w)))
        result.append(
            {
                "pair": [_ref(eco, u), _ref(eco, v)],
                "sectors": list(s["sectors"]),
                "score": _round(s["score"]),
                "shared_count": len(shared),
                "via": [
                    {"node": _ref(eco, w), "ties": [_tie(eco, org_graph, u, w), _tie(eco, org_graph, v, w)]}
                    for w in shared[:VIA_LISTED]
                ],
            }
        )
    return result


def _regions(eco: Ecosystem, orgs: set[str]) -> list[dict[str, Any]]:
    """Regions of the given organisations, each with the organisations that place it."""
    by_region: dict[str, list[str]] = {}
    for org in sorted(orgs):
        region = eco.nodes.get(org, {}).get("region")
        if region:
            by_region.setdefault(region, []).append(org)
    return [
        {
            **_ref(eco, region),
            "via": [_ref(eco, o) for o in orgs_],
            "basis": "is an lskg:Region" if orgs_ == [region] else "lskg:region",
        }
        for region, orgs_ in sorted(by_region.items())
    ]


def _cut_points(
    eco: Ecosystem, points: dict[str, dict[str, Any]], candidates: set[str]
) -> list[dict[str, Any]]:
    found = [points[c] for c in candidates if c in points]
    found.sort(key=lambda p: (-p["cut_off_count"], eco.nodes.get(p["node"], {}).get("label", "")))
    return [
        {
            **_ref(eco, p["node"]),
            "cut_off_count": p["cut_off_count"],
            "pieces": p["pieces"],
            "cut_off": [_ref(eco, n) for n in p["cut_off"]],
        }
        for p in found
    ]


def _spof(single: list[dict[str, Any]], cuts: list[dict[str, Any]], top: int) -> dict[str, Any]:
    return {
        "sector_single_points": single,
        "cut_points_count": len(cuts),
        "cut_points": cuts[: top * 2],
    }


def _brokers(
    eco: Ecosystem,
    roles: dict[str, dict[str, int]],
    between: dict[str, float],
    candidates: set[str],
    top: int,
) -> list[dict[str, Any]]:
    ranked = sorted(
        (c for c in candidates if roles.get(c, {}).get("total", 0) > 0),
        key=lambda c: (-roles[c]["total"], -between.get(c, 0.0), eco.nodes[c]["label"]),
    )
    return [
        {
            **_ref(eco, c),
            "brokerage": roles[c],
            "betweenness": _round(between.get(c, 0.0), 4),
        }
        for c in ranked[:top]
    ]


def _components(G: nx.Graph) -> int:
    """``nx.number_connected_components(G)``, counted in SciPy on the cached adjacency."""
    from scipy.sparse.csgraph import connected_components

    if G.number_of_nodes() == 0:
        return 0
    return int(connected_components(adjacency(G)[2], directed=False)[0])


def _area_relations(R: nx.Graph, area: str) -> dict[str, list[str]]:
    """The agents linked to ``area``, by relation, sorted."""
    links: dict[str, list[str]] = {"participatesIn": [], "attachedToArea": [], "servesArea": []}
    for agent in sorted(R[area]):
        links[R.edges[agent, area]["relation"]].append(agent)
    return links


def _area_members(eco: Ecosystem, A: nx.Graph, R: nx.Graph) -> dict[str, list[str]]:
    """Each area's participants, then the members of the groups attached to it."""
    members = {}
    for area in eco.of_kind("area"):
        links = _area_relations(R, area)
        from_groups = [p for g in links["attachedToArea"] for p in sorted(A[g]) if g in A]
        members[area] = list(dict.fromkeys(links["participatesIn"] + from_groups))
    return members


def gap_report(store: Store, *, top: int = 5, seed: int = 42) -> dict[str, Any]:
    """Build the sector gap report of ``store`` as a JSON-able dict.

    Parameters
    ----------
    store : kg.store.Store
    top : int
        How many brokers, cut points and link suggestions to list per unit.
    seed : int
        Seed for Louvain and for sampled betweenness on large graphs.

    Returns
    -------
    dict
        ``{"title", "store_version", "generated_with", "measures", "sectors", "graphs",
        "findings", "areas", "groups", "network"}``; see the renderers for how to read it.

    Examples
    --------
    >>> from kg.analysis._fixtures import tiny_store
    >>> report = gap_report(tiny_store())
    >>> [s["notation"] for s in report["groups"][0]["coverage"]["present"]]
    ['academia', 'civil-society', 'industry']
    >>> [s["notation"] for s in report["areas"][0]["coverage"]["missing"]]
    ['civil-society', 'healthcare', 'public']
    """
    eco = read_ecosystem(store)
    A = build_graph(store, "affiliations")
    R = build_graph(store, "areas")
    P = build_graph(store, "people")
    org_graph = build_graph(store, "organisations")
    universe = sorted(eco.sector_iris) or sorted({s for _, s in A.nodes(data="sector") if s is not None})
    points = {p["node"]: p for p in articulation_points(A, max_listed=20)}
    # 64 sampled sources above the exact threshold: the report uses betweenness to rank and
    # break ties, for which a rough estimate is enough (benchmarks/results/analysis.md).
    people_between = betweenness(P, k=64, seed=seed)
    groups = eco.of_kind("group")
    group_members = {g: set(A[g]) if g in A else set() for g in groups}
    # One pass over every person: groups, areas and the whole network read from it.
    person_roles = brokerage_roles(P)
    unit_links: list[dict[str, Any]] = []
    # Large graphs: hubs add the most work and the least score to Adamic–Adar (see links.py).
    hub_cap = None if org_graph.number_of_nodes() < 5000 else 200

    group_orgs = {
        g: {o for p in group_members[g] for o in A[p] if eco.nodes[o]["kind"] == "organisation"}
        for g in groups
    }
    area_members = _area_members(eco, A, R)
    area_orgs = {
        area: {m for m in members if eco.nodes.get(m, {}).get("kind") == "organisation"}
        for area, members in area_members.items()
    }
    # Every unit's suggestions from one pass over the organisations (see links.py).
    suggested = cross_sector_links_by_unit(
        org_graph,
        {
            **{("group", g): o for g, o in group_orgs.items()},
            **{("area", a): o for a, o in area_orgs.items()},
        },
        limit=top,
        max_shared_degree=hub_cap,
    )

    group_entries = []
    group_cov = sector_coverage(A, groups, sectors=universe)
    for g in groups:
        members = sorted(group_members[g], key=lambda p: eco.nodes[p]["label"])
        orgs = group_orgs[g]
        member_rows = []
        for p in members:
            attrs = eco.nodes[p]
            edge = A.edges[p, g]
            member_rows.append(
                {
                    **_ref(eco, p),
                    "sector": attrs.get("sector"),
                    "sector_basis": attrs.get("sector_basis"),
                    "sector_source": [_ref(eco, s) for s in attrs.get("sector_source", [])],
                    "memberships": edge["memberships"],
                    "roles": edge["roles"],
                    "former": edge["former"],
                    "organisations": [
                        _ref(eco, o) for o in sorted(A[p]) if eco.nodes[o]["kind"] == "organisation"
                    ],
                }
            )
        cov = group_cov[g]
        single = [
            {"sector": _sector_ref(eco, s), "member": _ref(eco, m)}
            for s, n in cov["counts"].items()
            if n == 1
            for m in members
            if eco.nodes[m]["sector"] == s
        ]
        notes = []
        if not members:
            notes.append(
                "No source names any member of this group (no org:Membership with "
                "org:organization pointing to it), so every sector is missing."
            )
        group_entries.append(
            {
                **_ref(eco, g),
                "type": eco.nodes[g]["type"],
                "members": member_rows,
                "coverage": _coverage_entry(eco, cov),
                "regions": _regions(eco, orgs),
                "single_points_of_failure": _spof(
                    single, _cut_points(eco, points, {g, *members, *orgs}), top
                ),
                "top_brokers": _brokers(eco, person_roles, people_between["scores"], set(members), top),
                "suggested_links": _suggestions(
                    eco, org_graph, _collect(unit_links, suggested[("group", g)])
                ),
                "notes": notes,
            }
        )

    area_entries = []
    area_links = {area: _area_relations(R, area) for area in area_members}
    area_cov = sector_coverage(A, area_members, sectors=universe)
    for area in sorted(area_members, key=lambda a: (eco.nodes[a].get("notation") or "", a)):
        links = area_links[area]
        members = area_members[area]
        orgs = area_orgs[area]
        cov = area_cov[area]
        notes = []
        if not links["participatesIn"]:
            notes.append(
                "No source states that any organisation or person participates in this area "
                "(no lskg:participatesIn triple)."
            )
        if not links["attachedToArea"]:
            notes.append("No group is attached to this area (no lskg:attachedToArea triple).")
        if not members:
            notes.append("With no participants stated, every sector is missing.")
        area_entries.append(
            {
                **_ref(eco, area),
                "notation": eco.nodes[area].get("notation"),
                "participants": [_ref(eco, m) for m in links["participatesIn"]],
                "groups": [_ref(eco, g) for g in links["attachedToArea"]],
                "members_via_groups": [_ref(eco, m) for m in members if m not in links["participatesIn"]],
                "infrastructures": [_ref(eco, i) for i in links["servesArea"]],
                "coverage": _coverage_entry(eco, cov),
                "regions": _regions(eco, orgs),
                "single_points_of_failure": _spof(
                    [
                        {"sector": _sector_ref(eco, s), "member": _ref(eco, m)}
                        for s, n in cov["counts"].items()
                        if n == 1
                        for m in members
                        if eco.nodes.get(m, {}).get("sector") == s
                    ],
                    _cut_points(eco, points, set(members)),
                    top,
                ),
                "top_brokers": _brokers(
                    eco,
                    person_roles,
                    people_between["scores"],
                    {m for m in members if m in P},
                    top,
                ),
                "suggested_links": _suggestions(
                    eco, org_graph, _collect(unit_links, suggested[("area", area)])
                ),
                "notes": notes,
            }
        )

    network = _network(eco, A, P, org_graph, points, people_between, person_roles, unit_links, top, seed)
    all_cov = {**{g: group_cov[g] for g in groups}, **area_cov}
    network["system_t_uig"] = _round(system_triple_helix(all_cov))
    report: dict[str, Any] = {
        "title": "Sector gap report",
        "store_version": store.version,
        "generated_with": {"lskg": __version__, "networkx": nx.__version__, "seed": seed},
        "measures": MEASURES,
        "helices": {k: list(v) for k, v in HELICES.items()},
        "sectors": [_sector_ref(eco, s) for s in universe],
        "graphs": {
            name: {
                "nodes": G.number_of_nodes(),
                "edges": G.number_of_edges(),
                "components": _components(G),
            }
            for name, G in (("affiliations", A), ("areas", R), ("people", P), ("organisations", org_graph))
        },
        "areas": area_entries,
        "groups": group_entries,
        "network": network,
    }
    report["findings"] = _findings(eco, report, R)
    return report


def _network(
    eco: Ecosystem,
    A: nx.Graph,
    P: nx.Graph,
    org_graph: nx.Graph,
    points: dict[str, dict[str, Any]],
    people_between: BetweennessResult,
    roles: dict[str, dict[str, int]],
    unit_links: list[dict[str, Any]],
    top: int,
    seed: int,
) -> dict[str, Any]:
    """Whole-graph findings: cut points, bridges, brokers, communities, mixing, links."""
    ranked_points = sorted(
        points.values(), key=lambda p: (-p["cut_off_count"], eco.nodes[p["node"]]["label"])
    )
    cut = _cut_points(eco, points, {p["node"] for p in ranked_points[: top * 2]})
    all_bridges = bridges(A, max_listed=20)
    bridge_rows = [
        {
            "edge": [_ref(eco, b["edge"][0]), _ref(eco, b["edge"][1])],
            "cut_off_count": b["cut_off_count"],
            "cut_off": [_ref(eco, n) for n in b["cut_off"]],
        }
        for b in all_bridges[: top * 2]
    ]
    scores = people_between["scores"]
    shortlist = sorted(scores, key=lambda n: (-scores[n], eco.nodes[n]["label"]))[: top * 2]
    holes = structural_holes(P, nodes=shortlist)
    org_roles = brokerage_roles(org_graph)
    parts = communities(org_graph, seed=seed)
    return {
        "articulation_points": {"count": len(points), "top": cut},
        "bridges": {"count": len(all_bridges), "top": bridge_rows},
        "people_betweenness": {
            "method": people_between["method"],
            "k": people_between["k"],
            "top": [
                {
                    **_ref(eco, n),
                    "betweenness": _round(scores[n], 4),
                    "constraint": _round(holes[n]["constraint"]),
                    "effective_size": _round(holes[n]["effective_size"]),
                }
                for n in shortlist
                if scores[n] > 0
            ],
        },
        "top_brokers": _brokers(eco, roles, scores, set(P), top),
        "top_brokering_organisations": _brokers(eco, org_roles, {}, set(org_graph), top),
        "communities": {
            "graph": "organisations",
            "method": parts["method"],
            "modularity": _round(parts["modularity"]),
            "count": len(parts["communities"]),
            "largest": [
                {
                    "size": c["size"],
                    "sectors": c["sectors"],
                    "diversity": _round(c["diversity"]),
                    "members": [_ref(eco, m) for m in c["members"][:20]],
                }
                for c in parts["communities"]
                if c["size"] > 1
            ][:top],
        },
        "mixing": {
            "organisations": sector_mixing(org_graph),
            "people": sector_mixing(P),
        },
        # The strongest of the suggestions made for the groups and areas (each pair once).
        "suggested_links": _suggestions(eco, org_graph, _strongest(unit_links, top * 2)),
    }


def _collect(sink: list[dict[str, Any]], found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sink.extend(found)
    return found


def _strongest(found: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    unique = {tuple(s["pair"]): s for s in found}
    return sorted(unique.values(), key=lambda s: (-s["score"], str(s["pair"][0]), str(s["pair"][1])))[:limit]


def _names(refs: list[dict[str, Any]], limit: int = 6) -> str:
    names = [r["label"] for r in refs[:limit]]
    more = len(refs) - limit
    text = ", ".join(names)
    return text + (f" and {more} more" if more > 0 else "")


def _findings(eco: Ecosystem, report: dict[str, Any], R: nx.Graph) -> list[dict[str, Any]]:
    """The headline sentences, each with the IRIs that support it."""
    findings: list[dict[str, Any]] = []
    areas = report["areas"]
    stated = [a for a in areas if a["participants"] or a["groups"]]
    if areas and not stated:
        findings.append(
            {
                "text": (
                    f"No source states that any organisation or person participates in any of "
                    f"the {len(areas)} collaboration areas (0 lskg:participatesIn triples) or "
                    "attaches a group to one (0 lskg:attachedToArea triples), so every area "
                    f"lacks every one of the {len(report['sectors'])} sectors."
                ),
                "evidence": [_PREDICATES["participatesIn"], _PREDICATES["attachedToArea"]]
                + [a["iri"] for a in areas],
            }
        )
    else:
        for a in areas:
            missing = a["coverage"]["missing"]
            if missing:
                findings.append(
                    {
                        "text": f"Area {a['notation']} ({a['label']}) lacks {_names(missing)}.",
                        "evidence": [a["iri"]] + [m["iri"] for m in missing],
                    }
                )
    served = [a for a in areas if a["infrastructures"]]
    if served:
        parts = [f"{a['label']} ({_names(a['infrastructures'])})" for a in served]
        findings.append(
            {
                "text": "Infrastructures are stated to serve "
                f"{len(served)} of the areas: " + "; ".join(parts) + ".",
                "evidence": [_PREDICATES["servesArea"]]
                + [i["iri"] for a in served for i in a["infrastructures"]],
            }
        )
    for g in report["groups"]:
        cov = g["coverage"]
        if not g["members"]:
            findings.append(
                {
                    "text": f"No source names any member of the {g['label']}, so its sector "
                    "make-up is unknown: every sector is missing.",
                    "evidence": [g["iri"]],
                }
            )
            continue
        counts = ", ".join(
            f"{eco.sector_labels.get(s, s)} {n}"
            for s, n in sorted(cov["counts"].items(), key=lambda kv: (-kv[1], kv[0]))
        )
        missing = cov["missing"]
        lacks = f"; it lacks {_names(missing)}" if missing else "; no sector is missing"
        findings.append(
            {
                "text": f"The {g['label']} has {len(g['members'])} members from "
                f"{len(cov['present'])} of {len(report['sectors'])} sectors ({counts}){lacks}.",
                "evidence": [g["iri"]] + [m for row in g["members"] for m in row["memberships"]],
            }
        )
        single = g["single_points_of_failure"]["sector_single_points"]
        if single:
            findings.append(
                {
                    "text": f"In the {g['label']}, "
                    + "; ".join(
                        f"{s['sector']['label']} rests on one member, {s['member']['label']}" for s in single
                    )
                    + ".",
                    "evidence": [s["member"]["iri"] for s in single],
                }
            )
        regions = g["regions"]
        if not regions:
            text = f"No region is stated for any organisation of the {g['label']}."
        elif all(r["basis"] == "is an lskg:Region" for r in regions):
            text = (
                f"Regions represented in the {g['label']}: {_names(regions, 10)}, each only "
                "because the member's organisation is itself an lskg:Region; no lskg:region "
                "triple places any other member organisation in a region."
            )
        else:
            text = f"Regions represented in the {g['label']}: {_names(regions, 10)}."
        findings.append(
            {
                "text": text,
                "evidence": [r["iri"] for r in regions] or [_PREDICATES["region"]],
            }
        )
    points = report["network"]["articulation_points"]
    if points["top"]:
        described = "; ".join(
            f"{p['label']} (cuts off {p['cut_off_count']}: {_names(p['cut_off'], 4)})"
            for p in points["top"][:5]
        )
        findings.append(
            {
                "text": f"The affiliation graph has {points['count']} articulation points "
                f"(single points of failure). The most damaging: {described}.",
                "evidence": [p["iri"] for p in points["top"][:5]],
            }
        )
    brokers = report["network"]["top_brokers"]
    if brokers:
        described = "; ".join(
            f"{b['label']} ({b['brokerage']['total']} open two-paths: "
            + ", ".join(f"{r} {b['brokerage'][r]}" for r in ROLES if b["brokerage"][r])
            + ")"
            for b in brokers[:3]
        )
        findings.append(
            {
                "text": f"People who broker between others not tied to each other: {described}.",
                "evidence": [b["iri"] for b in brokers[:3]],
            }
        )
    links = report["network"]["suggested_links"]
    if links:
        first = links[0]
        findings.append(
            {
                "text": f"The strongest suggested cross-sector link is "
                f"{first['pair'][0]['label']} – {first['pair'][1]['label']} (score "
                f"{first['score']}), through {_names([v['node'] for v in first['via']])}.",
                "evidence": [first["pair"][0]["iri"], first["pair"][1]["iri"]]
                + [v["node"]["iri"] for v in first["via"]],
            }
        )
    return findings


# ---------------------------------------------------------------------------------- renderers


def render_json(report: dict[str, Any]) -> str:
    """The report as indented JSON (UTF-8 text, keys in report order).

    Examples
    --------
    >>> render_json({"title": "Sector gap report", "areas": []})
    '{\\n  "title": "Sector gap report",\\n  "areas": []\\n}\\n'
    """
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _md_link(ref: dict[str, Any]) -> str:
    label = str(ref.get("label", ref.get("iri"))).replace("[", "(").replace("]", ")")
    return f"[{label}](<{ref['iri']}>)"


def _md_links(refs: list[dict[str, Any]], empty: str = "none") -> str:
    return ", ".join(_md_link(r) for r in refs) if refs else empty


def _fmt(value: Any) -> str:
    return "n/a" if value is None else str(value)


def _md_unit(lines: list[str], unit: dict[str, Any], measures: dict[str, str]) -> None:
    cov = unit["coverage"]
    counts = ", ".join(f"{s} {n}" for s, n in cov["counts"].items()) or "none"
    lines.append(f"- Sectors present: {_md_links(cov['present'])} (members per sector: {counts})")
    lines.append(f"- Sectors missing: {_md_links(cov['missing'])}")
    if cov["unknown"]:
        lines.append(f"- Members of unknown sector: {_md_links(cov['unknown'])}")
    lines.append(f"- Diversity: {_fmt(cov['diversity'])} — {measures['diversity']}")
    lines.append(f"- Evenness: {_fmt(cov['evenness'])} — {measures['evenness']}")
    lines.append(f"- T_uig: {_fmt(cov['t_uig'])} — {measures['t_uig']}")
    regions = unit["regions"]
    region_text = (
        ", ".join(f"{_md_link(r)} (via {_md_links(r['via'])}: {r['basis']})" for r in regions)
        if regions
        else "none stated"
    )
    lines.append(f"- Regions represented: {region_text}")
    spof = unit["single_points_of_failure"]
    singles = spof["sector_single_points"]
    lines.append(
        "- Sectors resting on one member: "
        + (
            ", ".join(f"{_md_link(s['sector'])} ({_md_link(s['member'])})" for s in singles)
            if singles
            else "none"
        )
    )
    cuts = spof["cut_points"]
    if cuts:
        shown = f", the {len(cuts)} most damaging" if spof["cut_points_count"] > len(cuts) else ""
        lines.append(
            f"- Single points of failure: {spof['cut_points_count']}{shown} ({measures['cut_off_count']}):"
        )
        for c in cuts:
            lines.append(
                f"  - {_md_link(c)}: cuts off {c['cut_off_count']} "
                f"({_md_links(c['cut_off'])}); pieces left {c['pieces']}"
            )
    else:
        lines.append("- Single points of failure: none")
    brokers = unit["top_brokers"]
    if brokers:
        lines.append(f"- Top brokers ({measures['brokerage']}):")
        for b in brokers:
            roles = ", ".join(f"{r} {b['brokerage'][r]}" for r in ROLES if b["brokerage"][r])
            lines.append(
                f"  - {_md_link(b)}: {b['brokerage']['total']} ({roles}); betweenness {b['betweenness']}"
            )
    else:
        lines.append("- Top brokers: none (no member links people who are not otherwise tied)")
    _md_suggestions(lines, unit["suggested_links"], measures)


def _md_tie(tie: dict[str, list[dict[str, Any]]]) -> str:
    parts = [f"{kind}: {_md_links(refs)}" for kind, refs in tie.items() if refs]
    return "; ".join(parts)


def _md_suggestions(lines: list[str], links: list[dict[str, Any]], measures: dict[str, str]) -> None:
    if not links:
        lines.append("- Suggested cross-sector links: none (no cross-sector pair shares a contact)")
        return
    lines.append(f"- Suggested cross-sector links ({measures['score']}):")
    for s in links:
        a, b = s["pair"]
        lines.append(
            f"  - {_md_link(a)} ({s['sectors'][0]}) – {_md_link(b)} ({s['sectors'][1]}): score {s['score']}"
        )
        for via in s["via"]:
            lines.append(
                f"    - both tied to {_md_link(via['node'])} — {a['label']}: "
                f"{_md_tie(via['ties'][0])}; {b['label']}: {_md_tie(via['ties'][1])}"
            )
        hidden = s["shared_count"] - len(s["via"])
        if hidden > 0:
            lines.append(f"    - and {hidden} more shared contacts")


def render_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown: findings first, then areas, groups, the network and a glossary.

    Every entity is a link to its IRI.

    Examples
    --------
    >>> from kg.analysis._fixtures import tiny_store
    >>> text = render_markdown(gap_report(tiny_store()))
    >>> text.splitlines()[0]
    '# Sector gap report'
    >>> "[Board](<https://w3id.org/lskg/id/group/board>)" in text
    True
    """
    m = report["measures"]
    lines = [
        f"# {report['title']}",
        "",
        f"Store version `{report['store_version']}`; lskg {report['generated_with']['lskg']}, "
        f"networkx {report['generated_with']['networkx']}, seed {report['generated_with']['seed']}.",
        "",
        "Sectors: " + _md_links(report["sectors"]) + ".",
        "",
        "## Findings",
        "",
    ]
    for f in report["findings"]:
        evidence = ", ".join(f"<{iri}>" for iri in f["evidence"][:8])
        more = len(f["evidence"]) - 8
        lines.append(f"- {f['text']} Evidence: {evidence}" + (f" and {more} more." if more > 0 else ""))
    lines += ["", "## Collaboration areas", ""]
    for a in report["areas"]:
        lines.append(f"### {a['notation'] or ''} {_md_link(a)}".replace("###  ", "### "))
        lines.append("")
        lines.append(f"- Participants stated: {_md_links(a['participants'])}")
        lines.append(f"- Groups attached: {_md_links(a['groups'])}")
        if a["members_via_groups"]:
            lines.append(f"- Members through attached groups: {_md_links(a['members_via_groups'])}")
        lines.append(f"- Infrastructures serving it: {_md_links(a['infrastructures'])}")
        _md_unit(lines, a, m)
        for note in a["notes"]:
            lines.append(f"- Note: {note}")
        lines.append("")
    lines += ["## Groups", ""]
    for g in report["groups"]:
        lines.append(f"### {_md_link(g)} ({g['type']})")
        lines.append("")
        lines.append(f"{len(g['members'])} members ({m['members']}).")
        lines.append("")
        if g["members"]:
            lines.append("| Member | Sector | Why this sector | Organisations | Membership |")
            lines.append("| --- | --- | --- | --- | --- |")
            for row in g["members"]:
                why = f"{row['sector_basis'] or 'unknown'}: {_md_links(row['sector_source'], '-')}"
                memberships = ", ".join(f"<{iri}>" for iri in row["memberships"])
                lines.append(
                    f"| {_md_link(row)} | {row.get('sector') or 'unknown'} | {why} | "
                    f"{_md_links(row['organisations'], '-')} | {memberships} |"
                )
            lines.append("")
        _md_unit(lines, g, m)
        for note in g["notes"]:
            lines.append(f"- Note: {note}")
        lines.append("")
    net = report["network"]
    lines += ["## The whole network", ""]
    lines.append("| Graph | Nodes | Edges | Components |")
    lines.append("| --- | --- | --- | --- |")
    for name, g in report["graphs"].items():
        lines.append(f"| {name} | {g['nodes']} | {g['edges']} | {g['components']} |")
    lines.append("")
    ap = net["articulation_points"]
    lines.append(f"- Articulation points in the affiliation graph: {ap['count']}. Most damaging:")
    for c in ap["top"]:
        lines.append(f"  - {_md_link(c)}: cuts off {c['cut_off_count']} ({_md_links(c['cut_off'])})")
    br = net["bridges"]
    lines.append(f"- Bridges in the affiliation graph: {br['count']}. Largest cuts:")
    for b in br["top"]:
        lines.append(
            f"  - {_md_link(b['edge'][0])} – {_md_link(b['edge'][1])}: cuts off "
            f"{b['cut_off_count']} ({_md_links(b['cut_off'])})"
        )
    pb = net["people_betweenness"]
    method = pb["method"] + (f", k={pb['k']}" if pb["k"] else "")
    lines.append(f"- Betweenness in the people graph ({method}; {m['betweenness']}):")
    for row in pb["top"]:
        lines.append(
            f"  - {_md_link(row)}: {row['betweenness']}; constraint {_fmt(row['constraint'])} "
            f"({m['constraint']}); effective size {_fmt(row['effective_size'])}"
        )
    lines.append("- Top brokers among people:")
    for b in net["top_brokers"]:
        roles = ", ".join(f"{r} {b['brokerage'][r]}" for r in ROLES if b["brokerage"][r])
        lines.append(f"  - {_md_link(b)}: {b['brokerage']['total']} ({roles})")
    lines.append("- Top brokering organisations:")
    for b in net["top_brokering_organisations"]:
        roles = ", ".join(f"{r} {b['brokerage'][r]}" for r in ROLES if b["brokerage"][r])
        lines.append(f"  - {_md_link(b)}: {b['brokerage']['total']} ({roles})")
    com = net["communities"]
    lines.append(
        f"- Communities of organisations ({com['method']}): {com['count']}, modularity "
        f"{_fmt(com['modularity'])} — {m['modularity']}"
    )
    for c in com["largest"]:
        lines.append(f"  - {c['size']} organisations, sectors {c['sectors']}: {_md_links(c['members'])}")
    for name, mix in net["mixing"].items():
        lines.append(
            f"- Sector assortativity of the {name} graph: {_fmt(_round(mix['assortativity']))} "
            f"over {mix['ties']} ties — {m['assortativity']}"
        )
    lines.append(f"- T_uig across all groups and areas: {_fmt(net['system_t_uig'])}")
    _md_suggestions(lines, net["suggested_links"], m)
    lines += ["", "## Measures", ""]
    for key, text in m.items():
        lines.append(f"- **{key}**: {text}")
    return "\n".join(lines) + "\n"


_CSS = """
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}
.missing{color:#a40000}.present{color:#006400}.num{font-variant-numeric:tabular-nums}
.explain{color:#666;font-size:.9em}section{border-top:1px solid #ddd;margin-top:1.5rem}
.heat td.c{text-align:center;min-width:3rem}
"""


def _h(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _a(ref: dict[str, Any]) -> str:
    return f'<a href="{_h(ref["iri"])}">{_h(ref.get("label", ref["iri"]))}</a>'


def _as(refs: list[dict[str, Any]], empty: str = "none") -> str:
    return ", ".join(_a(r) for r in refs) if refs else _h(empty)


def _html_unit(out: list[str], unit: dict[str, Any], m: dict[str, str]) -> None:
    cov = unit["coverage"]
    counts = ", ".join(f"{_h(s)} {n}" for s, n in cov["counts"].items()) or "none"
    out.append("<ul>")
    out.append(f'<li>Sectors present: <span class="present">{_as(cov["present"])}</span> ({counts})</li>')
    out.append(f'<li>Sectors missing: <span class="missing">{_as(cov["missing"])}</span></li>')
    for key in ("diversity", "evenness", "t_uig"):
        out.append(
            f'<li>{key}: <span class="num">{_h(_fmt(cov[key]))}</span> '
            f'<span class="explain">{_h(m[key])}</span></li>'
        )
    regions = unit["regions"]
    region_text = (
        ", ".join(f"{_a(r)} (via {_as(r['via'])}: {_h(r['basis'])})" for r in regions)
        if regions
        else "none stated"
    )
    out.append(f"<li>Regions represented: {region_text}</li>")
    spof = unit["single_points_of_failure"]
    singles = spof["sector_single_points"]
    single_text = ", ".join(f"{_a(s['sector'])} ({_a(s['member'])})" for s in singles) if singles else "none"
    out.append(f"<li>Sectors resting on one member: {single_text}</li>")
    cuts = spof["cut_points"]
    out.append(f'<li>Single points of failure <span class="explain">{_h(m["cut_off_count"])}</span>:')
    if cuts:
        out.append("<ul>")
        for c in cuts:
            out.append(f"<li>{_a(c)}: cuts off {c['cut_off_count']} ({_as(c['cut_off'])})</li>")
        out.append("</ul>")
    else:
        out.append(" none")
    out.append("</li>")
    brokers = unit["top_brokers"]
    out.append(f'<li>Top brokers <span class="explain">{_h(m["brokerage"])}</span>:')
    if brokers:
        out.append("<ul>")
        for b in brokers:
            roles = ", ".join(f"{r} {b['brokerage'][r]}" for r in ROLES if b["brokerage"][r])
            out.append(f"<li>{_a(b)}: {b['brokerage']['total']} ({_h(roles)})</li>")
        out.append("</ul>")
    else:
        out.append(" none")
    out.append("</li>")
    _html_suggestions(out, unit["suggested_links"], m)
    for note in unit["notes"]:
        out.append(f"<li><em>{_h(note)}</em></li>")
    out.append("</ul>")


def _html_suggestions(out: list[str], links: list[dict[str, Any]], m: dict[str, str]) -> None:
    out.append(f'<li>Suggested cross-sector links <span class="explain">{_h(m["score"])}</span>:')
    if not links:
        out.append(" none</li>")
        return
    out.append("<ul>")
    for s in links:
        a, b = s["pair"]
        vias = "; ".join(_a(v["node"]) for v in s["via"])
        out.append(
            f"<li>{_a(a)} ({_h(s['sectors'][0])}) – {_a(b)} ({_h(s['sectors'][1])}): "
            f"score {s['score']}, both tied to {vias}</li>"
        )
    out.append("</ul></li>")


def render_html(report: dict[str, Any]) -> str:
    """The report as one self-contained HTML page (inline CSS, no scripts, no external assets).

    Examples
    --------
    >>> from kg.analysis._fixtures import tiny_store
    >>> page = render_html(gap_report(tiny_store()))
    >>> page.startswith("<!DOCTYPE html>"), "<script" in page, "http-equiv" in page
    (True, False, False)
    """
    m = report["measures"]
    sectors = report["sectors"]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_h(report['title'])}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_h(report['title'])}</h1>",
        f"<p>Store version <code>{_h(report['store_version'])}</code>; lskg "
        f"{_h(report['generated_with']['lskg'])}, networkx "
        f"{_h(report['generated_with']['networkx'])}, seed {report['generated_with']['seed']}.</p>",
        "<section><h2>Findings</h2><ul>",
    ]
    for f in report["findings"]:
        evidence = ", ".join(f'<a href="{_h(i)}">{_h(i)}</a>' for i in f["evidence"][:8])
        out.append(f'<li>{_h(f["text"])} <span class="explain">Evidence: {evidence}</span></li>')
    out.append("</ul></section>")
    out.append('<section><h2>Sectors per area and group</h2><table class="heat"><tr><th></th>')
    out.extend(f"<th>{_a(s)}</th>" for s in sectors)
    out.append("</tr>")
    units = [(f"{a['notation'] or ''} {a['label']}", a) for a in report["areas"]] + [
        (g["label"], g) for g in report["groups"]
    ]
    for name, unit in units:
        out.append(f'<tr><th><a href="{_h(unit["iri"])}">{_h(name.strip())}</a></th>')
        for s in sectors:
            n = unit["coverage"]["counts"].get(s["notation"], 0)
            shade = "#fff" if n == 0 else f"hsl(140,50%,{max(40, 90 - 8 * n)}%)"
            out.append(f'<td class="c num" style="background:{shade}">{n}</td>')
        out.append("</tr>")
    out.append("</table></section>")
    out.append("<section><h2>Collaboration areas</h2>")
    for a in report["areas"]:
        out.append(f"<h3>{_h(a['notation'] or '')} {_a(a)}</h3>")
        out.append(
            f"<p>Participants stated: {_as(a['participants'])}. Groups attached: "
            f"{_as(a['groups'])}. Infrastructures serving it: {_as(a['infrastructures'])}.</p>"
        )
        _html_unit(out, a, m)
    out.append("</section><section><h2>Groups</h2>")
    for g in report["groups"]:
        out.append(f"<h3>{_a(g)} ({_h(g['type'])})</h3>")
        out.append(f'<p>{len(g["members"])} members <span class="explain">{_h(m["members"])}</span></p>')
        if g["members"]:
            out.append(
                "<table><tr><th>Member</th><th>Sector</th><th>Why this sector</th>"
                "<th>Organisations</th><th>Membership</th></tr>"
            )
            for row in g["members"]:
                memberships = ", ".join(
                    f'<a href="{_h(i)}">{_h(i.rsplit("/", 1)[-1])}</a>' for i in row["memberships"]
                )
                out.append(
                    f"<tr><td>{_a(row)}</td><td>{_h(row.get('sector') or 'unknown')}</td>"
                    f"<td>{_h(row['sector_basis'] or 'unknown')}: {_as(row['sector_source'], '-')}</td>"
                    f"<td>{_as(row['organisations'], '-')}</td><td>{memberships}</td></tr>"
                )
            out.append("</table>")
        _html_unit(out, g, m)
    net = report["network"]
    out.append("</section><section><h2>The whole network</h2>")
    out.append("<table><tr><th>Graph</th><th>Nodes</th><th>Edges</th><th>Components</th></tr>")
    for name, g in report["graphs"].items():
        out.append(
            f'<tr><td>{_h(name)}</td><td class="num">{g["nodes"]}</td>'
            f'<td class="num">{g["edges"]}</td><td class="num">{g["components"]}</td></tr>'
        )
    out.append("</table><ul>")
    ap = net["articulation_points"]
    out.append(f"<li>Articulation points in the affiliation graph: {ap['count']}<ul>")
    for c in ap["top"]:
        out.append(f"<li>{_a(c)}: cuts off {c['cut_off_count']} ({_as(c['cut_off'])})</li>")
    out.append("</ul></li>")
    out.append(f"<li>Bridges in the affiliation graph: {net['bridges']['count']}</li>")
    out.append("<li>Top brokers among people:<ul>")
    for b in net["top_brokers"]:
        out.append(f"<li>{_a(b)}: {b['brokerage']['total']}</li>")
    out.append("</ul></li>")
    com = net["communities"]
    out.append(
        f"<li>Communities of organisations: {com['count']}, modularity {_h(_fmt(com['modularity']))} "
        f'<span class="explain">{_h(m["modularity"])}</span></li>'
    )
    for name, mix in net["mixing"].items():
        out.append(
            f"<li>Sector assortativity of the {_h(name)} graph: "
            f'{_h(_fmt(_round(mix["assortativity"])))} <span class="explain">'
            f"{_h(m['assortativity'])}</span></li>"
        )
    out.append(f"<li>T_uig across all groups and areas: {_h(_fmt(net['system_t_uig']))}</li>")
    _html_suggestions(out, net["suggested_links"], m)
    out.append("</ul></section><section><h2>Measures</h2><dl>")
    for key, text in m.items():
        out.append(f"<dt>{_h(key)}</dt><dd>{_h(text)}</dd>")
    out.append("</dl></section></body></html>")
    return "\n".join(out) + "\n"
