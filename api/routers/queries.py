"""Named queries as an API: the ``queries/*.rq`` catalogue, listed, runnable and published.

``GET /queries`` lists every query (JSON, or HTML for browsers); ``GET /queries/{name}?param=…``
runs one with the same content negotiation as the SPARQL endpoint (SPARQL JSON, XML, CSV, TSV
for SELECT and ASK; Turtle, JSON-LD, N-Triples, RDF/XML for CONSTRUCT; an HTML table for
browsers). Parameter values are converted to RDF terms by :meth:`kg.catalogue.NamedQuery.bind`
and substituted by the query engine, never spliced into the query text; a value that is not of
the parameter's type is refused with 400 before anything runs. ``format`` is reserved for
choosing the result format and cannot be a parameter name.

The catalogue is also published as SPARQL examples (``/.well-known/sparql-examples``): one
``sh:SPARQLExecutable`` per query with its text, summary and the endpoint it runs against.
"""

from __future__ import annotations

from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from api.routers.home import VARY, SettingsDep, StoreDep, absolute, negotiated, render, term_view
from api.routers.linked_data import rdf_response
from api.routers.sparql import get_executor
from kg.catalogue import NamedQuery, load_catalogue
from kg.errors import InputError, NotFound
from kg.executor import QueryJob, QueryOutcome

__all__ = ["ParameterInfo", "QueryInfo", "get_catalogue", "router", "sparql_examples"]

# Offered result media types and the executor's name of each (kg.results.RESULT_FORMATS).
RESULT_MEDIA: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_OFFERED = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
RESERVED = {"format"}

_SH = "http://www.w3.org/ns/shacl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SCHEMA = "https://schema.org/"
_EXECUTABLE = {
    "SELECT": ("SPARQLSelectExecutable", "select"),
    "CONSTRUCT": ("SPARQLConstructExecutable", "construct"),
    "ASK": ("SPARQLAskExecutable", "ask"),
    "DESCRIBE": ("SPARQLDescribeExecutable", "describe"),
}

router = APIRouter(tags=["named queries"])


class ParameterInfo(BaseModel):
    """A parameter of a named query: it binds the query variable of the same name."""

    name: str = Field(examples=["organisation"])
    type: str = Field(description="iri, string, integer, decimal, date or boolean", examples=["iri"])
    description: str = ""
    default: str | None = Field(None, examples=["id/org/vinnova"])
    required: bool = False


class QueryInfo(BaseModel):
    """One named query of the catalogue."""

    name: str = Field(examples=["organisation-links"])
    summary: str
    description: str = ""
    tags: list[str] = []
    form: str = Field(description="SELECT, CONSTRUCT, ASK or DESCRIBE", examples=["SELECT"])
    violation_check: bool = Field(description="True for data-quality checks that must return no rows")
    parameters: list[ParameterInfo] = []
    link: str = Field(
        description="Where the query runs", examples=["http://localhost:8000/queries/organisation-links"]
    )


def get_catalogue() -> dict[str, NamedQuery]:
    """The named queries (tests override this dependency to serve a fixture catalogue)."""
    return load_catalogue()


CatalogueDep = Annotated[dict[str, NamedQuery], Depends(get_catalogue)]


def _info(request: Request, query: NamedQuery) -> QueryInfo:
    return QueryInfo(
        name=query.name,
        summary=query.summary,
        description=query.description,
        tags=list(query.tags),
        form=query.form,
        violation_check=query.is_violation_check,
        parameters=[
            ParameterInfo(
                name=p.name, type=p.type, description=p.description, default=p.default, required=p.required
            )
            for p in query.params
        ],
        link=absolute(request, f"/queries/{query.name}"),
    )


@router.get(
    "/queries",
    summary="List the named queries",
    response_model=list[QueryInfo],
    responses={200: {"content": {"text/html": {}}}},
)
def list_queries(
    request: Request,
    *,
    format: str | None = Query(None, description="json or html; overrides Accept."),
    catalogue: CatalogueDep,
) -> Response:
    """Every query of ``queries/*.rq`` with its summary, description, tags and parameters."""
    media = negotiated(request, ["application/json", "text/html"], format)
    infos = [_info(request, q) for q in catalogue.values()]
    if media == "text/html":
        return render(request, "queries.html", {"title": "Named queries", "queries": infos})
    return JSONResponse([i.model_dump() for i in infos], headers=VARY)


@router.get(
    "/queries/{name}",
    summary="Run a named query",
    responses={
        200: {
            "description": "The results, in the negotiated format.",
            "content": {m: {} for m in [*RESULT_MEDIA, *GRAPH_OFFERED, "text/html"]},
        },
        400: {"description": "A parameter is unknown, missing or not of its type."},
        404: {"description": "No query of that name."},
    },
)
def run_query(
    request: Request,
    *,
    name: str,
    format: str | None = Query(
        None, description="json, xml, csv, tsv (SELECT); ttl, jsonld, nt, rdf (CONSTRUCT); html."
    ),
    catalogue: CatalogueDep,
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """Run ``queries/{name}.rq`` with the query-string parameters bound to its variables.

    ``/queries/{name}.rq`` returns the query's text.
    """
    if name.endswith(".rq") and name.removesuffix(".rq") in catalogue:
        text = catalogue[name.removesuffix(".rq")].sparql
        return PlainTextResponse(text, media_type="application/sparql-query")
    query = catalogue.get(name)
    if query is None:
        raise NotFound(f"no named query {name!r}; known: {', '.join(catalogue) or 'none'}")
    graph_form = query.form in ("CONSTRUCT", "DESCRIBE")
    offered = [*(GRAPH_OFFERED if graph_form else RESULT_MEDIA), "text/html"]
    media = negotiated(request, offered, format)
    values = _parameters(request)
    if media == "text/html" and any(p.required and p.name not in values for p in query.params):
        # A browser opening a query that needs a value gets the form, not an error.
        return render(request, "query.html", _query_page(request, query, values, None, settings.base_iri))
    bindings = query.bind(values, settings.base_iri)
    # A SELECT or ASK result goes out as the worker serialised it, in the format asked for: this
    # process does not parse and write it again (pages and graphs are converted here).
    direct = media in RESULT_MEDIA and not graph_form
    # Through the executor, so a named query has the same time and size limits as /sparql.
    job = QueryJob(
        query.sparql,
        results_format=RESULT_MEDIA[media] if direct else "json",
        graph_format="ntriples",
        substitutions=tuple((name, str(term)) for name, term in bindings.items()),
        max_rows=settings.max_result_rows,
        max_bytes=settings.max_result_bytes,
    )
    executor = get_executor(request)
    outcome = executor.lookup(job) or executor.run(job)
    headers = {**VARY, "X-LSKG-Truncated": "true" if outcome.truncated else "false"}
    if direct:
        return Response(outcome.body, media_type=media, headers=headers)
    result = _decode(outcome)
    if media == "text/html":
        return render(request, "query.html", _query_page(request, query, values, result, settings.base_iri))
    response = rdf_response(request, result, media)
    response.headers.update(headers)
    return response


def _decode(outcome: QueryOutcome) -> Any:
    """The executor's serialised result as pyoxigraph objects again (rows, boolean or triples)."""
    if outcome.kind == "graph":
        return [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in ox.parse(outcome.body, format=ox.RdfFormat.N_TRIPLES)
        ]
    body = outcome.body
    # A cut JSON result carries a top-level "truncated" member after the bindings (see
    # kg.executor), which Oxigraph's parser refuses: the rows are re-read without it.
    if outcome.truncated and body.endswith(_TRUNCATED):
        body = body[: -len(_TRUNCATED)] + b"}"
    return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)


_TRUNCATED = b',"truncated":true}'


@router.get(
    "/.well-known/sparql-examples",
    summary="The named queries as SPARQL examples (SHACL SPARQLExecutable)",
    responses={200: {"content": {m: {} for m in GRAPH_OFFERED}}},
)
def well_known_examples(
    request: Request,
    *,
    format: str | None = Query(None, description="ttl, jsonld, nt or rdf; overrides Accept."),
    catalogue: CatalogueDep,
    settings: SettingsDep,
) -> Response:
    """One ``sh:SPARQLExecutable`` per named query, targeting this service's SPARQL endpoint."""
    media = negotiated(request, GRAPH_OFFERED, format)
    return rdf_response(request, sparql_examples(catalogue, settings.base_iri), media)


def sparql_examples(catalogue: dict[str, NamedQuery], base_iri: str) -> list[ox.Triple]:
    """The catalogue as SHACL SPARQL executables, one per query, IRIs ``{base}queries/{name}``."""
    triples: list[ox.Triple] = []
    endpoint = ox.NamedNode(f"{base_iri}sparql")
    for query in catalogue.values():
        example = ox.NamedNode(f"{base_iri}queries/{query.name}")
        kind, key = _EXECUTABLE.get(query.form, _EXECUTABLE["SELECT"])

        def add(predicate: str, obj: ox.NamedNode | ox.Literal, example: ox.NamedNode = example) -> None:
            triples.append(ox.Triple(example, ox.NamedNode(predicate), obj))

        add(_RDF + "type", ox.NamedNode(_SH + "SPARQLExecutable"))
        add(_RDF + "type", ox.NamedNode(_SH + kind))
        add(_RDFS + "label", ox.Literal(query.summary, language="en"))
        comment = query.description or query.summary
        if query.params:
            comment += "\n\nParameters: " + "; ".join(
                f"?{p.name} ({p.type}{', default ' + p.default if p.default else ''})" for p in query.params
            )
        add(_RDFS + "comment", ox.Literal(comment, language="en"))
        add(_SH + key, ox.Literal(_body(query.sparql)))
        add(_SCHEMA + "target", endpoint)
        for tag in query.tags:
            add(_SCHEMA + "keywords", ox.Literal(tag))
    return triples


def _body(sparql: str) -> str:
    """The query without its ``#+`` metadata header."""
    return "\n".join(line for line in sparql.splitlines() if not line.startswith("#+")).strip() + "\n"


def _parameters(request: Request) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in RESERVED:
            continue
        if key in values:
            raise InputError(f"parameter {key!r} is given more than once")
        values[key] = value
    return values


def _query_page(
    request: Request, query: NamedQuery, values: dict[str, str], result: Any, base: str
) -> dict[str, Any]:
    page: dict[str, Any] = {
        "title": query.summary,
        "query": _info(request, query),
        "values": values,
        "sparql": _body(query.sparql),
        "variables": [],
        "rows": [],
        "boolean": None,
        "ran": result is not None,
        "formats": [],
    }
    if result is None:
        return page
    suffixes = (
        ["ttl", "jsonld", "nt", "rdf"]
        if query.form in ("CONSTRUCT", "DESCRIBE")
        else ["json", "xml", "csv", "tsv"]
    )
    page["formats"] = [(s, str(request.url.include_query_params(format=s))) for s in suffixes]
    if isinstance(result, ox.QueryBoolean):
        page["boolean"] = bool(result)
    elif isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        page["variables"] = variables
        page["rows"] = [[term_view(solution[v], base) for v in variables] for solution in result]
    else:
        page["variables"] = ["subject", "predicate", "object"]
        page["rows"] = [
            [term_view(t.subject, base), term_view(t.predicate, base), term_view(t.object, base)]
            for t in result
        ]
    return page
