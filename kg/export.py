"""Write the whole dataset (ontology, data, provenance, metadata) in one RDF syntax."""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreUnavailable
from kg.executor import lower_priority, worker_context
from kg.results import graph_format
from kg.store import OxigraphStore, Store

__all__ = ["EXPORT_FORMATS", "GZIP_SUFFIX", "export_dataset", "write_dump_files"]

GZIP_SUFFIX = ".gz"

EXPORT_FORMATS = ("nquads", "trig", "turtle", "ntriples", "jsonld")


def export_dataset(store: Store, fmt: str, output: Path | None = None) -> None:
    """Serialise the store to ``output`` (or standard output).

    Quad formats (nquads, trig, jsonld) keep the named graphs; triple formats (turtle,
    ntriples) write the union of all graphs. A file is written beside its target and renamed
    into place, so an interrupted export never leaves a truncated file behind.
    """
    rdf_format = graph_format(fmt)
    if output is None:
        store.dump(sys.stdout.buffer, rdf_format)
        sys.stdout.buffer.flush()
        return
    with _written_in_place(output) as tmp, open(tmp, "wb") as handle:
        store.dump(handle, rdf_format)


@contextlib.contextmanager
def _written_in_place(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed to it when the block ends without an error
    and removed in any case, so that a reader never finds half a file at ``target``."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_dump_files(store: Store, target: Path, fmt: ox.RdfFormat) -> None:
    """Write the dataset to ``target`` and a gzip copy of it beside it (``target`` + ``.gz``).

    Both are written under temporary names and renamed into place, the copy first, so that a
    reader who finds ``target`` finds the copy too. A store on disk is dumped by a child process
    at lower CPU priority (:func:`kg.executor.lower_priority`): serialising a large store holds
    a core (and, in process, the interpreter lock) for a long time, and the process that asked
    for it keeps answering its other requests meanwhile. Other stores are dumped in the caller.
    """
    if isinstance(store, OxigraphStore) and store.path is not None:
        process = worker_context().Process(
            target=_dump_in_child,
            args=(str(store.path), str(target), fmt.file_extension),
            daemon=True,
            name="lskg-dump",
        )
        process.start()
        process.join()
        if process.exitcode != 0 or not target.is_file():
            raise StoreUnavailable(f"the dump of {store.path} could not be written (exit {process.exitcode})")
        return
    _write_dump_files(store, target, fmt)


def _dump_in_child(build_dir: str, target: str, extension: str) -> None:
    lower_priority()
    fmt = ox.RdfFormat.from_extension(extension)
    assert fmt is not None
    _write_dump_files(OxigraphStore.open(Path(build_dir)), Path(target), fmt)


def _write_dump_files(store: Store, target: Path, fmt: ox.RdfFormat) -> None:
    packed = target.with_name(target.name + GZIP_SUFFIX)
    with _written_in_place(target) as tmp:
        with open(tmp, "wb") as handle:
            store.dump(handle, fmt)
        # The copy is renamed into place first (the inner block ends first).
        with (
            _written_in_place(packed) as tmp_packed,
            open(tmp, "rb") as source,
            gzip.open(tmp_packed, "wb", compresslevel=6) as sink,
        ):
            shutil.copyfileobj(source, sink, 1024 * 1024)
