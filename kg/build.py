"""Build the graph: parse ``ontology/`` and ``data/``, validate, load a new store, swap it in.

Data files are TriG. Each named graph in a data file is a *provenance record*: an
``lskg:Excerpt`` (a line range of a source document) or an ``lskg:WebSource`` (a page with its
address and the date it was read), described in the file's default graph. The build turns
them into the store layout (docs/decisions/0002-provenance.md):

- ``{base}graph/{file}``: every fact of the file, in one named graph per source file;
- ``{base}graph/{file}/provenance``: the records, and one ``rdf:Statement`` per fact with
  ``prov:wasDerivedFrom`` each record that states it;
- ``{base}graph/ontology``, ``{base}graph/shapes`` and ``{base}graph/meta`` (VoID).

The build is atomic: it writes a new store directory beside the old one and repoints the
store symlink in one ``rename``; a crash or kill at any point leaves the previous store as it
was. Unchanged input (same files, same base IRI, same lskg version) is not rebuilt.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import __version__
from kg.config import Settings
from kg.errors import InputError, ValidationFailed
from kg.paths import resource_dir
from kg.store import MANIFEST, current_build, with_union_default_graph
from kg.validate import (
    ENGINES,
    ValidationReport,
    load_ontology,
    load_shapes,
    to_rdflib,
    validate_graph,
    validate_store,
)
from kg.vocab import LSKG

__all__ = [
    "BuildResult",
    "SourceGraph",
    "assemble",
    "build",
    "build_lock",
    "content_version",
    "copy_graphs",
    "finish_build",
    "graph_iri",
    "input_files",
    "input_version",
    "parse_rdf_file",
    "read_source",
    "stored_input_version",
    "swap_build",
    "validate_assembled",
    "validate_quads",
    "write_build",
]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode(RDF + "type")
PROVENANCE_CLASSES = {LSKG.Excerpt, LSKG.WebSource}
_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def graph_iri(base_iri: str, name: str) -> str:
    """The IRI of a named graph of the store.

    Examples
    --------
    >>> graph_iri("https://w3id.org/lskg/", "s000-life-science-office")
    'https://w3id.org/lskg/graph/s000-life-science-office'
    """
    return f"{base_iri}graph/{name}"


def parse_rdf_file(path: Path, base_iri: str = "https://w3id.org/lskg/") -> list[ox.Quad]:
    """Parse a Turtle, TriG, N-Triples, N-Quads or JSON-LD file into quads.

    Raises :class:`~kg.errors.InputError` naming the file, line and column on a syntax error,
    and naming the file when it is missing or its suffix is not an RDF format.
    """
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown RDF format {path.suffix!r}; use one of {', '.join(_FORMATS)}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        return list(ox.parse(path=str(path), format=fmt, base_iri=base_iri))
    except SyntaxError as exc:
        where = f":{exc.lineno}:{exc.offset}" if exc.lineno else ""
        raise InputError(f"{path}{where}: {exc.msg}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc


@dataclass
class SourceGraph:
    """The facts of one data file, each with the provenance records that state it."""

    name: str
    path: Path
    graph: str
    facts: dict[ox.Triple, list[ox.NamedNode]] = field(default_factory=dict)
    records: list[ox.Triple] = field(default_factory=list)


def read_source(path: Path, base_iri: str) -> SourceGraph:
    """Parse one data file and check its provenance layout.

    Every named graph must be described in the default graph as an ``lskg:Excerpt`` or
    ``lskg:WebSource``; the default graph may describe nothing else; blank nodes are refused
    (IRIs must be persistent) and so is any literal holding an e-mail address.
    """
    quads = parse_rdf_file(path, base_iri)
    source = SourceGraph(path.stem, path, graph_iri(base_iri, path.stem))
    described: set[ox.NamedNode] = set()
    default: list[ox.Triple] = []
    for quad in quads:
        _refuse_blank_nodes_and_emails(path, quad)
        if isinstance(quad.graph_name, ox.DefaultGraph):
            default.append(quad.triple)
            if quad.predicate == RDF_TYPE and quad.object in PROVENANCE_CLASSES:
                assert isinstance(quad.subject, ox.NamedNode)
                described.add(quad.subject)
        else:
            assert isinstance(quad.graph_name, ox.NamedNode)
            source.facts.setdefault(quad.triple, []).append(quad.graph_name)
    for triple in default:
        if triple.subject not in described:
            raise InputError(
                f"{path}: <{_value(triple.subject)}> is described outside a provenance graph; "
                "put facts inside a graph named after the excerpt or web source that states them"
            )
    missing = {g for records in source.facts.values() for g in records} - described
    if missing:
        names = ", ".join(sorted(f"<{g.value}>" for g in missing))
        raise InputError(
            f"{path}: graph(s) {names} have no provenance description "
            "(declare each as lskg:Excerpt or lskg:WebSource in the default graph)"
        )
    source.records = default
    for records in source.facts.values():
        records.sort(key=lambda n: n.value)
    return source


def _value(term: object) -> str:
    return str(getattr(term, "value", term))


def _refuse_blank_nodes_and_emails(path: Path, quad: ox.Quad) -> None:
    for term in (quad.subject, quad.object):
        if isinstance(term, ox.BlankNode):
            raise InputError(
                f"{path}: blank node in <{_value(quad.subject)}> <{quad.predicate.value}>; "
                "give every resource a persistent IRI"
            )
    if isinstance(quad.object, ox.Literal) and _EMAIL.search(quad.object.value):
        raise InputError(
            f"{path}: <{_value(quad.subject)}> <{quad.predicate.value}> holds an e-mail address; "
            "personal contact details are never stored"
        )


def statement_iri(base_iri: str, triple: ox.Triple) -> ox.NamedNode:
    """A stable IRI for the reification of ``triple`` (same triple, same IRI, every build)."""
    digest = hashlib.sha256(str(triple).encode("utf-8")).hexdigest()[:24]
    return ox.NamedNode(f"{base_iri}id/statement/{digest}")


def provenance_quads(source: SourceGraph, base_iri: str) -> Iterator[ox.Quad]:
    """The records and one reified statement per fact, in the source's provenance graph."""
    graph = ox.NamedNode(source.graph + "/provenance")
    for triple in source.records:
        yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)
    statement_type = ox.NamedNode(RDF + "Statement")
    derived = ox.NamedNode(PROV + "wasDerivedFrom")
    for triple, records in source.facts.items():
        st = statement_iri(base_iri, triple)
        yield ox.Quad(st, RDF_TYPE, statement_type, graph)
        yield ox.Quad(st, ox.NamedNode(RDF + "subject"), triple.subject, graph)
        yield ox.Quad(st, ox.NamedNode(RDF + "predicate"), triple.predicate, graph)
        yield ox.Quad(st, ox.NamedNode(RDF + "object"), triple.object, graph)
        for record in records:
            yield ox.Quad(st, derived, record, graph)


def stable_blank_nodes(quads: list[ox.Quad], prefix: str) -> list[ox.Quad]:
    """Relabel blank nodes by order of first appearance, so that rebuilding the same file
    gives the same dataset (the parser labels anonymous nodes at random)."""
    labels: dict[ox.BlankNode, ox.BlankNode] = {}

    def relabel(
        term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
    ) -> ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple:
        if isinstance(term, ox.BlankNode):
            return labels.setdefault(term, ox.BlankNode(f"{prefix}{len(labels)}"))
        return term

    return [ox.Quad(relabel(q.subject), q.predicate, relabel(q.object), q.graph_name) for q in quads]  # type: ignore[arg-type]


@dataclass
class Assembled:
    """Everything a build loads: quads per named graph, and the sources they came from."""

    graphs: dict[str, list[ox.Quad]]
    sources: list[SourceGraph]


def data_files(data_dir: Path) -> list[Path]:
    """The data files of a build: every ``*.trig`` directly in ``data_dir``, sorted."""
    return sorted(p for p in data_dir.glob("*.trig") if p.is_file())


def input_files(data_dir: Path, extra_dirs: Sequence[Path] = ()) -> list[Path]:
    """The data files of ``data_dir`` followed by those of each extra directory (``lskg import``
    writes one there per imported sheet). An extra directory that does not exist yet holds no
    files. Each file becomes the graph named after its stem, so stems must be unique."""
    files = data_files(data_dir)
    for extra in extra_dirs:
        if extra.is_dir():
            files += data_files(extra)
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen:
            raise InputError(
                f"{path}: a data file named {path.stem!r} is already read from {seen[path.stem]}; "
                "each file becomes the graph named after it, so file names must be unique"
            )
        seen[path.stem] = path
    return files


def assemble(base_iri: str, data_dir: Path | None = None, *, extra_dirs: Sequence[Path] = ()) -> Assembled:
    """Parse ontology, shapes and data into the quads of each named graph of the store.

    ``extra_dirs`` are further directories of ``*.trig`` files read after ``data_dir`` (the
    imports directory of ``lskg import``), under the same provenance rules.
    """
    data_dir = data_dir or resource_dir("data")
    ontology_dir = resource_dir("ontology")
    graphs: dict[str, list[ox.Quad]] = {}
    for name, filename in (("ontology", "lskg.ttl"), ("shapes", "shapes.ttl")):
        g = ox.NamedNode(graph_iri(base_iri, name))
        quads = stable_blank_nodes(parse_rdf_file(ontology_dir / filename, base_iri), name)
        graphs[g.value] = [ox.Quad(q.subject, q.predicate, q.object, g) for q in quads]
    sources = [read_source(path, base_iri) for path in input_files(data_dir, extra_dirs)]
    if not sources:
        raise InputError(f"{data_dir}: no *.trig data files")
    for source in sources:
        g = ox.NamedNode(source.graph)
        graphs[source.graph] = [ox.Quad(t.subject, t.predicate, t.object, g) for t in source.facts]
        graphs[source.graph + "/provenance"] = list(provenance_quads(source, base_iri))
    graphs = {name: list(dict.fromkeys(quads)) for name, quads in graphs.items()}
    graphs[graph_iri(base_iri, "meta")] = list(_void(base_iri, graphs, sources))
    return Assembled(graphs, sources)


def _void(base_iri: str, graphs: dict[str, list[ox.Quad]], sources: list[SourceGraph]) -> Iterator[ox.Quad]:
    """A VoID/DCTERMS description of the dataset, crediting every source."""
    meta = ox.NamedNode(graph_iri(base_iri, "meta"))
    dataset = ox.NamedNode(f"{base_iri}dataset")

    def q(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(s, ox.NamedNode(p), o, meta)

    yield q(dataset, RDF + "type", ox.NamedNode(VOID + "Dataset"))
    yield q(
        dataset,
        DCTERMS + "title",
        ox.Literal("lskg: the Swedish life-science knowledge graph", language="en"),
    )
    yield q(
        dataset,
        DCTERMS + "title",
        ox.Literal("lskg: kunskapsgraf över svensk life science", language="sv"),
    )
    yield q(dataset, DCTERMS + "license", ox.NamedNode("https://creativecommons.org/licenses/by/4.0/"))
    yield q(dataset, VOID + "uriSpace", ox.Literal(f"{base_iri}id/"))
    yield q(dataset, VOID + "vocabulary", ox.NamedNode(LSKG.NS))
    total = 0
    for name, quads in sorted(graphs.items()):
        subset = ox.NamedNode(name)
        yield q(dataset, VOID + "subset", subset)
        yield q(subset, RDF + "type", ox.NamedNode(VOID + "Dataset"))
        yield q(
            subset,
            VOID + "triples",
            ox.Literal(str(len(quads)), datatype=ox.NamedNode(XSD + "integer")),
        )
        total += len(quads)
    yield q(dataset, VOID + "triples", ox.Literal(str(total), datatype=ox.NamedNode(XSD + "integer")))
    credited: set[ox.NamedNode] = set()
    for source in sources:
        for triple in source.records:
            if triple.predicate.value == DCTERMS + "isPartOf" and isinstance(triple.object, ox.NamedNode):
                credited.add(triple.object)
            if triple.predicate.value == "https://schema.org/url" and isinstance(triple.object, ox.NamedNode):
                credited.add(triple.object)
    for credit in sorted(credited, key=lambda n: n.value):
        yield q(dataset, DCTERMS + "source", credit)


def input_version(base_iri: str, data_dir: Path | None = None, *, extra_dirs: Sequence[Path] = ()) -> str:
    """A hash of everything a build reads: lskg's version, the base IRI and the input files."""
    digest = hashlib.sha256()
    digest.update(f"lskg {__version__}\n{base_iri}\n".encode())
    inputs = [resource_dir("ontology") / "lskg.ttl", resource_dir("ontology") / "shapes.ttl"]
    inputs += input_files(data_dir or resource_dir("data"), extra_dirs)
    for path in inputs:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass
class BuildResult:
    """What a build did, with the figures the CLI prints."""

    version: str
    build_dir: Path
    skipped: bool
    report: ValidationReport | None
    graphs: dict[str, int]
    facts: int
    facts_with_provenance: int
    seconds: float

    @property
    def triples(self) -> int:
        """Quads in the store, over all named graphs."""
        return sum(self.graphs.values())


def build(
    settings: Settings,
    *,
    force: bool = False,
    data_dir: Path | None = None,
    extra_dirs: Sequence[Path] = (),
) -> BuildResult:
    """Build and validate the graph into a new store and swap it in atomically.

    ``extra_dirs`` adds directories of data files read after ``data_dir`` (see :func:`assemble`).

    Raises :class:`~kg.errors.ValidationFailed` (with the report) on any SHACL Violation and
    :class:`~kg.errors.InputError` on unreadable input; in both cases the store is untouched.
    """
    started = time.perf_counter()
    if data_dir is None and settings.data_dir:
        data_dir = Path(settings.data_dir)
    if data_dir is not None and not data_dir.is_dir():
        raise InputError(f"{data_dir}: no such data directory")
    if settings.store.startswith(("sparql+http://", "sparql+https://")):
        from kg.remote import build_remote

        return build_remote(settings, force=force, data_dir=data_dir, extra_dirs=extra_dirs)
    store_path = settings.store_path
    store_path.parent.mkdir(parents=True, exist_ok=True)
    if store_path.exists() and not store_path.is_symlink():
        raise InputError(
            f"{store_path} exists and is not an lskg store link; move it away or pick another --store"
        )
    version = input_version(settings.base_iri, data_dir, extra_dirs=extra_dirs)
    with build_lock(store_path):
        existing = current_build(store_path)
        if existing is not None and not force and stored_input_version(existing) == version:
            manifest = json.loads((existing / MANIFEST).read_text(encoding="utf-8"))
            return BuildResult(
                version,
                existing,
                True,
                None,
                manifest["graphs"],
                manifest["facts"],
                manifest["facts_with_provenance"],
                time.perf_counter() - started,
            )
        assembled = assemble(settings.base_iri, data_dir, extra_dirs=extra_dirs)
        report = validate_assembled(assembled)
        if not report.conforms:
            raise ValidationFailed(
                f"the data does not conform to the shapes: {len(report.violations)} violation(s)",
                report,
            )
        facts = sum(len(s.facts) for s in assembled.sources)
        with_provenance = sum(1 for s in assembled.sources for records in s.facts.values() if records)
        build_dir, counts = _write_and_swap(
            store_path,
            assembled.graphs,
            {"version": version, "facts": facts, "facts_with_provenance": with_provenance},
            report,
        )
    return BuildResult(
        version,
        build_dir,
        False,
        report,
        counts,
        facts,
        with_provenance,
        time.perf_counter() - started,
    )


def validate_assembled(assembled: Assembled, *, engine: str = "sparql") -> ValidationReport:
    """Validate everything a build would load except the shapes themselves."""
    return validate_quads((quad for quads in assembled.graphs.values() for quad in quads), engine=engine)


def validate_quads(quads: Iterable[ox.Quad], *, engine: str = "sparql") -> ValidationReport:
    """Validate the named graphs of a dataset, except its shapes graph, against the shapes.

    The shapes always come from the project's ``ontology/shapes.ttl``, never from the store's
    own shapes graph, so a change to the data cannot weaken the rules it is checked against.
    ``engine`` is ``"sparql"`` (the shapes compiled to SPARQL and run by Oxigraph, see
    :mod:`kg.shacl_sparql`) or ``"pyshacl"`` (the reference, much slower on large graphs);
    both give the same report.
    """
    if engine not in ENGINES:
        raise InputError(f"unknown validation engine {engine!r}; use one of {', '.join(ENGINES)}")
    # Reified statements (one per fact, no shape targets them) would make the validated
    # graph five times larger for nothing.
    validated = [
        quad
        for quad in quads
        if isinstance(quad.graph_name, ox.NamedNode)
        and not quad.graph_name.value.endswith("/shapes")
        and not (isinstance(quad.subject, ox.NamedNode) and "/id/statement/" in quad.subject.value)
    ]
    if engine == "pyshacl":
        return validate_graph(to_rdflib(validated), load_shapes(), load_ontology())
    store = ox.Store()
    store.extend(validated)
    return validate_store(store)


def stored_input_version(build_dir: Path) -> str | None:
    """The input version a build was made from (its ``version``, unless RDF dumps were imported
    into it since: then ``input_version``), or ``None`` for an unreadable manifest."""
    try:
        manifest = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
        return str(manifest.get("input_version", manifest["version"]))
    except (OSError, ValueError, KeyError):
        return None


def content_version(input_version: str, dumps: Mapping[str, Mapping[str, object]]) -> str:
    """The version of a build holding imported RDF dumps: its input version and each dump's
    graph and checksum (a build without dumps keeps its input version)."""
    if not dumps:
        return input_version
    digest = hashlib.sha256(input_version.encode())
    for graph in sorted(dumps):
        digest.update(f"\n{graph} {dumps[graph].get('sha256')}".encode())
    return "dumps-" + digest.hexdigest()


def write_build(
    store_path: Path,
    quads: Iterable[ox.Quad],
    version: str,
    report: ValidationReport,
    manifest: Mapping[str, object] | None = None,
) -> tuple[Path, dict[str, int]]:
    """Write the named-graph ``quads`` as a new build and swap the store link to it.

    The caller holds :func:`build_lock` and has validated the quads (``report``). Quads in the
    default graph are ignored: every build derives its default graph as the union of the named
    graphs. The manifest records ``version``, the quads of each named graph and any
    ``manifest`` fields; the previous build is kept, older ones are removed. Returns the new
    build directory and the quad count of each named graph.
    """
    graphs: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs.setdefault(quad.graph_name.value, []).append(quad)
    return _write_and_swap(store_path, graphs, {"version": version, **(manifest or {})}, report)


def _write_and_swap(
    store_path: Path,
    graphs: Mapping[str, list[ox.Quad]],
    fields: Mapping[str, object],
    report: ValidationReport,
) -> tuple[Path, dict[str, int]]:
    existing = current_build(store_path)
    builds = store_path.parent / (store_path.name + ".builds")
    build_dir = builds / f"{str(fields['version'])[:16]}-{time.time_ns()}"
    try:
        counts = _write_store(build_dir, graphs, fields, report, existing)
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    swap_build(store_path, build_dir, existing)
    return build_dir, counts


def _write_store(
    build_dir: Path,
    graphs: Mapping[str, list[ox.Quad]],
    fields: Mapping[str, object],
    report: ValidationReport,
    previous: Path | None = None,
) -> dict[str, int]:
    build_dir.mkdir(parents=True)
    store = ox.Store(str(build_dir / "oxigraph"))
    # Bulk writes skip the per-call transaction (3x faster); the build directory is new and
    # becomes visible only when the manifest is written and the link swapped.
    for quads in graphs.values():
        _extend_with_union(store, quads)
    # RDF dumps (``lskg import FILE.nt``) are not data files: a rebuild carries their graphs
    # over from the previous build, unless the new quads hold them already (SPARQL Update).
    dumps = _dumps(previous)
    carried = [g for graph in dumps for g in (graph, graph + "/provenance") if g not in graphs]
    if carried and previous is not None:
        copy_graphs(ox.Store.read_only(str(previous / "oxigraph")), store, carried)
    store.flush()
    names = [*graphs, *carried]
    counts = {
        name: sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(name))) for name in names
    }
    del store
    gc.collect()
    version = str(fields["version"])
    manifest = {
        "version": content_version(version, dumps),
        "lskg": __version__,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "graphs": counts,
        **{key: value for key, value in fields.items() if key != "version"},
        "warnings": len(report.warnings),
    }
    if dumps:
        manifest |= {"input_version": version, "dumps": dumps}
    finish_build(build_dir, manifest)
    return counts


def _dumps(build_dir: Path | None) -> dict[str, dict[str, object]]:
    if build_dir is None:
        return {}
    try:
        manifest = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return dict(manifest.get("dumps", {}))


def copy_graphs(source: ox.Store, target: ox.Store, graphs: Iterable[str], *, chunk: int = 100_000) -> int:
    """Copy named ``graphs`` of ``source`` into ``target``, each quad also into its union default
    graph, in bounded chunks (``Store.bulk_extend`` of at most ``chunk`` quads at a time).
    Returns the quads copied."""
    copied = 0
    for name in graphs:
        batch: list[ox.Quad] = []
        for quad in source.quads_for_pattern(None, None, None, ox.NamedNode(name)):
            batch.append(quad)
            if len(batch) >= chunk:
                copied += _extend_with_union(target, batch)
                batch = []
        copied += _extend_with_union(target, batch)
    return copied


def _extend_with_union(target: ox.Store, quads: list[ox.Quad]) -> int:
    if quads:
        target.bulk_extend(quads)
        target.bulk_extend(with_union_default_graph(quads))
    return len(quads)


def finish_build(build_dir: Path, manifest: Mapping[str, object]) -> None:
    """Write the manifest of a build directory whose store is complete and closed.

    The manifest is written last (atomically): a directory without one is an unfinished
    build, which :func:`current_build` never points at and the next build removes.
    """
    tmp = build_dir / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp, build_dir / MANIFEST)


def swap_build(store_path: Path, build_dir: Path, previous: Path | None) -> None:
    """Point ``store_path`` at the finished ``build_dir`` (one atomic ``rename``) and remove
    builds older than ``previous``. The caller holds :func:`build_lock`."""
    _swap(store_path, build_dir)
    _prune(build_dir.parent, keep={build_dir, previous})


def _swap(store_path: Path, build_dir: Path) -> None:
    link = store_path.parent / f".{store_path.name}.swap-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    os.symlink(os.path.relpath(build_dir, store_path.parent), link)
    os.replace(link, store_path)


def _prune(builds: Path, keep: Iterable[Path | None]) -> None:
    """Remove old and unfinished builds, keeping the current and the previous one."""
    kept = {p.resolve() for p in keep if p is not None}
    for child in builds.iterdir():
        if child.resolve() not in kept:
            shutil.rmtree(child, ignore_errors=True)


@contextlib.contextmanager
def build_lock(store_path: Path) -> Iterator[None]:
    """Hold the write lock of ``store_path``; :class:`~kg.errors.InputError` if another holds it."""
    lock_path = store_path.parent / f".{store_path.name}.lock"
    with open(lock_path, "w", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise InputError(f"another build is writing {store_path}; wait for it to finish") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_build_lock = build_lock  # the name used before the lock became public
