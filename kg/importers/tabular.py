"""Kumu-style sheets (CSV or XLSX): one row per element or connection, mapped to the ontology.

Five kinds of sheet, each with its columns (header names are matched ignoring case and extra
spaces; ``docs/importing.md`` documents them with examples):

=================  ==========================================================================
organisations      Label, Label (sv), Alt labels, Alt labels (sv), Kind, Sector, Region,
                   Wikidata, ROR, Org number, Slug
people             Label, Alt labels, Wikidata, Slug
memberships        From, To, Role, Role title, Role title (sv), Status, Working time, Slug
areas              Label, Label (sv), Aim, Aim (sv), Scheme, Programme, Notation, Slug
infrastructures    Label, Label (sv), Kind, Operated by, Serves area, Slug
=================  ==========================================================================

Cells naming another entity (From, To, Region, Scheme, Operated by …) take its slug, its IRI
or its label. Several values in one cell are separated by ``;``. Every problem is reported
with its row number (the header is row 1) and column; a row with a problem contributes
nothing, and the problems it causes elsewhere are not reported twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.importers.common import Draft, triple
from kg.importers.identifiers import is_slug, parse_org_number, parse_qid, parse_ror
from kg.importers.vocab import FOAF, ORG, RDF, RDFS, ROR, SCHEMA, SKOS, WD, XSD, lookup_key, vocabulary
from kg.vocab import LSKG

__all__ = ["COLUMNS", "KINDS", "PATH_COLUMNS", "Sheet", "SheetRow", "map_sheet", "read_sheet"]

KINDS = ("organisations", "people", "memberships", "areas", "infrastructures")

COLUMNS: dict[str, tuple[str, ...]] = {
    "organisations": (
        "Label",
        "Label (sv)",
        "Alt labels",
        "Alt labels (sv)",
        "Kind",
        "Sector",
        "Region",
        "Wikidata",
        "ROR",
        "Org number",
        "Slug",
    ),
    "people": ("Label", "Alt labels", "Wikidata", "Slug"),
    "memberships": ("From", "To", "Role", "Role title", "Role title (sv)", "Status", "Working time", "Slug"),
    "areas": ("Label", "Label (sv)", "Aim", "Aim (sv)", "Scheme", "Programme", "Notation", "Slug"),
    "infrastructures": ("Label", "Label (sv)", "Kind", "Operated by", "Serves area", "Slug"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "organisations": ("Label", "Kind"),
    "people": ("Label",),
    "memberships": ("From", "To", "Role"),
    "areas": ("Label", "Label (sv)", "Scheme"),
    "infrastructures": ("Label", "Kind"),
}
# Other spellings of the headers, including Kumu's own ("Type" for an element's kind and a
# connection's type).
ALIASES: dict[str, str] = {
    "name": "Label",
    "label (en)": "Label",
    "name (sv)": "Label (sv)",
    "alternative labels": "Alt labels",
    "aliases": "Alt labels",
    "type": "Kind",
    "wikidata id": "Wikidata",
    "qid": "Wikidata",
    "ror id": "ROR",
    "organisation number": "Org number",
    "organization number": "Org number",
    "org nr": "Org number",
    "organisationsnummer": "Org number",
    "title": "Role title",
    "operator": "Operated by",
    "area": "Serves area",
}
KIND_ALIASES: dict[str, dict[str, str]] = {"memberships": {"type": "Role"}}

# SHACL result paths (as kg.validate renders them) → the column a person fixes.
PATH_COLUMNS: dict[str, dict[str, str]] = {
    "organisations": {
        "rdfs:label": "Label",
        "lskg:sector": "Sector",
        "lskg:region": "Region",
        "schema:sameAs|schema:identifier": "Wikidata",
    },
    "people": {"rdfs:label": "Label"},
    "memberships": {
        "org:member": "From",
        "org:organization": "To",
        "org:role": "Role",
        "lskg:roleStatus": "Status",
        "lskg:roleTitle": "Role title",
        "lskg:workingTimeFraction": "Working time",
    },
    "areas": {"skos:prefLabel": "Label", "skos:inScheme": "Scheme", "lskg:aim": "Aim"},
    "infrastructures": {
        "rdfs:label": "Label",
        "lskg:operatedBy": "Operated by",
        "lskg:servesArea": "Serves area",
    },
}


@dataclass
class SheetRow:
    """One data row: its row number (header = 1), its lines in the file, its cells."""

    row: int
    start_line: int
    end_line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        """The cell's text, stripped ('' if the column is absent or empty)."""
        return self.cells.get(column, "").strip()


@dataclass
class Sheet:
    """A read sheet: its columns (canonical names), rows and the number of lines of the file."""

    path: Path
    columns: list[str]
    unknown: list[str]
    rows: list[SheetRow]
    lines: int


def _header_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_sheet(path: Path, kind: str, fmt: str) -> Sheet:
    """Read a CSV (UTF-8, comma, semicolon or tab separated) or the first sheet of an XLSX."""
    if kind not in KINDS:
        raise InputError(f"unknown sheet kind {kind!r}; use one of {', '.join(KINDS)}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    raw_rows = list(_csv_rows(path) if fmt == "csv" else _xlsx_rows(path))
    if not raw_rows:
        raise InputError(f"{path}: the sheet is empty (expected a header row)")
    header_row = raw_rows[0]
    known = {_header_key(c): c for c in COLUMNS[kind]}
    aliases = {**ALIASES, **KIND_ALIASES.get(kind, {})}
    columns: list[str] = []
    unknown: list[str] = []
    for cell in header_row.cells:
        key = _header_key(cell)
        name = known.get(key) or (aliases[key] if aliases.get(key) in COLUMNS[kind] else None)
        if name is None:
            if cell.strip():
                unknown.append(cell.strip())
            columns.append("")
        else:
            columns.append(name)
    missing = [c for c in REQUIRED[kind] if c not in columns]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)} for a sheet of {kind}; "
            f"its columns are {', '.join(COLUMNS[kind])}"
        )
    rows = []
    for raw in raw_rows[1:]:
        cells = {
            name: value for name, value in zip(columns, raw.cells, strict=False) if name and value.strip()
        }
        if cells:
            rows.append(SheetRow(raw.row, raw.start_line, raw.end_line, cells))
    return Sheet(path, [c for c in columns if c], unknown, rows, raw_rows[-1].end_line)


@dataclass
class _RawRow:
    row: int
    start_line: int
    end_line: int
    cells: list[str]


def _csv_rows(path: Path) -> Iterator[_RawRow]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            handle.seek(0)
            if first.startswith("\ufeff"):
                handle.read(1)
            delimiter = max(",;\t", key=first.count)
            reader = csv.reader(handle, delimiter=delimiter)
            previous_line = 0
            for number, cells in enumerate(reader, start=1):
                # A quoted cell may hold line breaks: the row's lines in the file are the
                # lines the reader consumed for it.
                yield _RawRow(number, previous_line + 1, reader.line_num, cells)
                previous_line = reader.line_num
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text; save the sheet as CSV UTF-8") from exc
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from exc


def _xlsx_rows(path: Path) -> Iterator[_RawRow]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable XLSX workbook ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield _RawRow(number, number, number, [_cell_text(v) for v in values])
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------- mapping rows


def map_sheet(sheet: Sheet, kind: str, draft: Draft) -> None:
    """Map every row of ``sheet`` into ``draft``: mint the IRIs first (so rows may refer to
    rows below them), then state the facts."""
    for column in sheet.unknown:
        draft.notes.append(f"column {column!r} is not a column of a sheet of {kind}; it was ignored")
    mapper = _MAPPERS[kind](draft)
    clean = []
    for row in sheet.rows:
        if all(draft.check_text(row.row, column, value) for column, value in row.cells.items()):
            clean.append(row)
    minted = [(row, mapper.mint(row)) for row in clean]
    for row, iri in minted:
        if iri is not None:
            draft.record(row.row, row.start_line, row.end_line, mapper.facts(row, iri))


def _lang(text: str, language: str) -> ox.Literal:
    return ox.Literal(text, language=language)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


class _Mapper:
    """Mints the IRI of a row's entity, then states its facts."""

    namespace = ""

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.vocab = vocabulary()

    def mint(self, row: SheetRow) -> str | None:
        raise NotImplementedError

    def facts(self, row: SheetRow, iri: str) -> list[ox.Triple]:
        raise NotImplementedError

    def slug(self, row: SheetRow) -> str | None:
        slug = row.get("Slug")
        if slug and not is_slug(slug):
            self.draft.error(
                row.row, "Slug", f"{slug!r} is not a slug (lower-case letters and digits joined by hyphens)"
            )
            return None
        return slug or None

    def kind(self, row: SheetRow, table: dict[str, str]) -> str | None:
        text = row.get("Kind")
        if not text:
            self.draft.error(row.row, "Kind", "the kind is missing")
            return None
        found = table.get(lookup_key(text))
        if found is None:
            names = ", ".join(self.vocab.kind_names(table))
            self.draft.error(row.row, "Kind", f"unknown kind {text!r}; use one of {names}")
        return found

    def identifiers(self, row: SheetRow) -> tuple[list[tuple[str, ox.NamedNode | ox.Literal]], list[str]]:
        """The row's identifiers as (``schema:sameAs`` or ``schema:identifier``, value) pairs,
        and their lookup keys; a malformed one is an error of its column."""
        found: list[tuple[str, ox.NamedNode | ox.Literal]] = []
        keys: list[str] = []
        for column, parse, key_prefix in (
            ("Wikidata", parse_qid, "wikidata:"),
            ("ROR", parse_ror, "ror:"),
            ("Org number", parse_org_number, "orgnr:"),
        ):
            text = row.get(column)
            if not text:
                continue
            try:
                value = parse(text)
            except ValueError as exc:
                self.draft.error(row.row, column, str(exc))
                continue
            keys.append(key_prefix + value)
            if column == "Wikidata":
                found.append((SCHEMA + "sameAs", ox.NamedNode(WD + value)))
            elif column == "ROR":
                found.append((SCHEMA + "sameAs", ox.NamedNode(ROR + value)))
            else:
                found.append((SCHEMA + "identifier", ox.Literal(value)))
        return found, keys

    @staticmethod
    def about(iri: str, pairs: list[tuple[str, ox.NamedNode | ox.Literal]]) -> list[ox.Triple]:
        subject = ox.NamedNode(iri)
        return [ox.Triple(subject, ox.NamedNode(p), o) for p, o in pairs]


class _Organisations(_Mapper):
    namespace = "org"

    def __init__(self, draft: Draft) -> None:
        super().__init__(draft)
        self._state: dict[int, tuple[str | None, list[tuple[str, ox.NamedNode | ox.Literal]]]] = {}

    def mint(self, row: SheetRow) -> str | None:
        label = row.get("Label") or row.get("Label (sv)")
        if not label:
            self.draft.error(row.row, "Label", "an organisation needs a label (Label or Label (sv))")
        slug = self.slug(row)
        kind = self.kind(row, self.vocab.org_kinds)
        ids, keys = self.identifiers(row)
        self._state[row.row] = (kind, ids)
        if not label and not slug:
            return None
        classes = [kind or ORG + "Organization"]
        return self.draft.mint(self.namespace, row.row, label=label, slug=slug, keys=keys, classes=classes)

    def facts(self, row: SheetRow, iri: str) -> list[ox.Triple]:
        kind, ids = self._state[row.row]
        out: list[ox.Triple] = []
        if kind:
            out.append(triple(iri, RDF + "type", kind))
        if row.get("Label"):
            out.append(triple(iri, RDFS + "label", _lang(row.get("Label"), "en")))
        if row.get("Label (sv)"):
            out.append(triple(iri, RDFS + "label", _lang(row.get("Label (sv)"), "sv")))
        for column, language in (("Alt labels", "en"), ("Alt labels (sv)", "sv")):
            out += [triple(iri, SKOS + "altLabel", _lang(alt, language)) for alt in _split(row.get(column))]
        out += self._sector(row, iri, kind)
        if row.get("Region"):
            region = self.draft.resolve(
                row.row, "Region", row.get("Region"), ["org"], [LSKG.Region.value], "region"
            )
            if region:
                out.append(triple(iri, LSKG.NS + "region", region))
        return out + self.about(iri, ids)

    def _sector(self, row: SheetRow, iri: str, kind: str | None) -> list[ox.Triple]:
        text = row.get("Sector")
        notations = ", ".join(sorted(self.vocab.sector_notations.values()))
        if kind in self.vocab.group_kinds:
            if text:
                self.draft.error(
                    row.row,
                    "Sector",
                    "a group has no sector of its own (its members have); leave Sector empty",
                )
            return []
        if not text:
            self.draft.error(row.row, "Sector", f"the sector is missing; use one of {notations}")
            return []
        sector = self.vocab.sectors.get(lookup_key(text))
        if sector is None:
            self.draft.error(row.row, "Sector", f"unknown sector {text!r}; use one of {notations}")
            return []
        return [triple(iri, LSKG.NS + "sector", sector)]


class _People(_Mapper):
    namespace = "person"

    def __init__(self, draft: Draft) -> None:
        super().__init__(draft)
        self._row_ids: dict[int, list[tuple[str, ox.NamedNode | ox.Literal]]] = {}

    def mint(self, row: SheetRow) -> str | None:
        label = row.get("Label")
        if not label:
            self.draft.error(row.row, "Label", "a person needs a label, their name")
        slug = self.slug(row)
        ids, keys = self.identifiers(row)
        if not label and not slug:
            return None
        iri = self.draft.mint(
            self.namespace, row.row, label=label, slug=slug, keys=keys, classes=[FOAF + "Person"]
        )
        self._row_ids[row.row] = ids
        return iri

    def facts(self, row: SheetRow, iri: str) -> list[ox.Triple]:
        name = row.get("Label")
        out = [triple(iri, RDF + "type", FOAF + "Person")]
        if name:
            out += [
                triple(iri, RDFS + "label", ox.Literal(name)),
                triple(iri, FOAF + "name", ox.Literal(name)),
            ]
        out += [triple(iri, SKOS + "altLabel", ox.Literal(alt)) for alt in _split(row.get("Alt labels"))]
        return out + self.about(iri, self._row_ids.get(row.row, []))


class _Memberships(_Mapper):
    namespace = "membership"

    def __init__(self, draft: Draft) -> None:
        super().__init__(draft)
        self._parts: dict[int, tuple[str | None, str | None, str | None, list[ox.Triple]]] = {}
        self._seen: dict[tuple[str, str, str], int] = {}

    def mint(self, row: SheetRow) -> str | None:
        draft = self.draft
        agents = {FOAF + "Person", *self.vocab.organisation_classes}
        member = organisation = role = None
        if row.get("From"):
            member = draft.resolve(
                row.row, "From", row.get("From"), ["person", "org"], agents, "person or organisation"
            )
        else:
            draft.error(row.row, "From", "the member (From) is missing")
        if row.get("To"):
            organisation = draft.resolve(
                row.row,
                "To",
                row.get("To"),
                ["org", "group"],
                self.vocab.organisation_classes,
                "organisation",
            )
        else:
            draft.error(row.row, "To", "the organisation (To) is missing")
        role_facts: list[ox.Triple] = []
        if row.get("Role"):
            role, role_facts = self._role(row)
        else:
            draft.error(row.row, "Role", "the role is missing")
        slug = self.slug(row)
        if member is None or organisation is None or role is None:
            return None
        key = (member, organisation, role)
        if key in self._seen:
            draft.error(
                row.row, "Role", f"repeats the membership of row {self._seen[key]} (same From, To and Role)"
            )
            return None
        self._seen[key] = row.row
        stem = f"{member.rsplit('/', 1)[-1]}-{organisation.rsplit('/', 1)[-1]}"
        if draft.iri(self.namespace, stem) in draft.minted:
            stem = f"{stem}-{role.rsplit('/', 1)[-1]}"
        iri = draft.mint(
            self.namespace, row.row, label=stem, slug=slug, classes=[ORG + "Membership"], named=False
        )
        self._parts[row.row] = (member, organisation, role, role_facts)
        return iri

    def _role(self, row: SheetRow) -> tuple[str | None, list[ox.Triple]]:
        text = row.get("Role")
        found = self.draft.lookup(text, ["role"], [ORG + "Role"])
        if len(found) == 1:
            return found[0], []
        if found:
            options = ", ".join(f.rsplit("/", 1)[-1] for f in found)
            self.draft.error(
                row.row, "Role", f"{text!r} names several roles ({options}); give the slug instead"
            )
            return None, []
        if text.startswith(("http://", "https://")):
            self.draft.error(row.row, "Role", f"<{text}> is not a known role")
            return None, []
        # A role the graph does not have yet: the row introduces it with its English label.
        role = self.draft.mint("role", row.row, label=text, classes=[ORG + "Role"])
        self.draft.notes.append(
            f"row {row.row}: new role {text!r} (<{role.removeprefix(self.draft.base_iri)}>)"
        )
        return role, [
            triple(role, RDF + "type", ORG + "Role"),
            triple(role, SKOS + "prefLabel", _lang(text, "en")),
        ]

    def facts(self, row: SheetRow, iri: str) -> list[ox.Triple]:
        member, organisation, role, role_facts = self._parts[row.row]
        assert member and organisation and role
        out = [
            triple(iri, RDF + "type", ORG + "Membership"),
            triple(iri, ORG + "member", member),
            triple(iri, ORG + "organization", organisation),
            triple(iri, ORG + "role", role),
            *role_facts,
        ]
        for column, language in (("Role title", "en"), ("Role title (sv)", "sv")):
            if row.get(column):
                out.append(triple(iri, LSKG.NS + "roleTitle", _lang(row.get(column), language)))
        status_text = row.get("Status")
        if status_text:
            status = self.vocab.role_statuses.get(lookup_key(status_text))
            if status is None:
                self.draft.error(row.row, "Status", f"unknown status {status_text!r}; use current or former")
            else:
                out.append(triple(iri, LSKG.NS + "roleStatus", status))
        fraction_text = row.get("Working time")
        if fraction_text:
            fraction = _fraction(fraction_text)
            if fraction is None:
                self.draft.error(
                    row.row, "Working time", f"{fraction_text!r} is not a number (write 0.5, 0,5 or 50%)"
                )
            else:
                literal = ox.Literal(
                    format(fraction.normalize(), "f"), datatype=ox.NamedNode(XSD + "decimal")
                )
                out.append(triple(iri, LSKG.NS + "workingTimeFraction", literal))
        return out


def _fraction(text: str) -> Decimal | None:
    """A working-time fraction from ``0.5``, ``0,5`` or ``50%`` (range checks are SHACL's)."""
    value = text.strip().replace(",", ".")
    percent = value.endswith("%")
    if not re.fullmatch(r"-?\d+(\.\d+)?%?", value):
        return None
    try:
        number = Decimal(value.rstrip("%"))
    except InvalidOperation:
        return None
    return number / 100 if percent else number


class _Areas(_Mapper):
    namespace = "area"

    def mint(self, row: SheetRow) -> str | None:
        label = row.get("Label") or row.get("Label (sv)")
        if not row.get("Label (sv)"):
            self.draft.error(row.row, "Label (sv)", "a collaboration area needs exactly one Swedish label")
        slug = self.slug(row)
        if not label and not slug:
            self.draft.error(row.row, "Label", "a collaboration area needs a label")
            return None
        return self.draft.mint(
            self.namespace, row.row, label=label, slug=slug, classes=[LSKG.CollaborationArea.value]
        )

    def facts(self, row: SheetRow, iri: str) -> list[ox.Triple]:
        out = [triple(iri, RDF + "type", LSKG.CollaborationArea.value)]
        for column, predicate, language in (
            ("Label", SKOS + "prefLabel", "en"),
            ("Label (sv)", SKOS + "prefLabel", "sv"),
            ("Aim", LSKG.NS + "aim", "en"),
            ("Aim (sv)", LSKG.NS + "aim", "sv"),
        ):
            if row.get(column):
                out.append(triple(iri, predicate, _lang(row.get(column), language)))
        if row.get("Notation"):
            out.append(triple(iri, SKOS + "notation", ox.Literal(row.get("Notation"))))
        if row.get("Scheme"):
            scheme = self.draft.resolve(
                row.row, "Scheme", row.get("Scheme"), ["scheme"], [SKOS + "ConceptScheme"], "concept scheme"
            )
            if scheme:
                out.append(triple(iri, SKOS + "inScheme", scheme))
        else:
            self.draft.error(row.row, "Scheme", "the concept scheme of the area is missing")
        if row.get("Programme"):
            programme = self.draft.resolve(
                row.row,
                "Programme",
                row.get("Programme"),
                ["programme"],
                [LSKG.CollaborationProgramme.value],
                "collaboration programme",
            )
            if programme:
                out.append(triple(programme, LSKG.NS + "hasCollaborationArea", iri))
        return out


class _Infrastructures(_Mapper):
    namespace = "infrastructure"

    def __init__(self, draft: Draft) -> None:
        super().__init__(draft)
        self._kinds: dict[int, str | None] = {}

    def mint(self, row: SheetRow) -> str | None:
        label = row.get("Label") or row.get("Label (sv)")
        if not label:
            self.draft.error(row.row, "Label", "an infrastructure needs a label (Label or Label (sv))")
        slug = self.slug(row)
        kind = self.kind(row, self.vocab.infrastructure_kinds)
        self._kinds[row.row] = kind
        if not label and not slug:
            return None
        return self.draft.mint(
            self.namespace, row.row, label=label, slug=slug, classes=[kind or LSKG.Infrastructure.value]
        )

    def facts(self, row: SheetRow, iri: str) -> list[ox.Triple]:
        kind = self._kinds[row.row]
        out = [triple(iri, RDF + "type", kind)] if kind else []
        if row.get("Label"):
            out.append(triple(iri, RDFS + "label", _lang(row.get("Label"), "en")))
        if row.get("Label (sv)"):
            out.append(triple(iri, RDFS + "label", _lang(row.get("Label (sv)"), "sv")))
        if row.get("Operated by"):
            operator = self.draft.resolve(
                row.row,
                "Operated by",
                row.get("Operated by"),
                ["org"],
                self.vocab.organisation_classes,
                "organisation",
            )
            if operator:
                out.append(triple(iri, LSKG.NS + "operatedBy", operator))
        for area_text in _split(row.get("Serves area")):
            area = self.draft.resolve(
                row.row,
                "Serves area",
                area_text,
                ["area"],
                [LSKG.CollaborationArea.value],
                "collaboration area",
            )
            if area:
                out.append(triple(iri, LSKG.NS + "servesArea", area))
        return out


_MAPPERS: dict[str, Callable[[Draft], _Mapper]] = {
    "organisations": _Organisations,
    "people": _People,
    "memberships": _Memberships,
    "areas": _Areas,
    "infrastructures": _Infrastructures,
}
