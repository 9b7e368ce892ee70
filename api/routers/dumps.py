"""Dumps of the whole dataset, and its VoID description.

A dump is written once per store version and format to a cache file, then streamed from disk
(:class:`~starlette.responses.FileResponse` sends it in chunks), so no request builds the body
in memory and concurrent downloads share one file. The cache sits beside the store
(``<store>.dumps/``) when that is writable, else in a temporary directory; files of older
versions are removed when a new version is dumped. Each file is written under a temporary
name and renamed into place, so a reader never sees half a dump.

Each dump file has a gzip copy beside it, written with it: a client that accepts gzip
(``Accept-Encoding``) gets the copy as ``Content-Encoding: gzip``, a tenth of the bytes to send
for N-Quads. The file is written by a child process at lower CPU priority
(:func:`kg.export.write_dump_files`), so that the server goes on answering while a large store
is dumped (docs/decisions/0011-interactive-before-heavy.md).

Responses carry a strong ``ETag`` (store version + format, plus ``-gzip`` for the compressed
copy: the two are different bytes), ``Vary: Accept-Encoding`` and ``Last-Modified`` (build
time), and answer ``304 Not Modified`` to a matching ``If-None-Match`` (or, without one, an
``If-Modified-Since`` no older than the build).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response

from api.middleware import built_at, not_modified
from api.routers.home import SettingsDep, StoreDep, TermView, negotiated, render, term_view
from api.routers.linked_data import OFFERED, curie_view, rdf_response
from api.settings import ApiSettings
from kg.describe import display_label, labels
from kg.errors import NotFound
from kg.export import GZIP_SUFFIX, write_dump_files
from kg.store import Store
from kg.void import void_description

__all__ = ["DUMPS", "DumpCache", "accepts_gzip", "router"]


@dataclass(frozen=True)
class Dump:
    """One dump format: its file suffix, media type and RDF syntax."""

    suffix: str
    media_type: str
    format: ox.RdfFormat
    note: str


DUMPS: dict[str, Dump] = {
    "nq": Dump("nq", "application/n-quads", ox.RdfFormat.N_QUADS, "every named graph, one quad a line"),
    "trig": Dump("trig", "application/trig", ox.RdfFormat.TRIG, "every named graph"),
    "ttl": Dump("ttl", "text/turtle", ox.RdfFormat.TURTLE, "the union of the named graphs"),
    "nt": Dump("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, "the union, one triple a line"),
    "jsonld": Dump(
        "jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, "every named graph (expanded JSON-LD)"
    ),
}
# The dumps the VoID description lists.
LISTED = ("nq", "ttl", "jsonld")

router = APIRouter(tags=["dumps and metadata"])


@dataclass
class DumpCache:
    """Dump files per store version, written once and served from disk."""

    directory: Path
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def path(self, store: Store, dump: Dump, gzipped: bool = False) -> Path:
        """The dump of ``store`` in ``dump``'s format (its gzip copy if ``gzipped``), both
        written first if they are not there yet."""
        target = self.directory / f"lskg-{_safe(store.version)}.{dump.suffix}"
        chosen = target.with_name(target.name + GZIP_SUFFIX) if gzipped else target
        # The copy is renamed into place before the dump: where the dump is, the copy is too.
        if target.is_file():
            return chosen
        with self._lock:
            if target.is_file():
                return chosen
            self.directory.mkdir(parents=True, exist_ok=True)
            write_dump_files(store, target, dump.format)
            self._prune(keep=_safe(store.version))
        return chosen

    def _prune(self, keep: str) -> None:
        for old in self.directory.glob("lskg-*.*"):
            if not old.name.startswith(f"lskg-{keep}."):
                with contextlib.suppress(OSError):
                    old.unlink()


def get_dump_cache(request: Request, store: StoreDep) -> DumpCache:
    """The app's dump cache, created on first use (beside the store, else in a temp directory)."""
    cache: DumpCache | None = getattr(request.app.state, "dump_cache", None)
    if cache is None:
        cache = DumpCache(_cache_directory(store))
        request.app.state.dump_cache = cache
    return cache


CacheDep = Annotated[DumpCache, Depends(get_dump_cache)]


@router.head("/dump.{ext}", include_in_schema=False)
@router.get(
    "/dump.{ext}",
    summary="Download the whole dataset",
    response_description="The dataset in the requested syntax, streamed from a cache file.",
)
def dump(
    request: Request,
    *,
    ext: str,
    store: StoreDep,
    cache: CacheDep,
) -> Response:
    """The whole dataset: ``.nq`` and ``.trig`` keep the named graphs, ``.ttl`` and ``.nt`` are
    their union, ``.jsonld`` is expanded JSON-LD with the named graphs."""
    chosen = DUMPS.get(ext)
    if chosen is None:
        raise NotFound(f"no dump /dump.{ext}; there are: {', '.join('/dump.' + s for s in DUMPS)}")
    gzipped = accepts_gzip(request.headers.get("accept-encoding"))
    etag = f'"{_safe(store.version)}-{chosen.suffix}{"-gzip" if gzipped else ""}"'
    modified = built_at(store)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300", "Vary": "Accept-Encoding"}
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    if not_modified(request.headers, etag, modified):
        return Response(status_code=304, headers=headers)
    path = cache.path(store, chosen, gzipped)
    if modified is None:
        headers["Last-Modified"] = format_datetime(
            datetime.fromtimestamp(int(path.stat().st_mtime), tz=UTC), usegmt=True
        )
    return _DumpFile(path, media_type=chosen.media_type, headers=headers, filename=f"lskg.{chosen.suffix}")


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` value accepts gzip (by name or ``*``, with q above 0).

    Examples
    --------
    >>> accepts_gzip("gzip, deflate"), accepts_gzip("br;q=1.0, *;q=0.5"), accepts_gzip(None)
    (True, True, False)
    >>> accepts_gzip("gzip;q=0, *"), accepts_gzip("identity")
    (False, False)
    """
    weights: dict[str, float] = {}
    for item in (accept_encoding or "").split(","):
        name, _, params = item.partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if name.strip():
            weights[name.strip().lower()] = weight
    for name in ("gzip", "x-gzip"):
        if name in weights:
            return weights[name] > 0
    return weights.get("*", 0.0) > 0


class _DumpFile(FileResponse):
    """A file response in 1 MiB chunks: each chunk is a read in a worker thread and a write on
    the event loop, so larger chunks mean fewer hops for a dump of hundreds of megabytes."""

    chunk_size = 1024 * 1024


@router.get("/.well-known/void", summary="VoID description of the dataset")
def well_known_void(
    request: Request,
    *,
    format: str | None = Query(None, description="ttl, jsonld, nt, rdf or html; overrides Accept."),
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """The dataset's VoID description: counts, class and property partitions, dumps, endpoint."""
    return _void(request, format, settings, store)


@router.get("/dataset", summary="The dataset (its VoID description)")
def dataset(
    request: Request,
    *,
    format: str | None = Query(None, description="ttl, jsonld, nt, rdf or html; overrides Accept."),
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """``{base}dataset`` dereferenced: the same description as ``/.well-known/void``."""
    return _void(request, format, settings, store)


@router.get("/dataset.{ext}", include_in_schema=False)
def dataset_file(
    request: Request,
    *,
    ext: str,
    settings: SettingsDep,
    store: StoreDep,
) -> Response:
    """``/dataset.ttl`` and the other suffixes."""
    return _void(request, ext, settings, store)


def _void(request: Request, fmt: str | None, settings: ApiSettings, store: Store) -> Response:
    media = negotiated(request, OFFERED, fmt)
    base = settings.base_iri
    # Counting scans the whole store: do it once per store version.
    key = (store.version, base)
    cached: tuple[tuple[str, str], list[ox.Triple]] | None = getattr(request.app.state, "void_cache", None)
    if cached is not None and cached[0] == key:
        triples = cached[1]
    else:
        triples = void_description(
            store,
            base,
            endpoint=f"{base}sparql",
            dumps={DUMPS[s].media_type: f"{base}dump.{s}" for s in LISTED},
        )
        request.app.state.void_cache = (key, triples)
    if media != "text/html":
        return rdf_response(request, triples, media)
    return render(request, "dataset.html", _dataset_page(store, triples, base))


def _dataset_page(store: Store, triples: list[ox.Triple], base: str) -> dict[str, Any]:
    void = "http://rdfs.org/ns/void#"
    dataset = f"{base}dataset"
    props: dict[str, list[Any]] = {}
    partitions: dict[str, dict[str, Any]] = {}
    subsets: dict[str, int] = {}
    for t in triples:
        subject = str(t.subject.value) if not isinstance(t.subject, ox.Triple) else ""
        if subject == dataset:
            props.setdefault(t.predicate.value, []).append(t.object)
        elif isinstance(t.subject, ox.BlankNode):
            partitions.setdefault(subject, {})[t.predicate.value] = t.object
        elif t.predicate.value == void + "triples" and isinstance(t.object, ox.Literal):
            subsets[subject] = int(t.object.value)

    def first_int(name: str) -> int:
        values = props.get(void + name, [])
        return int(values[0].value) if values else 0

    def views(name: str) -> list[TermView]:
        terms = sorted(props.get(name, []), key=str)
        names = {t.value: labels(store, t.value) for t in terms if isinstance(t, ox.NamedNode)}
        return [term_view(t, base, names) for t in terms]

    titles: dict[str, list[str]] = {}
    for title in props.get("http://purl.org/dc/terms/title", []):
        titles.setdefault(title.language or "", []).append(title.value)
    classes = sorted(
        (p for p in partitions.values() if void + "class" in p),
        key=lambda p: -int(p[void + "entities"].value),
    )
    properties = sorted(
        (p for p in partitions.values() if void + "property" in p),
        key=lambda p: -int(p[void + "triples"].value),
    )
    return {
        "title": "Dataset",
        "iri": dataset,
        "label_en": display_label(titles, "en"),
        "label_sv": display_label({"sv": titles.get("sv", [])}),
        "triples": first_int("triples"),
        "entities": first_int("entities"),
        "uri_space": f"{base}id/",
        "licence_links": views("http://purl.org/dc/terms/license"),
        "endpoints": views(void + "sparqlEndpoint"),
        "dumps": views(void + "dataDump"),
        "examples": views(void + "exampleResource"),
        "sources": views("http://purl.org/dc/terms/source"),
        "graphs": [
            {"graph": term_view(ox.NamedNode(g), base), "triples": n} for g, n in sorted(subsets.items())
        ],
        "classes": [
            {"term": curie_view(p[void + "class"], base), "count": p[void + "entities"].value}
            for p in classes
        ],
        "properties": [
            {"term": curie_view(p[void + "property"], base), "count": p[void + "triples"].value}
            for p in properties
        ],
    }


def _cache_directory(store: Store) -> Path:
    path = getattr(store, "path", None)
    if path is not None:
        builds = Path(path).parent
        candidate = builds.parent / (builds.name.removesuffix(".builds") + ".dumps")
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            if os.access(candidate, os.W_OK):
                return candidate
        except OSError:
            pass
    return Path(tempfile.mkdtemp(prefix="lskg-dumps-"))


def _safe(version: str) -> str:
    return "".join(c for c in version if c.isalnum() or c in "-_")[:64] or "unknown"
