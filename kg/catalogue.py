"""The catalogue of named queries in ``queries/*.rq``.

Each file holds one SPARQL query after a grlc-style metadata header of ``#+`` lines, read as
YAML::

    #+ summary: Organisations per sector
    #+ description: How many organisations of each kind sit in each sector.
    #+ tags: [organisations, sectors]
    #+ params:
    #+   - name: sector
    #+     type: iri
    #+     description: A sector concept, e.g. https://w3id.org/lskg/ontology#SectorIndustry
    #+     default: https://w3id.org/lskg/ontology#SectorIndustry

A parameter named ``x`` binds the query variable ``?x``. Values are converted to RDF terms by
their declared type and substituted by the query engine (SEP-0007 substitution), never spliced
into the query text. Files named ``*-violation.rq`` are data-quality checks: they must return
no rows, and ``lskg query`` exits 1 when one does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from kg.errors import InputError, NotFound, QuerySyntaxError
from kg.paths import resource_dir

__all__ = ["PARAM_TYPES", "NamedQuery", "Param", "load_catalogue", "parse_query_file", "to_term"]

XSD = "http://www.w3.org/2001/XMLSchema#"
PARAM_TYPES = ("iri", "string", "integer", "decimal", "date", "boolean")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|\\^`]')


@dataclass(frozen=True)
class Param:
    """A parameter of a named query: binds the variable ``?name`` to a value of ``type``."""

    name: str
    type: str = "string"
    description: str = ""
    default: str | None = None
    required: bool = True


@dataclass(frozen=True)
class NamedQuery:
    """One ``queries/*.rq`` file: its name (file stem), metadata and SPARQL text."""

    name: str
    path: Path
    sparql: str
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = field(default_factory=tuple)

    @property
    def is_violation_check(self) -> bool:
        """True for data-quality checks (``*-violation.rq``) that must return no rows."""
        return self.name.endswith("-violation")

    @property
    def form(self) -> str:
        """The query form: SELECT, CONSTRUCT, ASK or DESCRIBE."""
        body = "\n".join(line for line in self.sparql.splitlines() if not line.lstrip().startswith("#"))
        match = re.search(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", body, re.IGNORECASE)
        return match.group(1).upper() if match else "SELECT"

    def bind(self, values: Mapping[str, str], base_iri: str) -> dict[str, ox.NamedNode | ox.Literal]:
        """Convert ``values`` (strings, as from a URL or the command line) to RDF terms.

        Unknown parameter names, missing required values and values that are not of the
        declared type raise :class:`~kg.errors.InputError`.

        Examples
        --------
        >>> q = NamedQuery("q", Path("q.rq"), "SELECT * { ?s ?p ?n }", "s",
        ...                params=(Param("n", "integer"),))
        >>> q.bind({"n": "3"}, "https://w3id.org/lskg/")
        {'n': <Literal value=3 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}
        """
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            offered = ", ".join(known) or "none"
            raise InputError(
                f"query {self.name!r} has no parameter {', '.join(unknown)} (parameters: {offered})"
            )
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for param in self.params:
            raw = values.get(param.name, param.default)
            if raw is None:
                if param.required:
                    raise InputError(f"query {self.name!r} needs the parameter {param.name!r} ({param.type})")
                continue
            bound[param.name] = to_term(raw, param.type, base_iri, param.name)
        return bound


def to_term(raw: str, kind: str, base_iri: str, name: str = "value") -> ox.NamedNode | ox.Literal:
    """Turn a string into an RDF term of the declared parameter type.

    IRIs may be given relative to the base IRI (``id/org/vinnova``).

    Examples
    --------
    >>> to_term("id/org/vinnova", "iri", "https://w3id.org/lskg/")
    <NamedNode value=https://w3id.org/lskg/id/org/vinnova>
    >>> to_term("Vinnova", "string", "https://w3id.org/lskg/")
    <Literal value=Vinnova datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>
    """
    raw = raw.strip()
    if kind == "iri":
        iri = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", iri):
            iri = base_iri + iri.lstrip("/")
        if _IRI_FORBIDDEN.search(iri):
            raise InputError(f"parameter {name!r}: {raw!r} is not a valid IRI")
        try:
            return ox.NamedNode(iri)
        except ValueError as exc:
            raise InputError(f"parameter {name!r}: {raw!r} is not a valid IRI ({exc})") from exc
    if kind == "string":
        return ox.Literal(raw)
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise InputError(f"parameter {name!r}: {raw!r} is not an integer")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "decimal":
        try:
            return ox.Literal(str(Decimal(raw)), datatype=ox.NamedNode(XSD + "decimal"))
        except InvalidOperation as exc:
            raise InputError(f"parameter {name!r}: {raw!r} is not a decimal number") from exc
    if kind == "date":
        try:
            return ox.Literal(date.fromisoformat(raw).isoformat(), datatype=ox.NamedNode(XSD + "date"))
        except ValueError as exc:
            raise InputError(f"parameter {name!r}: {raw!r} is not a date (YYYY-MM-DD)") from exc
    if kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise InputError(f"parameter {name!r}: {raw!r} is not true or false")
        return ox.Literal(raw.lower(), datatype=ox.NamedNode(XSD + "boolean"))
    raise InputError(f"parameter {name!r}: unknown type {kind!r} (one of {', '.join(PARAM_TYPES)})")


def parse_query_file(path: Path) -> NamedQuery:
    """Read one ``.rq`` file: its ``#+`` header as YAML, the rest as the query."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8") from exc
    header = "\n".join(line[2:].removeprefix(" ") for line in text.splitlines() if line.startswith("#+"))
    try:
        meta: dict[str, Any] = yaml.safe_load(header) or {} if header else {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: the #+ header is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise InputError(f"{path}: the #+ header must be a mapping (summary:, description:, ...)")
    params = tuple(_param(path, p) for p in meta.get("params") or ())
    tags = meta.get("tags") or ()
    query = NamedQuery(
        name=path.stem,
        path=path,
        sparql=text,
        summary=str(meta.get("summary", path.stem)).strip(),
        description=str(meta.get("description", "")).strip(),
        tags=tuple(str(t) for t in ([tags] if isinstance(tags, str) else tags)),
        params=params,
    )
    _check_params_projected(query)
    return query


def _check_params_projected(query: NamedQuery) -> None:
    """A SELECT query must project each parameter's variable.

    Oxigraph substitutes a bound value for a variable only if the query projects it; an
    unprojected parameter would otherwise fail at run time, so it is refused when loading.
    """
    if query.form != "SELECT" or not query.params:
        return
    body = "\n".join(line.split("#", 1)[0] for line in query.sparql.splitlines())
    match = re.search(r"\bSELECT\b(.*?)(\bWHERE\b|\{)", body, re.IGNORECASE | re.DOTALL)
    projection = match.group(1) if match else ""
    if "*" in projection:
        return
    for param in query.params:
        if not re.search(rf"[?$]{re.escape(param.name)}\b", projection):
            raise InputError(
                f"{query.path}: parameter {param.name!r} must appear as ?{param.name} in the SELECT clause"
            )


def _param(path: Path, spec: Any) -> Param:
    if not isinstance(spec, dict) or "name" not in spec:
        raise InputError(f"{path}: each entry of params: needs a name")
    kind = str(spec.get("type", "string"))
    if kind not in PARAM_TYPES:
        raise InputError(f"{path}: parameter {spec['name']!r} has unknown type {kind!r}")
    default = spec.get("default")
    return Param(
        name=str(spec["name"]),
        type=kind,
        description=str(spec.get("description", "")).strip(),
        default=None if default is None else str(default),
        required=bool(spec.get("required", default is None)),
    )


def load_catalogue(directory: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query in ``directory`` (default: the project's ``queries/``), by name."""
    directory = directory or resource_dir("queries")
    catalogue = {}
    for path in sorted(directory.glob("*.rq")):
        if not _NAME.match(path.stem):
            raise InputError(f"{path}: query names are lower-case words joined by '-'")
        catalogue[path.stem] = parse_query_file(path)
    return catalogue


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    """One named query, or :class:`~kg.errors.NotFound` listing the names there are."""
    catalogue = load_catalogue(directory)
    if name not in catalogue:
        raise NotFound(f"no named query {name!r}; known: {', '.join(catalogue) or 'none'}")
    return catalogue[name]


def check_syntax(query: NamedQuery) -> None:
    """Parse the query with Oxigraph (without running it); raise QuerySyntaxError if it fails."""
    try:
        ox.Store().query(query.sparql, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QuerySyntaxError(f"{query.path}: {exc}") from exc
