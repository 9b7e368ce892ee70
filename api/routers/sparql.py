"""The SPARQL 1.1 endpoint: Protocol, Service Description and (token-guarded) Update.

``/sparql`` takes a query as ``GET ?query=``, as a form field (``POST``,
``application/x-www-form-urlencoded``) or as the body (``POST``, ``application/sparql-query``),
with ``default-graph-uri`` / ``named-graph-uri`` naming graphs of the store. Results are
negotiated from ``Accept`` (with q-values) or ``?format=``: SPARQL JSON, XML, CSV or TSV for
SELECT and ASK; Turtle, N-Triples, RDF/XML, JSON-LD, TriG or N-Quads for CONSTRUCT and
DESCRIBE. Without a query it describes itself (SPARQL 1.1 Service Description; an HTML form
for browsers).

Every query is checked for outbound requests first (:mod:`kg.sparql_safety`) and evaluated by
the app's executor (:mod:`kg.executor`) under the time and size limits. Updates go to
``POST /update`` (or ``/sparql`` with ``update=`` / ``application/sparql-update``) and are
accepted only with the configured bearer token; see SECURITY.md.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
import threading
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import StoreProvider, get_settings, get_store
from api.errors import NotAcceptable, Unauthorized, UnsupportedMediaType
from api.negotiation import negotiate
from api.settings import ApiSettings
from kg.errors import InputError, StoreUnavailable
from kg.executor import Executor, ProcessExecutor, QueryJob, ThreadExecutor, UpdateOutcome, apply_update
from kg.remote import RemoteSparqlStore
from kg.results import GRAPH_FORMATS, PREFIXES, serialize_graph
from kg.sparql_safety import QueryInfo, check_dataset, scan_query
from kg.store import OxigraphStore

__all__ = [
    "GRAPH_MEDIA",
    "RESULT_MEDIA",
    "get_executor",
    "router",
    "start_executor",
    "stop_executor",
]

router = APIRouter(tags=["sparql"])

# Offered media types (first is the default for */*): format key, Content-Type sent.
RESULT_MEDIA: dict[str, tuple[str, str]] = {
    "application/sparql-results+json": ("json", "application/sparql-results+json"),
    "application/sparql-results+xml": ("xml", "application/sparql-results+xml; charset=utf-8"),
    "text/csv": ("csv", "text/csv; charset=utf-8"),
    "text/tab-separated-values": ("tsv", "text/tab-separated-values; charset=utf-8"),
}
GRAPH_MEDIA: dict[str, tuple[str, str]] = {
    "text/turtle": ("turtle", "text/turtle; charset=utf-8"),
    "application/n-triples": ("ntriples", "application/n-triples"),
    "application/rdf+xml": ("rdfxml", "application/rdf+xml; charset=utf-8"),
    "application/ld+json": ("jsonld", "application/ld+json"),
    "application/trig": ("trig", "application/trig; charset=utf-8"),
    "application/n-quads": ("nquads", "application/n-quads"),
}
DESCRIPTION_MEDIA: dict[str, str] = {
    "text/turtle": "turtle",
    "application/ld+json": "jsonld",
    "text/html": "html",
    "application/n-triples": "ntriples",
    "application/rdf+xml": "rdfxml",
}

# Other names clients use for the same media types (SPARQLWrapper, rdflib, browsers, curl).
_RESULT_SYNONYMS = {
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/sparql-results+json": "application/sparql-results+json",
    "text/javascript": "application/sparql-results+json",
    "application/javascript": "application/sparql-results+json",
}
_GRAPH_SYNONYMS = {
    "application/xml": "application/rdf+xml",
    "text/xml": "application/rdf+xml",
    "application/json": "application/ld+json",
    "application/x-json+ld": "application/ld+json",
    "application/turtle": "text/turtle",
    "application/x-turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
    "text/plain": "application/n-triples",
    "application/x-trig": "application/trig",
    "text/x-nquads": "application/n-quads",
}
_RESULT_FORMAT_NAMES = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
_GRAPH_FORMAT_NAMES = {
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "n3": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "xml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "json": "application/ld+json",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "trig": "application/trig",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
}
_DESCRIPTION_FORMAT_NAMES = {**_GRAPH_FORMAT_NAMES, "html": "text/html"}

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
_FORM_TYPE = "application/x-www-form-urlencoded"
_QUERY_TYPE = "application/sparql-query"
_UPDATE_TYPE = "application/sparql-update"
_VARY = {"Vary": "Accept"}


# --------------------------------------------------------------------------- the executor


_executor_lock = threading.Lock()


def start_executor(app: FastAPI) -> Executor:
    """The app's query executor, started on first use: worker processes over an on-disk
    store, threads over an in-memory one (see :mod:`kg.executor`)."""
    with _executor_lock:
        executor: Executor | None = getattr(app.state, "executor", None)
        if executor is not None:
            return executor
        settings: ApiSettings = app.state.settings
        provider: StoreProvider = app.state.store_provider
        if provider.path is not None:
            executor = ProcessExecutor(
                provider.path,
                workers=settings.query_workers,
                timeout=settings.query_timeout,
                cache_bytes=settings.result_cache_bytes,
            )
        else:
            store = provider.get()
            if not isinstance(store, OxigraphStore | RemoteSparqlStore):
                raise StoreUnavailable("this store cannot run SPARQL queries")
            executor = ThreadExecutor(
                store.raw, workers=settings.query_workers, timeout=settings.query_timeout
            )
        app.state.executor = executor
        return executor


def stop_executor(app: FastAPI) -> None:
    """Stop the app's query workers (at shutdown)."""
    with _executor_lock:
        executor: Executor | None = getattr(app.state, "executor", None)
        app.state.executor = None
    if executor is not None:
        executor.close()


def _update_lock(app: FastAPI) -> threading.Lock:
    with _executor_lock:
        lock: threading.Lock | None = getattr(app.state, "update_lock", None)
        if lock is None:
            lock = app.state.update_lock = threading.Lock()
        return lock


def get_executor(request: Request) -> Executor:
    """The executor of the app serving ``request``."""
    return start_executor(request.app)


# --------------------------------------------------------------------------- reading requests


def _normalise_accept(accept: str | None, synonyms: dict[str, str]) -> str | None:
    if not accept:
        return accept
    parts = []
    for part in accept.split(","):
        media, sep, params = part.strip().partition(";")
        parts.append(synonyms.get(media.strip().lower(), media.strip()) + sep + params)
    return ", ".join(parts)


def _negotiate(
    request: Request,
    offered: list[str],
    formats: list[str],
    synonyms: dict[str, str],
    format_names: dict[str, str],
) -> str:
    """The media type to answer in: the first usable ``format`` parameter, else ``Accept``."""
    for name in formats:
        with contextlib.suppress(NotAcceptable):
            return negotiate(None, offered, name, format_names)
    if formats:
        raise NotAcceptable(offered)
    return negotiate(_normalise_accept(request.headers.get("accept"), synonyms), offered)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _body_text(request: Request) -> str:
    body = await request.body()
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the request body is not UTF-8 (byte {exc.start})") from None


def _single(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise InputError(f"give the {name!r} parameter once, not {len(values)} times")
    return values[0] if values else None


class _Protocol:
    """The operation of one request: a query or an update, with its dataset parameters."""

    def __init__(self, params: list[tuple[str, str]], query: str | None, update: str | None) -> None:
        if query is not None and update is not None:
            raise InputError("give either a query or an update, not both")
        self.query = query
        self.update = update
        self.default_graphs = [v for k, v in params if k == "default-graph-uri"]
        self.named_graphs = [v for k, v in params if k == "named-graph-uri"]
        self.using = [v for k, v in params if k in ("using-graph-uri", "using-named-graph-uri")]
        # Some clients send several (SPARQLWrapper: "format=tsv&format=csv"); the first usable wins.
        self.formats = [v for k, v in params if k == "format"]


async def _read(request: Request) -> _Protocol:
    url_params = list(request.query_params.multi_items())
    if request.method in ("GET", "HEAD"):
        if _single(url_params, "update") is not None:
            raise InputError("a SPARQL Update must be sent with POST")
        return _Protocol(url_params, _single(url_params, "query"), None)
    media = _media_type(request)
    if media == _FORM_TYPE:
        params = url_params + parse_qsl(await _body_text(request), keep_blank_values=True)
        return _Protocol(params, _single(params, "query"), _single(params, "update"))
    if media == _QUERY_TYPE:
        return _Protocol(url_params, await _body_text(request), None)
    if media == _UPDATE_TYPE:
        return _Protocol(url_params, None, await _body_text(request))
    raise UnsupportedMediaType(
        f"send the query as {_FORM_TYPE} (query= or update=), {_QUERY_TYPE} or {_UPDATE_TYPE}; "
        f"got {media or 'no Content-Type'}"
    )


# --------------------------------------------------------------------------- queries

_SCAN_CACHE_MAX_CHARS = 20_000


@functools.lru_cache(maxsize=512)
def _scan_cached(query: str, graphs: tuple[str, ...]) -> QueryInfo:
    # Short queries are scanned on the event loop and remembered: dashboards repeat them.
    return scan_query(query, graphs)


async def _answer_query(request: Request, op: _Protocol) -> Response:
    assert op.query is not None
    settings = get_settings(request)
    store = get_store(request)
    graphs = tuple(store.graphs())
    if len(op.query) <= _SCAN_CACHE_MAX_CHARS:
        info = _scan_cached(op.query, graphs)
    else:
        info = await run_in_threadpool(scan_query, op.query, graphs)
    dataset = bool(op.default_graphs or op.named_graphs)
    if dataset:
        check_dataset(op.default_graphs, op.named_graphs, graphs)
    graph_form = info.form in ("CONSTRUCT", "DESCRIBE")
    media_map = GRAPH_MEDIA if graph_form else RESULT_MEDIA
    media = _negotiate(
        request,
        list(media_map),
        op.formats,
        _GRAPH_SYNONYMS if graph_form else _RESULT_SYNONYMS,
        _GRAPH_FORMAT_NAMES if graph_form else _RESULT_FORMAT_NAMES,
    )
    job = QueryJob(
        op.query,
        results_format=RESULT_MEDIA[media][0] if not graph_form else "json",
        graph_format=GRAPH_MEDIA[media][0] if graph_form else "turtle",
        default_graph=tuple(op.default_graphs) if dataset else None,
        named_graphs=tuple(op.named_graphs) if dataset else None,
        max_rows=settings.max_result_rows,
        max_bytes=settings.max_result_bytes,
    )
    executor = get_executor(request)
    outcome = executor.lookup(job)
    if outcome is None:
        outcome = await run_in_threadpool(executor.run, job)
    headers = {
        **_VARY,
        "X-LSKG-Truncated": "true" if outcome.truncated else "false",
        "X-LSKG-Rows": str(outcome.rows),
        "X-LSKG-Version": store.version,
        "X-LSKG-Cache": "hit" if outcome.cached else "miss",
    }
    body = b"" if request.method == "HEAD" else outcome.body
    return Response(body, headers=headers, media_type=media_map[media][1])


# --------------------------------------------------------------------------- updates


def _authorise(request: Request, settings: ApiSettings) -> None:
    if settings.update_token is None or not settings.update_token.get_secret_value():
        raise Unauthorized("updates are disabled: the service is read-only (no LSKG_UPDATE_TOKEN)", 403)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("SPARQL Update needs 'Authorization: Bearer <token>'", 401)
    if not secrets.compare_digest(token.strip().encode(), settings.update_token.get_secret_value().encode()):
        raise Unauthorized("the bearer token is not valid for updates", 403)


async def _answer_update(request: Request, op: _Protocol) -> Response:
    assert op.update is not None
    settings = get_settings(request)
    if op.using:
        raise InputError(
            "using-graph-uri and using-named-graph-uri are not supported; use USING in the update"
        )
    provider: StoreProvider = request.app.state.store_provider
    if provider.path is None:
        raise StoreUnavailable("this service runs on an in-memory store, which cannot be updated")
    store_path, update = provider.path, op.update
    lock = _update_lock(request.app)

    def run_update() -> UpdateOutcome:
        # One update at a time per process; the build lock also keeps other processes out.
        with lock:
            return apply_update(
                store_path, update, base_iri=settings.base_iri, timeout=settings.query_timeout
            )

    outcome = await run_in_threadpool(run_update)
    body = {
        "changed": outcome.changed,
        "version": outcome.version,
        "quads": outcome.quads,
        "warnings": outcome.warnings,
    }
    return JSONResponse(body, headers=_VARY)


# --------------------------------------------------------------------------- description


def _description(request: Request, settings: ApiSettings, graphs: list[str]) -> list[ox.Triple]:
    endpoint = ox.NamedNode(str(request.url.replace(query="", fragment="")))
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default = ox.BlankNode("default")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    triples = [
        ox.Triple(service, rdf_type, sd("Service")),
        ox.Triple(service, sd("endpoint"), endpoint),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, rdf_type, sd("Graph")),
    ]
    if settings.update_token is not None:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV"):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    for name in ("Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads"):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name)))
    for i, graph in enumerate(graphs):
        named = ox.BlankNode(f"graph{i}")
        triples.append(ox.Triple(dataset, sd("namedGraph"), named))
        triples.append(ox.Triple(named, rdf_type, sd("NamedGraph")))
        triples.append(ox.Triple(named, sd("name"), ox.NamedNode(graph)))
    return triples


def _describe(request: Request) -> Response:
    settings = get_settings(request)
    graphs = get_store(request).graphs()
    media = _negotiate(
        request,
        list(DESCRIPTION_MEDIA),
        request.query_params.getlist("format"),
        _GRAPH_SYNONYMS,
        _DESCRIPTION_FORMAT_NAMES,
    )
    if media == "text/html":
        if request.method == "HEAD":
            return HTMLResponse(b"", headers=_VARY)
        return _query_page(request)
    prefixes = {"sd": SD, "formats": FORMATS, **PREFIXES}
    body = serialize_graph(
        _description(request, settings, graphs), GRAPH_FORMATS[GRAPH_MEDIA[media][0]], prefixes
    )
    return Response(
        b"" if request.method == "HEAD" else body, headers=_VARY, media_type=GRAPH_MEDIA[media][1]
    )


# --------------------------------------------------------------------------- routes


@router.api_route(
    "/sparql",
    methods=["GET", "HEAD", "POST"],
    summary="SPARQL 1.1 Protocol endpoint (query; update with a token)",
    response_class=Response,
)
async def sparql(request: Request) -> Response:
    """Answer a SPARQL query (GET ``?query=``, POST form or ``application/sparql-query``), a
    SPARQL Update (POST ``update=`` or ``application/sparql-update``, with the bearer token),
    or, without either, describe the service."""
    if request.method == "POST" and _media_type(request) == _UPDATE_TYPE:
        _authorise(request, get_settings(request))  # before the body is read
    op = await _read(request)
    if op.update is not None:
        _authorise(request, get_settings(request))
        return await _answer_update(request, op)
    if op.query is None:
        if request.method == "POST":
            raise InputError("the POST carries no query= or update= parameter")
        return _describe(request)
    if request.method == "GET" and not op.formats and _prefers_html(request):
        # A browser following a shared /sparql?query=… link gets the editor, which runs it.
        return _query_page(request)
    return await _answer_query(request, op)


def _prefers_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    if "text/html" not in accept:
        return False
    try:
        return negotiate(accept, ["text/html", *RESULT_MEDIA]) == "text/html"
    except NotAcceptable:
        return False


def _query_page(request: Request) -> Response:
    from api.routers.pages import query_page  # pages builds on this module's neighbours

    response = query_page(request)
    response.headers["Vary"] = "Accept"
    return response


@router.post("/update", summary="SPARQL 1.1 Update (needs the bearer token)", response_class=JSONResponse)
async def update(request: Request) -> Response:
    """Apply a SPARQL Update (``application/sparql-update`` or form ``update=``) as a new build;
    refused unless the request carries ``Authorization: Bearer`` with the configured token."""
    _authorise(request, get_settings(request))
    op = await _read(request)
    if op.query is not None:
        raise InputError("/update takes SPARQL Update; send queries to /sparql")
    if op.update is None:
        raise InputError("the POST carries no update")
    return await _answer_update(request, op)
