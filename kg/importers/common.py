"""Shared machinery of the importers: the graph an import sees, the draft it builds, the data
file it writes (one named graph per import, provenance per row) and the validated write.

An importer reads its input into a :class:`Draft`: for every row (or JSON record) the triples
it states, where it sits in the file, and the problems found, each as a :class:`RowError`
naming the row, the column and what is wrong. The draft is rendered as a TriG data file with the
layout of ``data/*.trig`` (every fact in a graph named after the row that states it, the rows
described as ``lskg:Excerpt`` of the sheet as ``lskg:SourceDocument``), staged beside the other
imports and validated with SHACL together with the curated data before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.build import data_files, read_source
from kg.config import Settings
from kg.errors import InputError, ValidationFailed
from kg.importers.identifiers import parse_org_number, slugify
from kg.importers.vocab import DCTERMS, FOAF, RDF, RDFS, ROR, SCHEMA, SKOS, WD, XSD, lookup_key, vocabulary
from kg.paths import resource_dir
from kg.store import PREFIXES
from kg.validate import ValidationReport
from kg.vocab import LSKG

__all__ = [
    "ALIASES_FILE",
    "Draft",
    "Existing",
    "GraphIndex",
    "ImportRejected",
    "Record",
    "RowError",
    "default_imports_dir",
    "fold",
    "import_files",
    "load_aliases",
    "load_index",
    "map_report",
    "render_trig",
    "resolve_data_dir",
]

ALIASES_FILE = "reconciliation.json"
NAME_PREDICATES = {RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", FOAF + "name"}
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
RDF_TYPE = ox.NamedNode(RDF + "type")


@dataclass(frozen=True, order=True)
class RowError:
    """One problem of an import: the row (or JSON record), the column (or field), what is wrong.

    ``row`` is the spreadsheet row number (the header is row 1) or the record's number in a
    JSON file; 0 means the problem is in the combined graph, not in one row.
    """

    row: int
    column: str
    message: str
    unit: str = "row"

    def __str__(self) -> str:
        where = f"{self.unit} {self.row}" if self.row else "the combined graph"
        return f"{where}, {'column' if self.unit == 'row' else 'field'} {self.column}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The error as JSON-ready data."""
        return {"row": self.row or None, "column": self.column, "message": self.message}


class ImportRejected(ValidationFailed):
    """The input has errors; nothing was written. ``errors`` lists them row by row."""

    code = "import-rejected"

    def __init__(self, source: str, errors: Sequence[RowError], report: ValidationReport | None = None):
        super().__init__(f"{source}: {len(errors)} error(s); nothing was written", report)
        self.errors = sorted(set(errors))


def default_imports_dir(settings: Settings) -> Path:
    """Where imports are kept: ``settings.imports_dir`` if the settings have one, else an
    ``imports`` directory beside the store (``var/store`` → ``var/imports``)."""
    configured = getattr(settings, "imports_dir", None)
    return Path(configured) if configured else settings.store_path.parent / "imports"


def import_files(imports_dir: Path) -> list[Path]:
    """The import data files in ``imports_dir`` (none if it does not exist yet)."""
    return data_files(imports_dir) if imports_dir.is_dir() else []


def load_aliases(imports_dir: Path) -> dict[str, str]:
    """IRIs that ``lskg reconcile`` merged into another: imported IRI → the IRI it became."""
    path = imports_dir / ALIASES_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from exc
    return {str(k): str(v) for k, v in data.get("merged", {}).items()}


# ---------------------------------------------------------------------------- the graph an import sees


def identifier_key(predicate: str, value: ox.NamedNode | ox.Literal) -> str | None:
    """A comparable key for an external identifier (``wikidata:Q…``, ``ror:…``, ``orgnr:…``).

    Examples
    --------
    >>> identifier_key(SCHEMA + "sameAs", ox.NamedNode(WD + "Q105112"))
    'wikidata:Q105112'
    >>> identifier_key(SCHEMA + "identifier", ox.Literal("2120002528"))
    'orgnr:212000-2528'
    """
    if predicate == SCHEMA + "sameAs" and isinstance(value, ox.NamedNode):
        iri = value.value
        if iri.startswith(WD):
            return "wikidata:" + iri[len(WD) :]
        if iri.startswith(ROR):
            return "ror:" + iri[len(ROR) :]
        return "iri:" + iri
    if predicate == SCHEMA + "identifier" and isinstance(value, ox.Literal):
        try:
            return "orgnr:" + parse_org_number(value.value)
        except ValueError:
            return "id:" + value.value.strip()
    return None


@dataclass
class GraphIndex:
    """What an import needs to know about a graph: types, names and identifiers per IRI."""

    base_iri: str
    types: dict[str, set[str]] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    identifiers: dict[str, set[str]] = field(default_factory=dict)
    ids_of: dict[str, set[str]] = field(default_factory=dict)
    sectors: dict[str, set[str]] = field(default_factory=dict)
    subjects: set[str] = field(default_factory=set)

    def add(self, triple: ox.Triple) -> None:
        """Index one triple."""
        if not isinstance(triple.subject, ox.NamedNode):
            return
        s, p, o = triple.subject.value, triple.predicate.value, triple.object
        self.subjects.add(s)
        if p == RDF + "type" and isinstance(o, ox.NamedNode):
            self.types.setdefault(s, set()).add(o.value)
        elif p in NAME_PREDICATES and isinstance(o, ox.Literal):
            self.names.setdefault(lookup_key(o.value), set()).add(s)
            if p in (RDFS + "label", SKOS + "prefLabel"):
                self.labels.setdefault(s, set()).add((o.value, o.language or ""))
        elif p == LSKG.NS + "sector" and isinstance(o, ox.NamedNode):
            self.sectors.setdefault(s, set()).add(o.value)
        elif isinstance(o, ox.NamedNode | ox.Literal):
            key = identifier_key(p, o)
            if key is not None:
                self.identifiers.setdefault(key, set()).add(s)
                self.ids_of.setdefault(s, set()).add(key)

    def extend(self, triples: Iterable[ox.Triple]) -> GraphIndex:
        """Index many triples; returns ``self``."""
        for triple in triples:
            self.add(triple)
        return self

    def is_a(self, iri: str, classes: Iterable[str]) -> bool:
        """True if ``iri`` has one of ``classes`` as a type."""
        return bool(self.types.get(iri, set()) & set(classes))

    def named(self, text: str, classes: Iterable[str]) -> list[str]:
        """The IRIs of the given classes with a label, preferred, alternative or foaf name
        spelled like ``text`` (ignoring case, diacritics and punctuation)."""
        wanted = set(classes)
        return sorted(i for i in self.names.get(lookup_key(text), ()) if self.types.get(i, set()) & wanted)


def load_index(
    base_iri: str, data_dir: Path, imports_dir: Path, *, exclude: str | None = None
) -> tuple[GraphIndex, GraphIndex]:
    """Index the curated data and every import except ``exclude`` (a file name in the imports
    directory); the second index holds the excluded file, the previous version of an import."""
    index = GraphIndex(base_iri)
    previous = GraphIndex(base_iri)
    for path in data_files(data_dir) + import_files(imports_dir):
        target = previous if (path.parent == imports_dir and path.name == exclude) else index
        target.extend(read_source(path, base_iri).facts)
    return index, previous


# ---------------------------------------------------------------------------- the draft of an import


@dataclass(frozen=True)
class Existing:
    """What the graph already states about an entity an import merges into."""

    kinds: frozenset[str]
    sector: bool
    labels: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, index: GraphIndex, iri: str) -> Existing:
        """Read it from an index (before the import adds to it)."""
        kinds = frozenset(index.types.get(iri, set()) & vocabulary().organisation_classes)
        return cls(kinds, bool(index.sectors.get(iri)), frozenset(index.labels.get(iri, set())))


def fold(t: ox.Triple, merged: Mapping[str, Existing]) -> ox.Triple | None:
    """A triple about an entity merged into an existing one, as the merge keeps it: the
    existing kind and sector win (the imported ones are dropped) and an imported label in a
    language the entity already has another label in becomes a ``skos:altLabel``."""
    existing = merged.get(t.subject.value) if isinstance(t.subject, ox.NamedNode) else None
    if existing is None:
        return t
    p, o = t.predicate.value, t.object
    if p == RDF + "type" and isinstance(o, ox.NamedNode) and existing.kinds:
        return None if o.value in vocabulary().organisation_classes else t
    if p == LSKG.NS + "sector" and existing.sector:
        return None
    if p == RDFS + "label" and isinstance(o, ox.Literal):
        same_language = {text for text, lang in existing.labels if lang == (o.language or "")}
        if same_language and o.value not in same_language:
            return ox.Triple(t.subject, ox.NamedNode(SKOS + "altLabel"), o)
    return t


@dataclass
class Record:
    """One row or record: where it sits in the file and the triples it states."""

    row: int
    start_line: int
    end_line: int
    triples: list[ox.Triple]


class Draft:
    """The import being built: records, errors, and the IRIs each row minted.

    Minting follows one rule so that an import never merges into an existing entity on a name
    alone: an explicit slug is used as given; otherwise the entity keeps the IRI it had in the
    previous import of the same file (found by identifier, then by name); otherwise the slug
    of its label, with ``-2``, ``-3`` … if that IRI is already used by another source.
    ``lskg reconcile`` then finds the duplicates and merges them when asked.
    """

    def __init__(
        self,
        name: str,
        index: GraphIndex,
        previous: GraphIndex | None = None,
        aliases: Mapping[str, str] | None = None,
        unit: str = "row",
    ) -> None:
        self.name = name
        self.index = index
        self.base_iri = index.base_iri
        self.previous = previous or GraphIndex(index.base_iri)
        self.aliases = dict(aliases or {})
        self.unit = unit
        self.records: list[Record] = []
        self.errors: list[RowError] = []
        self.notes: list[str] = []
        self.minted: dict[str, int] = {}
        self.new_entities: set[str] = set()
        self.subject_rows: dict[str, set[int]] = {}
        self.tainted: set[str] = set()
        self.merged: dict[str, Existing] = {}
        self._bad_rows: set[int] = set()

    # -- problems

    def error(self, row: int, column: str, message: str) -> None:
        """Record a problem of ``row``; the row's facts are then left out of the import."""
        self.errors.append(RowError(row, column, message, self.unit))
        self._bad_rows.add(row)

    def check_text(self, row: int, column: str, value: str) -> bool:
        """Refuse e-mail addresses in any cell: personal contact details are never stored."""
        if _EMAIL.search(value):
            self.error(row, column, "holds an e-mail address; personal contact details are never stored")
            return False
        return True

    # -- IRIs

    def iri(self, namespace: str, slug: str) -> str:
        """The IRI ``{base}id/{namespace}/{slug}``."""
        return f"{self.base_iri}id/{namespace}/{slug}"

    def mint(
        self,
        namespace: str,
        row: int,
        *,
        label: str,
        slug: str | None = None,
        keys: Iterable[str] = (),
        classes: Iterable[str] = (),
        column: str = "Slug",
        named: bool = True,
    ) -> str:
        """The IRI of the entity a row describes (see the class docstring for the rule), and
        index it with its classes (and its label, if ``named``) so that later rows can refer
        to it."""
        if slug:
            iri = self.iri(namespace, slug)
        else:
            iri = self._previous(namespace, label, keys) or self._fresh(namespace, label)
        if iri in self.aliases:
            iri = self.aliases[iri]
            self.merged[iri] = Existing.of(self.index, iri)
        if iri in self.minted:
            self.error(
                row,
                column,
                f"describes the same entity <{self._short(iri)}> as {self.unit} {self.minted[iri]}; "
                "merge the two or give each its own Slug",
            )
            return iri
        self.minted[iri] = row
        if iri not in self.index.subjects:
            self.new_entities.add(iri)
        for cls in classes:
            self.index.add(ox.Triple(ox.NamedNode(iri), RDF_TYPE, ox.NamedNode(cls)))
        if label and named:
            self.index.add(ox.Triple(ox.NamedNode(iri), ox.NamedNode(RDFS + "label"), ox.Literal(label)))
        return iri

    def _previous(self, namespace: str, label: str, keys: Iterable[str]) -> str | None:
        prefix = self.iri(namespace, "")
        for key in keys:
            for iri in sorted(self.previous.identifiers.get(key, ())):
                if iri.startswith(prefix) and iri not in self.minted:
                    return iri
        for iri in sorted(self.previous.names.get(lookup_key(label), ())):
            if iri.startswith(prefix) and iri not in self.minted:
                return iri
        return None

    def _fresh(self, namespace: str, label: str) -> str:
        stem = slugify(label) or namespace
        candidate, n = self.iri(namespace, stem), 1
        while candidate in self.index.subjects or candidate in self.minted:
            n += 1
            candidate = self.iri(namespace, f"{stem}-{n}")
        return candidate

    def _short(self, iri: str) -> str:
        return iri.removeprefix(self.base_iri)

    def resolve(
        self,
        row: int,
        column: str,
        text: str,
        namespaces: Sequence[str],
        classes: Iterable[str],
        what: str,
    ) -> str | None:
        """The IRI a cell refers to, by IRI, slug or name; records an error unless exactly
        one entity of the given classes (described as ``what`` in messages) matches."""
        value = text.strip()
        found = self.lookup(value, namespaces, classes)
        if len(found) == 1:
            return found[0]
        if value.startswith(("http://", "https://")):
            self.error(row, column, f"<{value}> is not a known {what}")
        elif found:
            options = ", ".join(self._short(i) for i in found)
            self.error(row, column, f"{value!r} names several entities ({options}); give the slug instead")
        else:
            self.error(
                row, column, f"no {what} called {value!r} in the graph (give a slug, an IRI or a label)"
            )
        return None

    def lookup(self, text: str, namespaces: Sequence[str], classes: Iterable[str]) -> list[str]:
        """The entities of ``classes`` that ``text`` names: an IRI, a slug in one of the
        ``namespaces``, or a label (ignoring case, diacritics and punctuation)."""
        wanted = set(classes)
        value = text.strip()
        if value.startswith(("http://", "https://")):
            value = self.aliases.get(value, value)
            return [value] if self.index.is_a(value, wanted) else []
        for namespace in namespaces:
            iri = self.aliases.get(self.iri(namespace, value), self.iri(namespace, value))
            if self.index.is_a(iri, wanted):
                return [iri]
        return self.index.named(value, wanted)

    # -- records

    def record(self, row: int, start_line: int, end_line: int, triples: list[ox.Triple]) -> None:
        """Keep the facts of a row (left out later if the row has an error). A literal holding
        an e-mail address is an error of the row, as a sheet's cell would be."""
        for t in triples:
            if isinstance(t.object, ox.Literal) and _EMAIL.search(t.object.value):
                field = t.predicate.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
                self.error(row, field, "holds an e-mail address; personal contact details are never stored")
        self.records.append(Record(row, start_line, end_line, triples))
        for triple in triples:
            if isinstance(triple.subject, ox.NamedNode):
                self.subject_rows.setdefault(triple.subject.value, set()).add(row)

    def finish(self) -> None:
        """Drop the records of rows with errors and mark the IRIs they minted as tainted, so
        that validation does not report a consequence of an error already reported."""
        self.tainted = {iri for iri, row in self.minted.items() if row in self._bad_rows}
        self.records = [r for r in self.records if r.row not in self._bad_rows]
        self.new_entities -= self.tainted
        if self.merged:
            # Rows about an entity that `lskg reconcile` merged fold into it as a merge does.
            for record in self.records:
                folded = (fold(t, self.merged) for t in record.triples)
                record.triples = [t for t in folded if t is not None]

    @property
    def facts(self) -> int:
        """Distinct facts the import states."""
        return len({t for r in self.records for t in r.triples})


def node(iri: str) -> ox.NamedNode:
    """A named node (shorthand)."""
    return ox.NamedNode(iri)


def triple(subject: str, predicate: str, obj: str | ox.Literal) -> ox.Triple:
    """A triple from IRI strings, the object an IRI string or a literal."""
    return ox.Triple(node(subject), node(predicate), obj if isinstance(obj, ox.Literal) else node(obj))


def integer(value: int) -> ox.Literal:
    """An ``xsd:integer`` literal."""
    return ox.Literal(str(value), datatype=node(XSD + "integer"))


# ---------------------------------------------------------------------------- the data file


def render_trig(
    draft: Draft,
    *,
    file_name: str,
    title: str | None = None,
    url: str | None = None,
    read_on: dt.date | None = None,
    lines: int = 1,
    header_line: bool = True,
) -> bytes:
    """The import as a TriG data file in the layout of ``data/*.trig``.

    Each record's facts sit in the graph of an ``lskg:Excerpt`` covering its lines of the
    source file; the file itself is an ``lskg:SourceDocument`` (described by the header row's
    excerpt, or for JSON by the whole file's). With a ``url``, every fact is also in the graph
    of an ``lskg:WebSource`` with the address and the date it was read.
    """
    base = draft.base_iri
    doc = f"{base}id/source/{draft.name}"
    default = ox.DefaultGraph()
    quads: list[ox.Quad] = []
    facts: list[ox.Quad] = []

    def excerpt(start: int, end: int) -> ox.NamedNode:
        x = node(f"{base}id/excerpt/{draft.name}/L{start}" + (f"-{end}" if end != start else ""))
        for p, o in (
            (RDF + "type", LSKG.Excerpt),
            (DCTERMS + "isPartOf", node(doc)),
            (LSKG.NS + "startLine", integer(start)),
            (LSKG.NS + "endLine", integer(end)),
        ):
            quads.append(ox.Quad(x, node(p), o, default))
        return x

    head = excerpt(1, 1 if header_line else max(lines, 1))
    label = title or file_name
    for t in (
        triple(doc, RDF + "type", LSKG.SourceDocument.value),
        triple(doc, RDFS + "label", ox.Literal(label, language="en")),
        triple(doc, LSKG.NS + "fileName", ox.Literal(file_name)),
    ):
        facts.append(ox.Quad(t.subject, t.predicate, t.object, head))
    for record in sorted(draft.records, key=lambda r: r.row):
        graph = excerpt(record.start_line, record.end_line)
        facts.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in record.triples)
    if url:
        web = node(f"{base}id/websource/{draft.name}")
        date = (read_on or dt.date.today()).isoformat()
        quads += [
            ox.Quad(web, RDF_TYPE, LSKG.WebSource, default),
            ox.Quad(web, node(RDFS + "label"), ox.Literal(label, language="en"), default),
            ox.Quad(web, node(SCHEMA + "url"), node(url), default),
            ox.Quad(web, node(DCTERMS + "date"), ox.Literal(date, datatype=node(XSD + "date")), default),
        ]
        facts += [ox.Quad(q.subject, q.predicate, q.object, web) for q in facts]
    quads = list(dict.fromkeys(quads))
    header = (
        f"# Imported by `lskg import` from {file_name}: one graph per row of the file, named after the\n"
        "# row (an lskg:Excerpt of the file). Do not edit: change the sheet and import it again.\n\n"
    )
    used = ("lskg", "rdf", "rdfs", "xsd", "org", "foaf", "skos", "dcterms", "schema", "wd")
    prefixes = {
        **{name: PREFIXES[name] for name in used},
        "x": f"{base}id/excerpt/{draft.name}/",
        "src": f"{base}id/source/",
        "o": f"{base}id/org/",
        "p": f"{base}id/person/",
        "m": f"{base}id/membership/",
        "role": f"{base}id/role/",
    }
    body = ox.serialize(list(dict.fromkeys(quads + facts)), format=ox.RdfFormat.TRIG, prefixes=prefixes)
    assert body is not None
    return header.encode("utf-8") + body


# ---------------------------------------------------------------------------- validation and writing


def map_report(report: ValidationReport, draft: Draft, columns: Mapping[str, str]) -> list[RowError]:
    """SHACL Violations as row errors: the focus node's row, the path's column.

    Results about an entity of a row that already has an error (or whose value is one) are
    consequences of that error and are left out, so each mistake is reported once.
    """
    errors: list[RowError] = []
    for result in report.violations:
        value = result.value or ""
        if result.focus in draft.tainted or value in draft.tainted:
            continue
        rows = draft.subject_rows.get(result.focus)
        column = columns.get(result.path, result.path)
        shown = value.removeprefix(draft.base_iri)
        message = result.message + (f" (value: {shown})" if value else "")
        if rows:
            errors.append(RowError(min(rows), column, message, draft.unit))
        else:
            errors.append(RowError(0, column, f"<{result.focus.removeprefix(draft.base_iri)}>: {message}"))
    return errors


def resolve_data_dir(settings: Settings, data_dir: Path | None = None) -> Path:
    """The curated data directory: the argument, ``settings.data_dir`` or the project's data/."""
    if data_dir is not None:
        return data_dir
    return Path(settings.data_dir) if settings.data_dir else resource_dir("data")
