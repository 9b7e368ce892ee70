"""Reconcile imported organisations and people with those already in the graph.

An import never merges into an existing entity on a name alone (see
:class:`kg.importers.common.Draft`): a new organisation that happens to share a name with one in
the graph gets its own IRI. :func:`reconcile` then compares every imported organisation and
person with every other one of its family:

- **the same identifier** (Wikidata item, ROR id or organisation number, see
  :func:`kg.importers.common.identifier_key`) is an exact match and is merged;
- **similar names** give a probable duplicate with a score from 0 to 1, listed for a person to
  confirm with ``--accept ID``; it is never merged on the name alone. Names are compared after
  normalisation (case, diacritics and punctuation folded, company suffixes such as AB or Ltd
  dropped, a few Swedish words read as their English equivalents), as a token-set Jaccard
  index in which two tokens match when they are nearly the same word (``linkopings`` ~
  ``linkoping``); every label, preferred and alternative label of both, in both languages, is
  compared and the best pair counts;
- two entities whose identifiers of one scheme differ are never candidates.

A merge rewrites the import files (never the curated ``data/``): the imported IRI is replaced
by the one it merges into, the imported kind and sector give way to those the graph already
states, and an imported label in a language the entity already has a different label in
becomes a ``skos:altLabel``. The merge is remembered in ``reconciliation.json`` in the imports
directory, so that importing the same sheet again lands on the merged IRI. The rewritten files
are validated and the store rebuilt before anything is written.

Examples
--------
>>> name_similarity("Linköpings universitet", "Linköping University")
1.0
>>> name_similarity("Exempel Biotech AB", "Exempel Biotech Ltd")
1.0
>>> round(name_similarity("Karolinska Institutet", "Karolinska University Hospital"), 2)
0.25
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.build import data_files, parse_rdf_file, read_source
from kg.config import Settings
from kg.errors import InputError
from kg.importers.commit import Committed, apply_import_files, validate_import_files
from kg.importers.common import (
    ALIASES_FILE,
    Existing,
    GraphIndex,
    fold,
    identifier_key,
    import_files,
    load_aliases,
    resolve_data_dir,
)
from kg.importers.common import default_imports_dir as _default_imports_dir
from kg.importers.vocab import FOAF, RDF, RDFS, SKOS, vocabulary
from kg.store import PREFIXES

__all__ = ["Candidate", "Reconciliation", "name_similarity", "normalise_name", "reconcile"]

NAME_PREDICATES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", FOAF + "name")
COMPANY_SUFFIXES = frozenset(
    {
        "ab",
        "publ",
        "ltd",
        "limited",
        "inc",
        "llc",
        "plc",
        "gmbh",
        "corp",
        "corporation",
        "co",
        "oy",
        "asa",
        "as",
    }
)
# A few Swedish words read as their English equivalents, so that "Uppsala universitet" and
# "Uppsala University" compare as the same name.
SYNONYMS = {
    "universitet": "university",
    "universitetet": "university",
    "institutet": "institute",
    "institut": "institute",
    "sjukhus": "hospital",
    "sjukhuset": "hospital",
    "stiftelsen": "foundation",
    "stiftelse": "foundation",
    "kommun": "municipality",
    "forening": "association",
    "foreningen": "association",
    "forbund": "association",
    "forbundet": "association",
}
_TOKEN = re.compile(r"[a-z0-9]+")


def normalise_name(text: str) -> list[str]:
    """The comparable tokens of a name.

    Examples
    --------
    >>> normalise_name("Forska!Sverige AB (publ)")
    ['forska', 'sverige']
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    tokens = [SYNONYMS.get(t, t) for t in _TOKEN.findall(ascii_only)]
    kept = [t for t in tokens if t not in COMPANY_SUFFIXES]
    return kept or tokens


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    return SequenceMatcher(None, a, b).ratio() >= 0.85


def name_similarity(a: str, b: str) -> float:
    """A token-set Jaccard index of two names in which nearly equal words match (0 to 1)."""
    left, right = list(dict.fromkeys(normalise_name(a))), list(dict.fromkeys(normalise_name(b)))
    if not left or not right:
        return 0.0
    unmatched = list(right)
    matches = 0
    for token in left:
        hit = next((other for other in unmatched if _same_word(token, other)), None)
        if hit is not None:
            unmatched.remove(hit)
            matches += 1
    return matches / (len(left) + len(right) - matches)


@dataclass(frozen=True)
class Candidate:
    """A pair that may be one entity: the imported IRI and the one it would merge into."""

    id: str
    family: str
    imported: str
    existing: str
    imported_label: str
    existing_label: str
    score: float
    reason: str
    exact: bool

    def as_dict(self) -> dict[str, Any]:
        """The candidate as JSON-ready data."""
        return asdict(self)


@dataclass
class Reconciliation:
    """What :func:`reconcile` found and did."""

    merged: list[Candidate] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    written: bool = False
    committed: Committed | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return {
            "merged": [c.as_dict() for c in self.merged],
            "candidates": [c.as_dict() for c in self.candidates],
            "written": self.written,
            "notes": self.notes,
        }


@dataclass
class _Entity:
    iri: str
    family: str
    names: list[str] = field(default_factory=list)
    identifiers: set[str] = field(default_factory=set)
    curated: bool = False
    imported: bool = False


def _family(types: Iterable[str]) -> str | None:
    types = set(types)
    if FOAF + "Person" in types:
        return "person"
    if types & vocabulary().organisation_classes:
        return "organisation"
    return None


def _entities(base_iri: str, data_dir: Path, imports_dir: Path) -> dict[str, _Entity]:
    types: dict[str, set[str]] = {}
    typed_in: dict[str, set[str]] = {}
    names: dict[str, list[str]] = {}
    identifiers: dict[str, set[str]] = {}
    for path in data_files(data_dir) + import_files(imports_dir):
        origin = "import" if path.parent == imports_dir else "curated"
        for t in read_source(path, base_iri).facts:
            if not isinstance(t.subject, ox.NamedNode):
                continue
            s, p, o = t.subject.value, t.predicate.value, t.object
            if p == RDF + "type" and isinstance(o, ox.NamedNode):
                types.setdefault(s, set()).add(o.value)
                typed_in.setdefault(s, set()).add(origin)
            elif p in NAME_PREDICATES and isinstance(o, ox.Literal):
                names.setdefault(s, []).append(o.value)
            elif isinstance(o, ox.NamedNode | ox.Literal):
                key = identifier_key(p, o)
                if key is not None and not key.startswith("iri:"):
                    identifiers.setdefault(s, set()).add(key)
    entities = {}
    for iri, classes in types.items():
        family = _family(classes)
        if family is None:
            continue
        origins = typed_in.get(iri, set())
        entities[iri] = _Entity(
            iri,
            family,
            list(dict.fromkeys(names.get(iri, []))),
            identifiers.get(iri, set()),
            curated="curated" in origins,
            imported=origins == {"import"},
        )
    return entities


def _pair_id(imported: str, existing: str) -> str:
    return hashlib.sha256(f"{imported} {existing}".encode()).hexdigest()[:8]


def _label(entity: _Entity) -> str:
    return entity.names[0] if entity.names else entity.iri.rsplit("/", 1)[-1]


def find_candidates(entities: dict[str, _Entity], threshold: float) -> list[Candidate]:
    """Every imported entity paired with each other entity of its family that shares an
    identifier (exact) or has a name at least ``threshold`` similar."""
    found: list[Candidate] = []
    by_family: dict[str, list[_Entity]] = {}
    for entity in entities.values():
        by_family.setdefault(entity.family, []).append(entity)
    for entity in sorted(entities.values(), key=lambda e: e.iri):
        if not entity.imported:
            continue
        for other in by_family[entity.family]:
            if other.iri == entity.iri or (other.imported and other.iri > entity.iri):
                continue
            schemes = {k.split(":", 1)[0] for k in entity.identifiers} & {
                k.split(":", 1)[0] for k in other.identifiers
            }
            shared = sorted(entity.identifiers & other.identifiers)
            if not shared and any(
                {k for k in entity.identifiers if k.startswith(s + ":")}
                != {k for k in other.identifiers if k.startswith(s + ":")}
                for s in schemes
            ):
                continue  # identifiers of one scheme disagree: two entities
            if shared:
                score, reason, exact = 1.0, "same " + ", ".join(shared), True
            else:
                score, pair = max(
                    ((name_similarity(a, b), (a, b)) for a in entity.names for b in other.names),
                    default=(0.0, ("", "")),
                )
                if score < threshold:
                    continue
                reason, exact = f"names {pair[0]!r} ~ {pair[1]!r}", False
            candidate = Candidate(
                _pair_id(entity.iri, other.iri),
                entity.family,
                entity.iri,
                other.iri,
                _label(entity),
                _label(other),
                round(score, 3),
                reason,
                exact,
            )
            found.append(candidate)
    return sorted(found, key=lambda c: (not c.exact, -c.score, c.imported, c.existing))


def reconcile(
    settings: Settings,
    *,
    accept: Sequence[str] = (),
    dry_run: bool = False,
    threshold: float = 0.6,
    imports_dir: Path | None = None,
    data_dir: Path | None = None,
) -> Reconciliation:
    """Find duplicates of imported entities, merge exact identifier matches and the accepted
    candidates (ids from an earlier run), and list the rest (see the module docstring).

    With ``dry_run`` nothing is merged or written. Raises :class:`~kg.errors.InputError` for an
    ``accept`` id that is not a current candidate, and :class:`~kg.errors.ValidationFailed` if
    the merged graph would not conform (then nothing is written).
    """
    imports_dir = imports_dir or _default_imports_dir(settings)
    data_dir = resolve_data_dir(settings, data_dir)
    entities = _entities(settings.base_iri, data_dir, imports_dir)
    candidates = find_candidates(entities, threshold)
    known = {c.id for c in candidates}
    unknown = [a for a in accept if a not in known]
    if unknown:
        raise InputError(f"no candidate with id {', '.join(unknown)}; run `lskg reconcile` to list them")
    merges: dict[str, Candidate] = {}
    for candidate in candidates:
        if (candidate.exact or candidate.id in accept) and candidate.imported not in merges:
            merges[candidate.imported] = candidate
    # An entity merged away is no longer a candidate, nor a target another one could merge into.
    targets = {c.existing for c in merges.values()}
    merges = {k: v for k, v in merges.items() if k not in targets}
    left = [c for c in candidates if c.imported not in merges and c.existing not in merges]
    result = Reconciliation(list(merges.values()), left)
    if not merges:
        return result
    changes = _rewrite(settings.base_iri, data_dir, imports_dir, {k: v.existing for k, v in merges.items()})
    if dry_run:
        result.committed = validate_import_files(settings, data_dir, imports_dir, changes)
        result.notes.append("dry run: nothing was merged or written")
        return result
    result.committed = apply_import_files(settings, data_dir, imports_dir, changes)
    _remember(imports_dir, merges)
    result.written = True
    return result


def _remember(imports_dir: Path, merges: dict[str, Candidate]) -> None:
    aliases = load_aliases(imports_dir)
    for imported, candidate in merges.items():
        aliases[imported] = candidate.existing
    # Follow chains (a → b, b → c) so each alias points at the surviving IRI.
    for key in list(aliases):
        seen = {key}
        while aliases[key] in aliases and aliases[key] not in seen:
            seen.add(aliases[key])
            aliases[key] = aliases[aliases[key]]
    path = imports_dir / ALIASES_FILE
    tmp = path.with_suffix(".json.tmp")
    document = {
        "about": "IRIs merged by `lskg reconcile`: imported IRI -> the IRI it became",
        "updated": dt.date.today().isoformat(),
        "merged": dict(sorted(aliases.items())),
    }
    tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _rewrite(
    base_iri: str, data_dir: Path, imports_dir: Path, renames: dict[str, str]
) -> dict[str, bytes | None]:
    """The import files that mention a merged IRI, rewritten (see the module docstring)."""
    index = GraphIndex(base_iri)
    rewritten: list[tuple[Path, list[ox.Quad]]] = []
    for path in data_files(data_dir) + import_files(imports_dir):
        quads = parse_rdf_file(path, base_iri)
        mentioned = any(
            _renamed(q.subject, renames) != q.subject or _renamed(q.object, renames) != q.object
            for q in quads
        )
        if path.parent == imports_dir and mentioned:
            rewritten.append((path, quads))
        else:
            index.extend(q.triple for q in quads if not isinstance(q.graph_name, ox.DefaultGraph))
    merged = {target: Existing.of(index, target) for target in set(renames.values())}
    changes: dict[str, bytes | None] = {}
    for path, quads in rewritten:
        out = []
        for q in quads:
            t = ox.Triple(_renamed(q.subject, renames), q.predicate, _renamed(q.object, renames))
            kept = fold(t, merged) if q.subject != t.subject else t
            if kept is not None:
                out.append(ox.Quad(kept.subject, kept.predicate, kept.object, q.graph_name))
        body = ox.serialize(list(dict.fromkeys(out)), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
        assert body is not None
        changes[path.name] = _header(path) + body
    return changes


def _renamed(term: Any, renames: dict[str, str]) -> Any:
    if isinstance(term, ox.NamedNode) and term.value in renames:
        return ox.NamedNode(renames[term.value])
    return term


def _header(path: Path) -> bytes:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    if lines and not any("lskg reconcile" in line for line in lines):
        lines.append("# Merged IRIs rewritten by `lskg reconcile` (see reconciliation.json).")
    return ("\n".join(lines) + "\n\n").encode("utf-8") if lines else b""
