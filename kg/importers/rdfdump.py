"""Import a large RDF dump (N-Triples, N-Quads, Turtle, TriG; gzipped or not) by streaming it.

``lskg import registry.nt.gz --source https://example.org/registry`` puts every triple of the
file into one named graph, ``{base}graph/dump-<name>``, without ever holding the file in memory:

- embedded store: the new build starts as a copy of the current one (``Store.backup``, hard
  links; when the graph is being replaced, the other graphs are copied instead), the file is
  parsed by pyoxigraph and written with ``Store.bulk_extend`` in chunks of
  :data:`CHUNK_TRIPLES` triples, each chunk into the dump's graph and into the union default
  graph. The new build is validated (:func:`kg.validate.validate_store`; over its union default
  graph when it holds no other dump, else by :func:`validate_dump`), then its manifest is
  written and the store link swapped (:func:`kg.build.swap_build`), as ``lskg build`` does;
- remote store: :func:`kg.remote.import_dump_remote` streams the same chunks into a staging
  graph, validates a local copy and ``ADD``s the staging graph into place.

Quads of N-Quads and TriG files land in the dump's graph too (their graph names are not kept):
one import is one graph, replaced as a whole when the same name is imported again. Blank nodes
are renamed at parse time, so two dumps never share one by accident.

Provenance is graph-level (no statement per triple, which would multiply a dump's size by
five): ``{graph}/provenance`` describes the file as an ``lskg:SourceDocument`` (title,
file name, ``sha256:…`` checksum), the ``lskg:Excerpt`` covering its lines 1–N, the web
source (with ``--source URL``, and the date of the import), and says that the graph
``prov:wasDerivedFrom`` them.

Examples
--------
>>> dump_format(Path("ror-data.nt.gz"))
<RdfFormat N-Triples>
>>> dump_format(Path("people.csv")) is None
True
"""

from __future__ import annotations

import datetime as dt
import gc
import gzip
import hashlib
import itertools
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.build import (
    DCTERMS,
    PROV,
    RDF,
    XSD,
    build_lock,
    content_version,
    copy_graphs,
    finish_build,
    graph_iri,
    stored_input_version,
    swap_build,
)
from kg.config import Settings
from kg.errors import InputError, ValidationFailed
from kg.importers.identifiers import is_slug, slugify
from kg.remote import is_remote
from kg.store import current_build, read_manifest, with_union_default_graph
from kg.validate import ValidationReport
from kg.vocab import LSKG

__all__ = [
    "CHUNK_TRIPLES",
    "CONTEXT_GRAPH",
    "DUMP_FORMATS",
    "DumpFile",
    "DumpImport",
    "dump_format",
    "dump_graph",
    "import_dump",
    "inspect_dump",
    "other_dumps",
    "provenance_quads",
    "read_triples",
    "validate_dump",
    "validation_scope",
]

DUMP_FORMATS = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
}
# Triples per Store.bulk_extend (and per remote request): bounds the memory of an import at a
# few hundred MB whatever the file's size (pyoxigraph's own bulk_load batches a million quads
# per thread and peaks near 1 GB; see benchmarks/results/bulk_load.md).
CHUNK_TRIPLES = 100_000
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
# Where the curated graphs are copied for validating a dump (removed before the swap).
CONTEXT_GRAPH = "urn:lskg:dump-import:validation-context"
SCHEMA_URL = "https://schema.org/url"


def dump_format(path: Path) -> ox.RdfFormat | None:
    """The RDF format of a dump by its suffix (``.nt``, ``.nq``, ``.ttl``, ``.trig``, each
    optionally followed by ``.gz``), or ``None``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return DUMP_FORMATS.get(suffixes[-1]) if suffixes else None


def dump_graph(base_iri: str, name: str) -> str:
    """The graph of the dump imported under ``name``.

    Examples
    --------
    >>> dump_graph("https://w3id.org/lskg/", "ror")
    'https://w3id.org/lskg/graph/dump-ror'
    """
    return graph_iri(base_iri, f"dump-{name}")


@dataclass(frozen=True)
class DumpFile:
    """A dump file as imported: where from, its checksum and how many lines it has."""

    path: Path
    format: ox.RdfFormat
    sha256: str
    lines: int
    size: int
    title: str
    url: str | None
    imported: dt.date

    @property
    def gzipped(self) -> bool:
        """Whether the file is gzip-compressed (read through :mod:`gzip`)."""
        return self.path.suffix.lower() == ".gz"

    def as_dict(self) -> dict[str, Any]:
        """The file's description as JSON-ready data (kept in the build's manifest)."""
        return {
            "file": self.path.name,
            "format": self.format.name,
            "sha256": self.sha256,
            "lines": self.lines,
            "bytes": self.size,
            "title": self.title,
            "url": self.url,
            "imported": self.imported.isoformat(),
        }


def _open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def inspect_dump(path: Path, *, source: str | None = None, today: dt.date | None = None) -> DumpFile:
    """Read ``path`` once, in blocks: its sha256 (of the file as stored) and its line count.

    ``source`` is the dump's address (``http(s)://…``) or its title (default: the file name).
    Raises :class:`~kg.errors.InputError` for a missing file, an unknown suffix or a broken
    gzip stream.
    """
    fmt = dump_format(path)
    if fmt is None:
        raise InputError(f"{path}: not an RDF dump; use .nt, .nq, .ttl or .trig (optionally .gz)")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    digest = hashlib.sha256()
    with open(path, "rb") as raw:
        for block in iter(lambda: raw.read(1 << 20), b""):
            digest.update(block)
    lines, last = 0, b"\n"
    try:
        with _open(path) as text:
            for block in iter(lambda: text.read(1 << 20), b""):
                lines += block.count(b"\n")
                last = block[-1:]
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from exc
    if last != b"\n":
        lines += 1
    url = source if source and source.startswith(("http://", "https://")) else None
    title = (None if url else source) or path.name
    return DumpFile(
        path, fmt, digest.hexdigest(), lines, path.stat().st_size, title, url, today or dt.date.today()
    )


def read_triples(
    dump: DumpFile, base_iri: str, progress: Callable[[int], None] | None = None
) -> Iterator[list[ox.Triple]]:
    """The triples of the dump in lists of at most :data:`CHUNK_TRIPLES`, parsed as they are
    read. A syntax error raises :class:`~kg.errors.InputError` naming the file, line and column
    (after the chunks before it were yielded: the caller discards what it wrote).
    ``progress`` is called with the number of triples read so far after each chunk."""
    stream = _open(dump.path)
    read = 0
    try:
        quads = ox.parse(stream, format=dump.format, base_iri=base_iri, rename_blank_nodes=True)
        while True:
            chunk = [q.triple for q in itertools.islice(quads, CHUNK_TRIPLES)]
            if not chunk:
                return
            yield chunk
            read += len(chunk)
            if progress is not None:
                progress(read)
    except SyntaxError as exc:
        where = f" line {exc.lineno}, column {exc.offset}" if exc.lineno else ""
        detail = str(exc.msg).split(": ", 1)[-1]
        raise InputError(f"{dump.path.name}: syntax error at{where}: {detail}; nothing was imported") from exc
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise InputError(f"{dump.path.name}: cannot read ({exc}); nothing was imported") from exc
    finally:
        stream.close()


def provenance_quads(dump: DumpFile, base_iri: str, name: str) -> list[ox.Quad]:
    """The graph-level provenance of the dump, in ``{graph}/provenance`` (module docstring)."""
    graph = dump_graph(base_iri, name)
    prov = ox.NamedNode(graph + "/provenance")
    doc = ox.NamedNode(f"{base_iri}id/source/dump-{name}")
    excerpt = ox.NamedNode(f"{base_iri}id/excerpt/dump-{name}/L1-{dump.lines}")
    date = ox.Literal(dump.imported.isoformat(), datatype=ox.NamedNode(XSD + "date"))

    def q(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(s, ox.NamedNode(p), o, prov)

    def integer(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))

    quads = [
        q(doc, RDF + "type", LSKG.SourceDocument),
        q(doc, RDFS_LABEL, ox.Literal(dump.title, language="en")),
        q(doc, LSKG.NS + "fileName", ox.Literal(dump.path.name)),
        q(doc, DCTERMS + "identifier", ox.Literal(f"sha256:{dump.sha256}")),
        q(excerpt, RDF + "type", LSKG.Excerpt),
        q(excerpt, DCTERMS + "isPartOf", doc),
        q(excerpt, LSKG.NS + "startLine", integer(1)),
        q(excerpt, LSKG.NS + "endLine", integer(max(dump.lines, 1))),
        q(ox.NamedNode(graph), PROV + "wasDerivedFrom", excerpt),
        q(ox.NamedNode(graph), DCTERMS + "created", date),
    ]
    if dump.url:
        web = ox.NamedNode(f"{base_iri}id/websource/dump-{name}")
        quads += [
            q(web, RDF + "type", LSKG.WebSource),
            q(web, RDFS_LABEL, ox.Literal(dump.title if dump.title != dump.path.name else dump.url)),
            q(web, SCHEMA_URL, ox.NamedNode(dump.url)),
            q(web, DCTERMS + "date", date),
            q(ox.NamedNode(graph), PROV + "wasDerivedFrom", web),
        ]
    return quads


@dataclass
class DumpImport:
    """What an RDF dump import did (or, with ``dry_run``, would do)."""

    dump: DumpFile
    name: str
    graph: str
    triples: int
    replaced: bool
    dry_run: bool
    report: ValidationReport
    location: str
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return {
            "name": self.name,
            "graph": self.graph,
            "triples": self.triples,
            "replaced": self.replaced,
            "dry_run": self.dry_run,
            "written": not self.dry_run,
            "store": self.location,
            "warnings": len(self.report.warnings),
            "seconds": round(self.seconds, 3),
            "source": self.dump.as_dict(),
            "notes": self.notes,
        }


def import_dump(
    settings: Settings,
    path: Path,
    *,
    name: str | None = None,
    source: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> DumpImport:
    """Stream the RDF dump at ``path`` into the graph ``{base}graph/dump-<name>`` of the store.

    ``name`` defaults to the file name without its suffixes; importing the same name again
    replaces the graph. Raises :class:`~kg.errors.InputError` (nothing changed) on an
    unreadable file or a syntax error, :class:`~kg.errors.ValidationFailed` with the report
    (nothing changed) on a SHACL Violation. ``progress`` is called with the triples read so
    far after each chunk of :data:`CHUNK_TRIPLES`.
    """
    started = time.perf_counter()
    slug = slugify(name or path.name.split(".")[0])
    if not is_slug(slug):
        raise InputError(f"--name {name or path.name!r} has no letters or digits")
    dump = inspect_dump(path, source=source, today=today)
    if is_remote(settings.store):
        from kg.remote import RemoteSparqlStore, import_dump_remote

        store = RemoteSparqlStore.from_settings(settings)
        result = import_dump_remote(store, dump, slug, dry_run=dry_run, progress=progress)
    else:
        result = _import_embedded(settings, dump, slug, dry_run=dry_run, progress=progress)
    result.seconds = time.perf_counter() - started
    return result


def _import_embedded(
    settings: Settings,
    dump: DumpFile,
    name: str,
    *,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
) -> DumpImport:
    base = settings.base_iri
    graph = dump_graph(base, name)
    provenance = graph + "/provenance"
    store_path = settings.store_path
    with build_lock(store_path):
        current = current_build(store_path)
        if current is None:
            raise InputError(f"no lskg store at {store_path}; run `lskg build` before importing a dump")
        previous = read_manifest(current)
        builds = store_path.parent / (store_path.name + ".builds")
        build_dir = builds / f"dump-{name}-{time.time_ns()}"
        try:
            triples, report, replaced = _write_dump_build(current, build_dir, dump, base, name, progress)
            if not report.conforms:
                raise ValidationFailed(
                    f"{dump.path.name} does not conform to the shapes: "
                    f"{len(report.violations)} violation(s); nothing was imported",
                    report,
                )
            dumps = {**previous.get("dumps", {}), graph: {**dump.as_dict(), "triples": triples}}
            input_version = stored_input_version(current) or str(previous.get("version"))
            counts = {**previous.get("graphs", {})}
            counts[graph] = triples
            counts[provenance] = len(provenance_quads(dump, base, name))
            manifest = {
                **previous,
                "version": content_version(input_version, dumps),
                "input_version": input_version,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "graphs": counts,
                "dumps": dumps,
                "derived_from": previous.get("version"),
                "warnings": len(report.warnings),
            }
            if dry_run:
                shutil.rmtree(build_dir, ignore_errors=True)
            else:
                finish_build(build_dir, manifest)
                swap_build(store_path, build_dir, current)
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
    return DumpImport(dump, name, graph, triples, replaced, dry_run, report, str(store_path))


def _write_dump_build(
    current: Path,
    build_dir: Path,
    dump: DumpFile,
    base_iri: str,
    name: str,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, ValidationReport, bool]:
    """Write the current build plus the dump into ``build_dir``; validate the dump's graphs."""
    graph = dump_graph(base_iri, name)
    provenance = graph + "/provenance"
    build_dir.mkdir(parents=True)
    old = ox.Store.read_only(str(current / "oxigraph"))
    names = {g.value for g in old.named_graphs() if isinstance(g, ox.NamedNode)}
    replaced = graph in names or provenance in names
    target = str(build_dir / "oxigraph")
    if replaced:
        # The old triples must leave the union default graph too, unless another graph states
        # them: copying the other graphs (and their union) is simpler and as fast as deleting.
        store = ox.Store(target)
        copy_graphs(old, store, sorted(names - {graph, provenance}))
    else:
        old.backup(target)
        store = ox.Store(target)
    del old
    g = ox.NamedNode(graph)
    for chunk in read_triples(dump, base_iri, progress):
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in chunk)
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in chunk)
    records = provenance_quads(dump, base_iri, name)
    store.extend(records)
    store.extend(with_union_default_graph(records))
    store.flush()
    triples = count_graph(store, graph)
    if not other_dumps(base_iri, names, graph):
        # The new build's default graph is the union of its graphs: with no other dump in it,
        # that is exactly the dump with its context, and one graph is read twice as fast as
        # three (benchmarks/results/bulk_load.md).
        from kg.validate import validate_store

        report = validate_store(store, union_default_graph=True)
    else:
        context = [
            q
            for other in validation_scope(base_iri, names, graph)
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(other))
        ]
        report = validate_dump(store, graph, context)
        store.remove_graph(ox.NamedNode(CONTEXT_GRAPH))
        store.flush()
    del store
    gc.collect()
    return triples, report, replaced


def validation_scope(base_iri: str, graphs: Iterable[str], graph: str) -> list[str]:
    """The graphs a dump is validated with besides its own two: every graph that is not a dump
    (the curated data, sheet imports, ontology, VoID). Other dumps stay out, so the cost of an
    import does not grow with the dumps imported before it."""
    prefix = dump_graph(base_iri, "")
    return sorted(g for g in graphs if not g.startswith(prefix) and not g.endswith("/shapes"))


def other_dumps(base_iri: str, graphs: Iterable[str], graph: str) -> list[str]:
    """The graphs of dumps other than ``graph`` (and its provenance) among ``graphs``."""
    prefix = dump_graph(base_iri, "")
    return sorted(g for g in graphs if g.startswith(prefix) and g not in (graph, graph + "/provenance"))


def validate_dump(store: ox.Store, graph: str, context: Iterable[ox.Quad]) -> ValidationReport:
    """Validate the dump's graph and provenance with ``context`` (the quads of
    :func:`validation_scope`) by :func:`kg.validate.validate_store`.

    The context is copied into one graph, :data:`CONTEXT_GRAPH`, which the caller removes:
    Oxigraph evaluates the validation queries over three graphs about twenty times faster than
    over the thirty-odd graphs of the curated data (measured on a 200k-triple dump, 27 s
    against 775 s; benchmarks/results/bulk_load.md), and over one graph twice as fast again,
    which is why an import into a build without other dumps reads its union default graph
    instead (docs/decisions/0010-streaming-import-speed.md).
    """
    from kg.validate import validate_store

    node = ox.NamedNode(CONTEXT_GRAPH)
    batch: list[ox.Quad] = []
    for q in context:
        batch.append(ox.Quad(q.subject, q.predicate, q.object, node))
        if len(batch) >= CHUNK_TRIPLES:
            store.bulk_extend(batch)
            batch = []
    store.bulk_extend(batch)
    return validate_store(store, [graph, graph + "/provenance", CONTEXT_GRAPH])


def count_graph(store: ox.Store, graph: str) -> int:
    """The triples of one named graph of ``store`` (counted by Oxigraph, not in Python)."""
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, ox.QuerySolutions)
    row = next(iter(result))
    value = row["n"]
    return int(value.value) if value is not None else 0
