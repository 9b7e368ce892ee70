"""A remote SPARQL 1.1 store (Virtuoso, Oxigraph server, Fuseki, QLever …) behind the :class:`Store` interface.

``LSKG_STORE=sparql+http://host:port/sparql`` (or ``sparql+https://``) points lskg at a server
speaking the SPARQL 1.1 Protocol. Queries are POSTed as forms; results are parsed with
pyoxigraph (:func:`pyoxigraph.parse_query_results`, :func:`pyoxigraph.parse`), so callers get
the same term types as from the embedded store. Bindings become a ``VALUES`` block of terms
serialised by pyoxigraph, inserted at the start of the query's ``WHERE`` group: user text is
never spliced into the query.

Layout on the server, written by :func:`load_dataset` (``lskg build --store sparql+http://…``):

- every named graph of the build under its usual IRI (``{base}graph/{file}``, …);
- ``{base}graph/union``: the set union of those graphs, used as the default graph of every
  query, so that results match the embedded store (a server's own "default graph is the
  union of all graphs", as in Virtuoso, also contains its system graphs and repeats a triple
  stated in two graphs);
- ``{base}graph/meta``: the VoID description, plus ``dcterms:hasVersion`` — the content hash
  that :attr:`RemoteSparqlStore.version` reports.

A load writes fresh staging graphs first and then moves them into place with ``MOVE`` in a
single update request; see docs/remote-stores.md for what each server guarantees about it.

Every HTTP call has a timeout; a server that refuses the connection, times out or answers 5xx
raises :class:`~kg.errors.StoreUnavailable` (the API answers 503).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import InputError, QueryRefused, QuerySyntaxError, StoreUnavailable, ValidationFailed
from kg.store import PREFIXES, Table, Term, syntax_message

if TYPE_CHECKING:
    from kg.build import BuildResult
    from kg.config import Settings
    from kg.importers.rdfdump import DumpFile, DumpImport

__all__ = [
    "REMOTE_SCHEMES",
    "RemoteSparqlStore",
    "build_remote",
    "import_dump_remote",
    "inject_values",
    "is_remote",
    "load_dataset",
]

REMOTE_SCHEMES = ("sparql+http://", "sparql+https://")
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_RESULTS_JSON = "application/sparql-results+json"
_GRAPH_MEDIA = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/ntriples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
# Characters of SPARQL update text per INSERT DATA request: well below Virtuoso's limits.
_CHUNK_CHARS = 400_000


def is_remote(store: str | Path) -> bool:
    """Whether a store location names a remote SPARQL endpoint.

    Examples
    --------
    >>> is_remote("sparql+http://127.0.0.1:8890/sparql"), is_remote("var/store")
    (True, False)
    """
    return str(store).startswith(REMOTE_SCHEMES)


def inject_values(sparql: str, bindings: Mapping[str, Term]) -> str:
    """Bind variables by inserting ``VALUES`` at the start of the query's ``WHERE`` group.

    The terms are written by pyoxigraph (N-Triples syntax, escaped), never taken as text.

    Examples
    --------
    >>> inject_values("SELECT ?n WHERE { ?o <http://e/name> ?n }", {"o": ox.NamedNode("http://e/a")})
    'SELECT ?n WHERE { VALUES (?o) { (<http://e/a>) } ?o <http://e/name> ?n }'
    >>> inject_values('ASK { ?s ?p ?o }', {"o": ox.Literal('x" } DROP ALL #')})
    'ASK { VALUES (?o) { ("x\\\\" } DROP ALL #") } ?s ?p ?o }'
    """
    if not bindings:
        return sparql
    for name in bindings:
        if not name.replace("_", "a").isalnum():
            raise InputError(f"{name!r} is not a SPARQL variable name")
    for term in bindings.values():
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise InputError(f"only IRIs and literals can be bound, not {term!r}")
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(str(term) for term in bindings.values())
    block = f" VALUES ({names}) {{ ({values}) }}"
    at = _where_brace(sparql)
    return sparql[: at + 1] + block + sparql[at + 1 :]


def _where_brace(sparql: str) -> int:
    """The index of the ``{`` opening the WHERE group (outside IRIs, strings and comments)."""
    i, first, after_where = 0, -1, False
    upper = sparql.upper()
    while i < len(sparql):
        c = sparql[i]
        if c == "#":
            end = sparql.find("\n", i)
            i = len(sparql) if end < 0 else end
        elif c == "<" and i + 1 < len(sparql) and not sparql[i + 1].isspace() and sparql[i + 1] != "=":
            end = sparql.find(">", i)
            i = len(sparql) if end < 0 else end + 1
            continue
        elif c in "\"'":
            i = _string_end(sparql, i)
            continue
        elif c == "{":
            if after_where:
                return i
            if first < 0:
                first = i
        elif upper.startswith("WHERE", i) and (i == 0 or not sparql[i - 1].isalnum()):
            after_where = True
        i += 1
    if first < 0:
        raise QuerySyntaxError("the query has no WHERE group to bind variables in")
    return first


def _string_end(text: str, start: int) -> int:
    quote = text[start]
    long = text.startswith(quote * 3, start)
    delimiter = quote * 3 if long else quote
    i = start + len(delimiter)
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(delimiter, i):
            return i + len(delimiter)
        i += 1
    return len(text)


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach a remote store (credentials are never printed)."""

    query_url: str
    update_url: str
    user: str | None = None
    password: str | None = None

    @classmethod
    def parse(
        cls,
        location: str,
        update_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
    ) -> Endpoint:
        """Read ``sparql+http(s)://[user:password@]host:port/path``.

        Examples
        --------
        >>> Endpoint.parse("sparql+http://127.0.0.1:8890/sparql").query_url
        'http://127.0.0.1:8890/sparql'
        """
        if not is_remote(location):
            raise InputError(f"{location!r} is not a sparql+http(s):// store URL")
        parts = urllib.parse.urlsplit(location.removeprefix("sparql+"))
        if not parts.hostname:
            raise InputError(f"{location!r} names no host")
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        url = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path or "/sparql", parts.query, ""))
        user = user or (urllib.parse.unquote(parts.username) if parts.username else None)
        password = password or (urllib.parse.unquote(parts.password) if parts.password else None)
        if update_url and is_remote(update_url):
            update_url = update_url.removeprefix("sparql+")
        return cls(url, update_url or url, user, password)


class RemoteSparqlStore:
    """A :class:`~kg.store.Store` over a SPARQL 1.1 Protocol endpoint.

    Parameters
    ----------
    endpoint
        Query and update URLs and credentials (see :meth:`from_settings`).
    base_iri
        The base of the store's graph names (``{base}graph/meta``, ``{base}graph/union``).
    timeout
        Seconds any one HTTP call may take.
    cache_seconds
        How long :attr:`version` and :meth:`graphs` are remembered (both are read on every
        API request; a reload shows up after at most this long).
    """

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        base_iri: str = "https://w3id.org/lskg/",
        timeout: float = 30.0,
        cache_seconds: float = 2.0,
    ) -> None:
        self.endpoint = endpoint
        self.base_iri = base_iri
        self.timeout = timeout
        self.cache_seconds = cache_seconds
        self.meta_graph = f"{base_iri}graph/meta"
        self.union_graph = f"{base_iri}graph/union"
        self._cached: tuple[float, str, list[str], dict[str, int]] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteSparqlStore:
        """The store named by ``settings.store`` with ``LSKG_STORE_UPDATE_URL``, ``LSKG_STORE_USER``
        and ``LSKG_STORE_PASSWORD``."""
        password = settings.store_password.get_secret_value() if settings.store_password else None
        endpoint = Endpoint.parse(settings.store, settings.store_update_url, settings.store_user, password)
        return cls(endpoint, base_iri=settings.base_iri, timeout=settings.query_timeout)

    def __repr__(self) -> str:
        return f"RemoteSparqlStore({self.endpoint.query_url!r})"

    # ------------------------------------------------------------------ HTTP

    def _open(self, request: urllib.request.Request, url: str, what: str) -> tuple[str, bytes]:
        """Send ``request`` with the store's credentials; return the media type and body.

        HTTP error statuses propagate (each caller reads them its own way); a server that cannot be
        reached or does not answer in time is :class:`~kg.errors.StoreUnavailable`.
        """
        if self.endpoint.user is not None:
            token = f"{self.endpoint.user}:{self.endpoint.password or ''}".encode()
            request.add_header("Authorization", "Basic " + base64.b64encode(token).decode("ascii"))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                return media, response.read()
        except urllib.error.HTTPError:
            raise
        except TimeoutError as exc:
            raise StoreUnavailable(f"the {what} at {url} did not answer within {self.timeout:g} s") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreUnavailable(
                f"the {what} at {url} cannot be reached ({reason}); is the server running?"
            ) from exc

    def _post(self, url: str, form: Sequence[tuple[str, str]], accept: str) -> tuple[str, bytes]:
        data = urllib.parse.urlencode(form).encode("ascii")
        request = urllib.request.Request(url, data=data, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        request.add_header("Accept", accept)
        try:
            return self._open(request, url, "SPARQL store")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode("utf-8", "replace").strip()
            if exc.code in (400, 422):
                raise InputError(f"the SPARQL store refused the request: {detail}") from None
            if exc.code in (401, 403):
                raise StoreUnavailable(
                    f"the SPARQL store at {url} refused access (HTTP {exc.code}); "
                    "check LSKG_STORE_USER / LSKG_STORE_PASSWORD and the server's permissions"
                ) from None
            raise StoreUnavailable(f"the SPARQL store at {url} failed (HTTP {exc.code}): {detail}") from None

    def update(self, sparql_update: str) -> None:
        """Send a SPARQL Update to the update URL (loading only; the API never calls this)."""
        self._post(self.endpoint.update_url, [("update", sparql_update)], "*/*")

    # ------------------------------------------------------------------ metadata

    def _meta(self) -> tuple[str, list[str], dict[str, int]]:
        with self._lock:
            now = time.monotonic()
            if self._cached is not None and now - self._cached[0] < self.cache_seconds:
                return self._cached[1:]
            query = f"""SELECT ?version ?graph ?triples WHERE {{ GRAPH <{self.meta_graph}> {{
              <{self.base_iri}dataset> <{DCTERMS}hasVersion> ?version .
              OPTIONAL {{ <{self.base_iri}dataset> <{VOID}subset> ?graph .
                          OPTIONAL {{ ?graph <{VOID}triples> ?triples }} }} }} }}"""
            _, body = self._post(self.endpoint.query_url, [("query", query)], _RESULTS_JSON)
            solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            assert isinstance(solutions, ox.QuerySolutions)
            version, graphs, counts = "", set(), {}
            for row in solutions:
                version = str(row["version"].value) if row["version"] is not None else version
                graph = row["graph"]
                if graph is not None:
                    graphs.add(str(graph.value))
                    if row["triples"] is not None:
                        counts[str(graph.value)] = int(row["triples"].value)
            if not version:
                raise StoreUnavailable(
                    f"no lskg dataset is loaded at {self.endpoint.query_url}; "
                    "run `lskg build --store sparql+…` first"
                )
            graphs.add(self.meta_graph)
            self._cached = (now, version, sorted(graphs), counts)
            return self._cached[1:]

    @property
    def version(self) -> str:
        """The content hash the last load wrote into ``{base}graph/meta``."""
        return self._meta()[0]

    def graphs(self) -> list[str]:
        """The IRIs of the dataset's named graphs (as listed in its VoID), sorted."""
        return self._meta()[1]

    # ------------------------------------------------------------------ queries

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Any:
        """Run a query on the server; return pyoxigraph's QuerySolutions, QueryBoolean, or an
        iterator of triples (CONSTRUCT, DESCRIBE).

        The query is parsed locally first (same syntax errors as the embedded store) and
        refused if it names ``SERVICE`` or ``LOAD``: the server must never fetch other hosts.
        """
        form = _form(sparql)
        text = inject_values(sparql, bindings or {})
        params: list[tuple[str, str]] = [("query", text)]
        params += [("default-graph-uri", g) for g in (default_graph or [self.union_graph])]
        params += [
            ("named-graph-uri", g) for g in (named_graphs if named_graphs is not None else self.graphs())
        ]
        if form == "graph":
            media, body = self._post(
                self.endpoint.query_url, params, "application/n-triples, text/turtle;q=0.9"
            )
            fmt = _GRAPH_MEDIA.get(media, ox.RdfFormat.N_TRIPLES)
            try:
                quads = list(ox.parse(body, format=fmt))
            except SyntaxError as exc:
                raise StoreUnavailable(f"the SPARQL store sent an unreadable {media} result: {exc}") from exc
            return iter([ox.Triple(q.subject, q.predicate, q.object) for q in quads])
        media, body = self._post(self.endpoint.query_url, params, _RESULTS_JSON)
        try:
            return ox.parse_query_results(_portable_bnodes(body), format=ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise StoreUnavailable(f"the SPARQL store sent an unreadable result ({media}): {exc}") from exc

    def select(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> Table:
        """Run a SELECT query and collect the solutions."""
        result = self.query(sparql, bindings=bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QuerySyntaxError("expected a SELECT query")
        variables = [v.value for v in result.variables]
        return Table(variables, [{v: solution[v] for v in variables} for solution in result])

    @property
    def raw(self) -> Any:
        """An object with pyoxigraph ``Store.query``'s signature, for :class:`kg.executor.ThreadExecutor`."""
        return _Raw(self)

    # ------------------------------------------------------------------ whole dataset

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad of the dataset's named graphs, or of one; one query per graph.

        Raises :class:`~kg.errors.StoreUnavailable` if the server cut a result short (its row
        limit, e.g. Virtuoso's ``ResultSetMaxRows``, is below the graph's size).
        """
        _, graphs, counts = self._meta()
        for name in [graph] if graph is not None else graphs:
            node = ox.NamedNode(name)
            table = self.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
            expected = counts.get(name)
            # A server limit cuts at a round number (Virtuoso: ResultSetMaxRows = 10000); a few
            # triples fewer than the VoID count are literals the server merged (see the docs).
            if expected is not None and len(table.rows) < expected and len(table.rows) % 1000 == 0:
                raise StoreUnavailable(
                    f"the SPARQL store returned {len(table.rows)} of the {expected} triples of <{name}>; "
                    "raise its result row limit (Virtuoso: ResultSetMaxRows)"
                )
            for row in table.rows:
                yield ox.Quad(row["s"], row["p"], row["o"], node)  # type: ignore[arg-type]

    def __len__(self) -> int:
        """Quads in the named graphs (like :class:`~kg.store.OxigraphStore`), counted by the server."""
        (count,) = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").column("n")
        return int(count or 0)

    def dump(self, output: IO[bytes], fmt: ox.RdfFormat, graph: str | None = None) -> None:
        """Serialise the named graphs (quad formats), their union (triple formats) or one graph."""
        quads = list(self.quads(graph))
        if fmt.supports_datasets:
            ox.serialize(quads, output, fmt, prefixes=PREFIXES)
        else:
            triples = list(dict.fromkeys(q.triple for q in quads))
            ox.serialize(triples, output, fmt, prefixes=PREFIXES)


def _portable_bnodes(body: bytes) -> bytes:
    """Blank node ids some servers send (Virtuoso: ``nodeID://b10006``) as valid ``_:`` labels."""
    if b'"bnode"' not in body:
        return body
    data = json.loads(body)
    for solution in data.get("results", {}).get("bindings", []):
        for term in solution.values():
            if term.get("type") == "bnode":
                term["value"] = re.sub(r"[^A-Za-z0-9]", "_", term["value"])
    return json.dumps(data).encode("utf-8")


class _Raw:
    """pyoxigraph's ``Store.query`` keywords over a :class:`RemoteSparqlStore`."""

    def __init__(self, store: RemoteSparqlStore) -> None:
        self._store = store

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[ox.Variable, Term] | None = None,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
    ) -> Any:
        return self._store.query(
            sparql,
            bindings={v.value: t for v, t in (substitutions or {}).items()},
            default_graph=None if default_graph is None else [g.value for g in default_graph],
            named_graphs=None if named_graphs is None else [g.value for g in named_graphs],
        )


def _form(sparql: str) -> str:
    """``solutions``, ``boolean`` or ``graph``, by parsing the query locally.

    The query is evaluated on an empty in-memory store: this checks the syntax with the same
    parser as the embedded store, and never reaches any host because ``SERVICE`` is refused
    before (by :func:`kg.sparql_safety.scan_query`).
    """
    from kg.sparql_safety import scan_query

    scan_query(sparql)
    try:
        result = ox.Store().query(sparql)
    except SyntaxError as exc:
        raise QuerySyntaxError(syntax_message(str(exc))) from exc
    except (RuntimeError, ValueError, OSError) as exc:
        raise QueryRefused(f"the query could not be evaluated: {exc}") from exc
    if isinstance(result, ox.QueryBoolean):
        return "boolean"
    if isinstance(result, ox.QuerySolutions):
        return "solutions"
    return "graph"


# ---------------------------------------------------------------------- loading


def _insert_chunks(graph: str, quads: Iterable[ox.Quad]) -> Iterator[str]:
    """``INSERT DATA`` updates of at most about ``_CHUNK_CHARS`` characters each.

    The triples with blank nodes (the ontology's and shapes' lists) go together into one
    ``INSERT { … } WHERE {}``: ``INSERT DATA`` may not hold blank nodes on some servers
    (Virtuoso: SP031), and one blank node must not be split across requests.
    """
    plain: list[ox.Quad] = []
    blank: list[ox.Quad] = []
    for q in quads:
        (
            blank if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) else plain
        ).append(q)
    if blank:
        body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in blank)
        yield f"INSERT {{ GRAPH <{graph}> {{\n{body}\n}} }} WHERE {{}}"
    quads = plain
    lines: list[str] = []
    size = 0
    for quad in quads:
        line = f"{quad.subject} {quad.predicate} {quad.object} ."
        lines.append(line)
        size += len(line) + 1
        if size >= _CHUNK_CHARS:
            yield f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(lines) + "\n} }"
            lines, size = [], 0
    if lines:
        yield f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(lines) + "\n} }"


@dataclass(frozen=True)
class LoadResult:
    """What :func:`load_dataset` did."""

    graphs: dict[str, int]
    requests: int
    seconds: float


def load_dataset(store: RemoteSparqlStore, graphs: Mapping[str, list[ox.Quad]], version: str) -> LoadResult:
    """Load named graphs into the remote store and swap them in.

    Every graph (and the union graph) is written into a fresh staging graph with chunked
    ``INSERT DATA``; one update request then ``MOVE``s each staging graph onto its live name,
    drops graphs the previous load had and this one does not, and moves the new metadata
    (with ``dcterms:hasVersion``) last. Readers see the old dataset until that request runs.
    """
    started = time.perf_counter()
    meta = store.meta_graph
    try:
        _, listed, previous_counts = store._meta()
        previous = set(listed)
    except StoreUnavailable:
        previous, previous_counts = set(), {}
    # Imported RDF dumps (``lskg import FILE.nt``) are not data files: a load keeps them.
    dump_prefix = f"{store.base_iri}graph/dump-"
    kept = sorted(name for name in previous if name.startswith(dump_prefix) and name not in graphs)
    stamp = hashlib.sha256(f"{version}{time.time_ns()}".encode()).hexdigest()[:12]
    live = {name: quads for name, quads in graphs.items() if name != meta}
    # The union holds every graph the build wrote, the dataset description (VoID) included, as
    # the embedded store's default graph does; the version and dump counts stay in meta only.
    union = list(
        dict.fromkeys(
            ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(store.union_graph))
            for quads in graphs.values()
            for q in quads
        )
    )
    meta_node = ox.NamedNode(meta)
    dataset = ox.NamedNode(f"{store.base_iri}dataset")
    meta_quads = [
        *graphs.get(meta, []),
        ox.Quad(dataset, ox.NamedNode(DCTERMS + "hasVersion"), ox.Literal(version), meta_node),
        *(q for name in kept for q in _subset_quads(dataset, name, previous_counts.get(name), meta_node)),
    ]
    targets = {**live, store.union_graph: union, meta: meta_quads}
    staging = {name: f"{store.base_iri}graph/staging/{stamp}/{i}" for i, name in enumerate(targets)}
    requests = 0
    try:
        for name, quads in targets.items():
            for chunk in _insert_chunks(staging[name], quads):
                store.update(chunk)
                requests += 1
        # Meta last: the version changes only once every graph is in place.
        order = [name for name in targets if name != meta] + [meta]
        ops = [f"MOVE SILENT GRAPH <{staging[name]}> TO GRAPH <{name}>" for name in order]
        gone = previous - set(targets) - set(kept)
        ops[-1:-1] = [f"DROP SILENT GRAPH <{name}>" for name in sorted(gone)]
        ops[-1:-1] = [f"ADD SILENT GRAPH <{name}> TO GRAPH <{store.union_graph}>" for name in kept]
        store.update(" ;\n".join(ops))
        requests += 1
    except BaseException:
        for name in staging.values():
            try:
                store.update(f"DROP SILENT GRAPH <{name}>")
            except StoreUnavailable:
                break
        raise
    with store._lock:
        store._cached = None
    counts = {name: len(quads) for name, quads in targets.items()}
    return LoadResult(counts, requests, time.perf_counter() - started)


def build_remote(
    settings: Settings,
    *,
    force: bool = False,
    data_dir: Path | None = None,
    extra_dirs: Sequence[Path] = (),
) -> BuildResult:
    """:func:`kg.build.build` for a remote store: assemble, validate, load, swap."""
    from kg.build import BuildResult, assemble, input_version, validate_assembled
    from kg.errors import ValidationFailed

    started = time.perf_counter()
    store = RemoteSparqlStore.from_settings(settings)
    store.timeout = max(store.timeout, 120.0)
    version = input_version(settings.base_iri, data_dir, extra_dirs=extra_dirs)
    assembled = assemble(settings.base_iri, data_dir, extra_dirs=extra_dirs)
    facts = sum(len(s.facts) for s in assembled.sources)
    with_provenance = sum(1 for s in assembled.sources for records in s.facts.values() if records)
    location = Path(store.endpoint.query_url)
    try:
        current = store.version
    except StoreUnavailable as exc:
        if "no lskg dataset" not in str(exc):
            raise
        current = None
    counts = {name: len(quads) for name, quads in assembled.graphs.items()}
    if current == version and not force:
        return BuildResult(
            version, location, True, None, counts, facts, with_provenance, time.perf_counter() - started
        )
    report = validate_assembled(assembled)
    if not report.conforms:
        raise ValidationFailed(
            f"the data does not conform to the shapes: {len(report.violations)} violation(s)", report
        )
    load_dataset(store, assembled.graphs, version)
    return BuildResult(
        version, location, False, report, counts, facts, with_provenance, time.perf_counter() - started
    )


def dump_nquads(store: RemoteSparqlStore) -> bytes:
    """The dataset as sorted N-Quads lines (for comparing stores)."""
    buffer = io.BytesIO()
    store.dump(buffer, ox.RdfFormat.N_QUADS)
    return b"\n".join(sorted(buffer.getvalue().splitlines()))


def _subset_quads(dataset: ox.NamedNode, name: str, triples: int | None, meta: ox.NamedNode) -> list[ox.Quad]:
    """The VoID lines that list graph ``name`` (with its size) as a subset of the dataset."""
    graph = ox.NamedNode(name)
    quads = [
        ox.Quad(dataset, ox.NamedNode(VOID + "subset"), graph, meta),
        ox.Quad(graph, ox.NamedNode(RDF_TYPE), ox.NamedNode(VOID + "Dataset"), meta),
    ]
    if triples is not None:
        quads.append(
            ox.Quad(
                graph, ox.NamedNode(VOID + "triples"), ox.Literal(str(triples), datatype=XSD_INTEGER), meta
            )
        )
    return quads


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def graph_store_urls(query_url: str) -> list[str]:
    """Where a server's SPARQL 1.1 Graph Store Protocol may live, most likely first.

    Examples
    --------
    >>> graph_store_urls("http://127.0.0.1:8890/sparql")
    ['http://127.0.0.1:8890/sparql-graph-crud', 'http://127.0.0.1:8890/store', 'http://127.0.0.1:8890/data']
    """
    parts = urllib.parse.urlsplit(query_url)
    path = parts.path.rstrip("/")
    head = path.rsplit("/", 1)[0]
    candidates = []
    if path.endswith("/sparql"):
        candidates.append(path + "-graph-crud")  # Virtuoso
    candidates += [head + "/store", head + "/data"]  # Oxigraph server; Fuseki (/dataset/data)
    return [
        urllib.parse.urlunsplit((parts.scheme, parts.netloc, c, "", "")) for c in dict.fromkeys(candidates)
    ]


class _ChunkWriter:
    """Appends N-Triples chunks to one graph of the server: Graph Store Protocol ``POST`` where
    the server has it, else ``INSERT DATA`` requests of at most ``_CHUNK_CHARS`` characters."""

    def __init__(self, store: RemoteSparqlStore, graph: str) -> None:
        self.store = store
        self.graph = graph
        self.candidates = graph_store_urls(store.endpoint.query_url)
        self.url: str | None = None
        self.requests = 0

    @property
    def method(self) -> str:
        """How chunks were sent: ``graph store`` (with its URL) or ``INSERT DATA``."""
        return f"graph store POST {self.url}" if self.url else "INSERT DATA"

    def write(self, triples: list[ox.Triple]) -> None:
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        assert body is not None
        while self.candidates:
            url = self.url or self.candidates[0]
            if self._post_graph(url, body):
                self.url = url
                self.requests += 1
                return
            self.candidates.pop(0)
            self.url = None
        quads = (ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(self.graph)) for t in triples)
        for update in _insert_chunks(self.graph, quads):
            self.store.update(update)
            self.requests += 1

    def _post_graph(self, url: str, body: bytes) -> bool:
        """POST ``body`` into the graph; ``False`` if the server has no Graph Store there."""
        target = (
            url + "?" + urllib.parse.urlencode({"graph-uri" if "graph-crud" in url else "graph": self.graph})
        )
        request = urllib.request.Request(target, data=body, method="POST")
        # N-Triples is Turtle: every Graph Store implementation reads text/turtle.
        request.add_header("Content-Type", "text/turtle; charset=utf-8")
        try:
            self.store._open(request, url, "graph store")
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403, 404, 405, 406, 415, 501) and self.url is None:
                return False  # no (writable) Graph Store here: try the next place
            detail = exc.read()[:500].decode("utf-8", "replace").strip()
            raise StoreUnavailable(f"the graph store at {url} failed (HTTP {exc.code}): {detail}") from None
        return True


def _skolemize(triples: list[ox.Triple], prefix: str) -> list[ox.Triple]:
    """Blank nodes as IRIs under ``prefix``: chunks are separate documents to the server, which
    would otherwise split one blank node into one per chunk."""

    def term(t: Any) -> Any:
        return ox.NamedNode(prefix + t.value) if isinstance(t, ox.BlankNode) else t

    return [
        ox.Triple(term(t.subject), t.predicate, term(t.object))
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
        else t
        for t in triples
    ]


def _count_graph(store: RemoteSparqlStore, graph: str) -> int:
    table = store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", named_graphs=[graph]
    )
    rows = list(table)
    value = rows[0]["n"] if rows else None
    return int(value.value) if value is not None else 0


def import_dump_remote(
    store: RemoteSparqlStore,
    dump: DumpFile,
    name: str,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> DumpImport:
    """:func:`kg.importers.rdfdump.import_dump` for a remote store.

    The dump is streamed in chunks into a staging graph (and its provenance into another) and
    moved into place by one update request that also replaces the graph's triples in the union
    graph and its VoID entry and version in the meta graph. On any error (or with ``dry_run``)
    the staging graphs are dropped and the live graphs are as they were.

    Validation runs locally: :func:`kg.validate.validate_store` needs Oxigraph (its queries use
    Oxigraph's XSD casts and dataset options), so the same chunks also go into the default graph
    of a temporary on-disk Oxigraph store, with a copy of the server's graphs that are not dumps
    (the curated data, read back with one query per graph), and the dump is validated there over
    that one graph before anything is moved into place. Each chunk is posted by a second thread
    while the next is parsed and written locally (at most one chunk in flight).
    """
    from kg.importers.rdfdump import (
        DumpImport,
        dump_graph,
        provenance_quads,
        read_triples,
        validation_scope,
    )
    from kg.validate import validate_store

    store.timeout = max(store.timeout, 600.0)
    base = store.base_iri
    version, listed, _ = store._meta()
    graph = dump_graph(base, name)
    provenance = graph + "/provenance"
    replaced = graph in listed
    stamp = hashlib.sha256(f"{graph}{time.time_ns()}".encode()).hexdigest()[:12]
    staging, staging_provenance = (f"{base}graph/staging/{stamp}/{i}" for i in (0, 1))
    genid = f"{base}.well-known/genid/dump-{name}/"
    writer = _ChunkWriter(store, staging)
    records = provenance_quads(dump, base, name)
    with tempfile.TemporaryDirectory(prefix="lskg-dump-check-") as tmp, ThreadPoolExecutor(1) as poster:
        check = ox.Store(tmp)
        try:
            posting: Future[None] | None = None
            for chunk in read_triples(dump, base, progress):
                triples = _skolemize(chunk, genid)
                if posting is not None:
                    posting.result()
                posting = poster.submit(writer.write, triples)
                check.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
            if posting is not None:
                posting.result()
            staged = [
                ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(staging_provenance)) for q in records
            ]
            for update in _insert_chunks(staging_provenance, staged):
                store.update(update)
            check.flush()
            count = len(check)
            # The dump, its provenance and its context in one default graph: the validation
            # queries read one graph, twice as fast as three (benchmarks/results/bulk_load.md).
            check.extend(ox.Quad(q.subject, q.predicate, q.object) for q in records)
            context = (q for other in validation_scope(base, listed, graph) for q in store.quads(other))
            check.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in context)
            report = validate_store(check, union_default_graph=True)
            del check
            if not report.conforms:
                raise ValidationFailed(
                    f"{dump.path.name} does not conform to the shapes: "
                    f"{len(report.violations)} violation(s); nothing was imported",
                    report,
                )
            if not dry_run:
                # The swap copies the graph twice in one transaction: Virtuoso needed more than
                # 600 s for ten million triples (benchmarks/results/bulk_load.md).
                store.timeout = max(store.timeout, count / 1_000)
                new_version = (
                    "dumps-" + hashlib.sha256(f"{version}\n{graph} {dump.sha256}".encode()).hexdigest()
                )
                store.update(
                    _swap_in_dump(
                        store,
                        (staging, staging_provenance),
                        (graph, provenance),
                        listed,
                        (count, len(records)),
                        new_version,
                    )
                )
        finally:
            for leftover in (staging, staging_provenance):
                try:
                    store.update(f"DROP SILENT GRAPH <{leftover}>")
                except StoreUnavailable:
                    break
    with store._lock:
        store._cached = None
    result = DumpImport(dump, name, graph, count, replaced, dry_run, report, store.endpoint.query_url)
    result.notes.append(f"sent in {writer.requests} request(s) by {writer.method}")
    return result


def _swap_in_dump(
    store: RemoteSparqlStore,
    staged: tuple[str, str],
    live: tuple[str, str],
    listed: list[str],
    sizes: tuple[int, int],
    version: str,
) -> str:
    """One update request: old triples out of the union graph (unless another graph states
    them), the staged graphs moved in and added to the union, the VoID and version updated."""
    (staging, staging_provenance), (graph, provenance) = staged, live
    union, meta = store.union_graph, store.meta_graph
    dataset = f"<{store.base_iri}dataset>"
    others = [g for g in listed if g not in (graph, provenance, meta)]
    values = " ".join(f"<{g}>" for g in others)
    ops = []
    for old in (graph, provenance):
        if old in listed:
            ops.append(
                f"DELETE {{ GRAPH <{union}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{old}> {{ ?s ?p ?o }} "
                f"FILTER NOT EXISTS {{ VALUES ?h {{ {values} }} GRAPH ?h {{ ?s ?p ?o }} }} }}"
            )
    # Not MOVE then ADD from the moved graph: each staged graph is added to its place and to
    # the union, then dropped; Virtuoso does that in 18 s for a million triples against 29 s.
    for source, target in ((staging, graph), (staging_provenance, provenance)):
        ops += [
            f"DROP SILENT GRAPH <{target}>",
            f"ADD SILENT GRAPH <{source}> TO GRAPH <{target}>",
            f"ADD SILENT GRAPH <{source}> TO GRAPH <{union}>",
            f"DROP SILENT GRAPH <{source}>",
        ]
    ops += [
        f"DELETE WHERE {{ GRAPH <{meta}> {{ {dataset} <{DCTERMS}hasVersion> ?v }} }}",
        f"DELETE WHERE {{ GRAPH <{meta}> {{ <{graph}> <{VOID}triples> ?n }} }}",
        f"DELETE WHERE {{ GRAPH <{meta}> {{ <{provenance}> <{VOID}triples> ?n }} }}",
    ]
    meta_node, dataset_node = ox.NamedNode(meta), ox.NamedNode(dataset[1:-1])
    quads = [ox.Quad(dataset_node, ox.NamedNode(DCTERMS + "hasVersion"), ox.Literal(version), meta_node)]
    quads += _subset_quads(dataset_node, graph, sizes[0], meta_node)
    quads += _subset_quads(dataset_node, provenance, sizes[1], meta_node)
    body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
    ops.append(f"INSERT DATA {{ GRAPH <{meta}> {{\n{body}\n}} }}")
    return " ;\n".join(ops)
