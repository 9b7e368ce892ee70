"""Write the whole dataset (ontology, data, provenance, metadata) in one RDF syntax."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from kg.results import graph_format
from kg.store import Store

__all__ = ["EXPORT_FORMATS", "export_dataset"]

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
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            store.dump(handle, rdf_format)
        os.replace(tmp, output)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
