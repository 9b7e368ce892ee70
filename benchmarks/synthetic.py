"""A seeded synthetic ecosystem graph of the same shape as lskg's, for benchmarks.

Organisations of the ontology's kinds, each with a sector, labels in English and Swedish and
areas it takes part in; people with memberships (role, organisation) in organisations and in
groups; groups attached to collaboration areas. Every fact sits in a named graph per synthetic
"source", and (as in an lskg build) once more in the default graph, which is the union.

    python benchmarks/synthetic.py --triples 1000000 --out var/bench/synthetic-1m.nq
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

BASE = "https://w3id.org/lskg/"
LSKG = "https://w3id.org/lskg/ontology#"
ORG = "http://www.w3.org/ns/org#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FOAF = "http://xmlns.com/foaf/0.1/"
SKOS = "http://www.w3.org/2004/02/skos/core#"

KINDS = {
    "University": "SectorAcademia",
    "Company": "SectorIndustry",
    "IndustryAssociation": "SectorIndustry",
    "GovernmentAgency": "SectorPublic",
    "Region": "SectorPublic",
    "Municipality": "SectorPublic",
    "CareProvider": "SectorHealthcare",
    "PatientOrganisation": "SectorCivilSociety",
    "NonProfitOrganisation": "SectorCivilSociety",
    "ResearchFunder": "SectorPublic",
}
GROUP_KINDS = ("CoordinationGroup", "ReferenceGroup", "WorkingGroup")
ROLES = ("member", "chair", "board-member", "ceo", "researcher", "adviser")
SYLLABLES = (
    "bio", "gen", "med", "lund", "upp", "sala", "karo", "link", "cell", "pharm", "nova", "vita",
    "onco", "neuro", "immun", "scan", "nord", "vast", "syd", "cura", "data", "tech", "lab", "life",
)  # fmt: skip
GIVEN = ("Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Per", "Sara", "Nils", "Ida", "Olof")
FAMILY = ("Andersson", "Berg", "Lind", "Ek", "Holm", "Nyström", "Sjöberg", "Wallin", "Åberg", "Lönn")

__all__ = ["generate", "main"]


def _iri(kind: str, n: int) -> str:
    return f"<{BASE}id/{kind}/{n}>"


def _lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def generate(triples: int, seed: int = 42) -> Iterator[str]:
    """N-Quads lines of about ``triples`` distinct triples (each twice: named and default graph).

    About 15 triples per organisation, 6 per person and 5 per membership; the counts scale so
    that the total comes close to ``triples``.
    """
    rng = random.Random(seed)
    # Per unit of scale: 1 organisation, 3 people, 6 memberships (and a few groups and areas).
    unit = 15 + 3 * 6 + 6 * 5
    scale = max(1, triples // unit)
    n_orgs, n_people, n_memberships = scale, 3 * scale, 6 * scale
    n_groups, n_areas, n_sources = max(3, scale // 50), 8, 16
    kinds = list(KINDS)

    def quad(s: str, p: str, o: str, source: int) -> Iterator[str]:
        yield f"{s} <{p}> {o} <{BASE}graph/synthetic-{source}> ."
        yield f"{s} <{p}> {o} ."

    for a in range(n_areas):
        area = _iri("area", a)
        yield from quad(area, RDF_TYPE, f"<{LSKG}CollaborationArea>", 0)
        yield from quad(area, f"{SKOS}prefLabel", _lit(f"Area {_name(rng)} {a}", "en"), 0)
    for g in range(n_groups):
        group, source = _iri("group", g), g % n_sources
        yield from quad(group, RDF_TYPE, f"<{LSKG}{rng.choice(GROUP_KINDS)}>", source)
        yield from quad(group, RDFS_LABEL, _lit(f"{_name(rng)} group {g}", "en"), source)
        yield from quad(group, f"{LSKG}attachedToArea", _iri("area", rng.randrange(n_areas)), source)
    for o in range(n_orgs):
        org, source = _iri("org", o), o % n_sources
        kind = rng.choice(kinds)
        name = _name(rng)
        yield from quad(org, RDF_TYPE, f"<{LSKG}{kind}>", source)
        yield from quad(org, f"{LSKG}sector", f"<{LSKG}{KINDS[kind]}>", source)
        yield from quad(org, RDFS_LABEL, _lit(f"{name} {kind} {o}", "en"), source)
        yield from quad(org, RDFS_LABEL, _lit(f"{name} {o}", "sv"), source)
        yield from quad(org, f"{SKOS}altLabel", _lit(f"{name.upper()} {o}"), source)
        for area in rng.sample(range(n_areas), rng.randint(1, 3)):
            yield from quad(org, f"{LSKG}participatesIn", _iri("area", area), source)
        for _ in range(rng.randint(4, 8)):
            yield from quad(org, f"{LSKG}keyword", _lit(_name(rng).lower(), "en"), source)
        for _ in range(rng.randint(1, 3)):
            yield from quad(org, f"{ORG}hasSite", _iri("site", rng.randrange(n_orgs * 2)), source)
    for p in range(n_people):
        person, source = _iri("person", p), p % n_sources
        full = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {p}"
        yield from quad(person, RDF_TYPE, f"<{FOAF}Person>", source)
        yield from quad(person, RDFS_LABEL, _lit(full), source)
        yield from quad(person, f"{FOAF}name", _lit(full), source)
        for _ in range(3):
            yield from quad(person, f"{LSKG}keyword", _lit(_name(rng).lower(), "en"), source)
    for m in range(n_memberships):
        membership, source = _iri("membership", m), m % n_sources
        person = _iri("person", rng.randrange(n_people))
        # One membership in ten is in a group, the rest in an organisation.
        target = _iri("group", rng.randrange(n_groups)) if m % 10 == 0 else _iri("org", rng.randrange(n_orgs))
        yield from quad(membership, RDF_TYPE, f"<{ORG}Membership>", source)
        yield from quad(membership, f"{ORG}member", person, source)
        yield from quad(membership, f"{ORG}organization", target, source)
        yield from quad(membership, f"{ORG}role", _iri("role", ROLES.index(rng.choice(ROLES))), source)
        yield from quad(membership, f"{LSKG}roleTitle", _lit(rng.choice(ROLES).title(), "en"), source)


def main() -> None:
    """Write the synthetic graph as N-Quads."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        count = 0
        for line in generate(args.triples, args.seed):
            handle.write(line + "\n")
            count += 1
    print(f"wrote {count} quads ({count // 2} triples) to {args.out}")


if __name__ == "__main__":
    main()
