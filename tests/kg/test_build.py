"""lskg build: provenance layout, validation gate, idempotence and atomic swaps."""

from __future__ import annotations

import fcntl
import io
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import build, graph_iri
from kg.config import Settings
from kg.errors import InputError, ValidationFailed
from kg.paths import resource_dir
from kg.store import current_build, open_store

BASE = "https://w3id.org/lskg/"
# Builds of an on-disk store (tests/remote covers lskg build into a SPARQL server).
ON_DISK = pytest.mark.embedded_only("builds an on-disk store: manifest, symlink swap, build lock")
PREFIXES = """
@prefix lskg: <https://w3id.org/lskg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
"""
EXTRA = (
    PREFIXES
    + """
<id/websource/example> a lskg:WebSource ; rdfs:label "Example page"@en ;
    schema:url <https://example.org/page> ; dcterms:date "2026-11-24"^^xsd:date .
<id/websource/example> {
    <id/org/example-company> a lskg:Company ; rdfs:label "Example AB"@sv , "Example Ltd"@en ;
        lskg:sector lskg:SectorIndustry ; schema:identifier "556000-0000" .
}
"""
)


def data_copy(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    """The project's data files in a temporary folder, plus ``extra`` files."""
    target = tmp_path / "data"
    shutil.copytree(resource_dir("data"), target)
    for name, text in (extra or {}).items():
        (target / name).write_text(text, encoding="utf-8")
    return target


def nquads(store_path: Path) -> set[str]:
    buffer = io.BytesIO()
    open_store(store_path).dump(buffer, ox.RdfFormat.N_QUADS)
    return set(buffer.getvalue().decode().splitlines())


@ON_DISK
def test_every_fact_of_the_real_data_is_traced_to_a_source(real_store_path: Path) -> None:
    manifest = json.loads((current_build(real_store_path) / "manifest.json").read_text())  # type: ignore[operator]
    assert manifest["facts"] > 700
    assert manifest["facts_with_provenance"] == manifest["facts"]
    expected = {graph_iri(BASE, n) for n in ("ontology", "shapes", "meta", "s000-life-science-office")}
    assert expected <= set(manifest["graphs"])
    assert manifest["graphs"][graph_iri(BASE, "s000-life-science-office") + "/provenance"] > 0


def test_the_default_graph_is_the_set_union_of_the_named_graphs(real_store_path: Path) -> None:
    store = open_store(real_store_path)
    # "Government of Sweden" is stated by three sources; the union holds it once.
    rows = store.select(
        "SELECT ?l WHERE { <https://w3id.org/lskg/id/org/government-of-sweden> "
        '<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = "en") }'
    ).values()
    assert rows == [("Government of Sweden",)]
    graphs = store.select(
        "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { "
        "<https://w3id.org/lskg/id/org/government-of-sweden> a ?t } }"
    ).values()
    assert graphs == [("3",)]


@ON_DISK
def test_rebuilding_unchanged_input_does_nothing(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    first = build(settings)
    second = build(settings)
    assert not first.skipped
    assert second.skipped
    assert second.build_dir == first.build_dir
    assert second.version == first.version


@ON_DISK
def test_a_forced_rebuild_produces_exactly_the_same_dataset(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    build(settings)
    before = nquads(settings.store_path)
    result = build(settings, force=True)
    assert not result.skipped
    assert nquads(settings.store_path) == before


@ON_DISK
def test_a_new_data_file_becomes_its_own_named_graph_with_provenance(tmp_path: Path) -> None:
    settings = Settings(
        store=str(tmp_path / "store"), data_dir=str(data_copy(tmp_path, {"extra.trig": EXTRA}))
    )
    build(settings)
    store = open_store(settings.store_path)
    rows = store.select(
        """SELECT ?g ?url ?read WHERE {
             GRAPH ?g { <https://w3id.org/lskg/id/org/example-company> a ?t }
             ?st <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> <https://w3id.org/lskg/id/org/example-company> ;
                 <http://www.w3.org/ns/prov#wasDerivedFrom> ?record .
             ?record <https://schema.org/url> ?url ; <http://purl.org/dc/terms/date> ?read .
           } LIMIT 1"""
    ).values()
    assert rows == [(graph_iri(BASE, "extra"), "https://example.org/page", "2026-11-24")]


@ON_DISK
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            PREFIXES + '<id/x> a lskg:Excerpt .\n<id/x> { <id/org/a> rdfs:label "A"@en ',
            r"broken\.trig:\d+:\d+",
        ),
        (PREFIXES + '<id/org/a> rdfs:label "A"@en .', "described outside a provenance graph"),
        (PREFIXES + '<id/g> { <id/org/a> rdfs:label "A"@en . }', "have no provenance description"),
        (
            PREFIXES + '<id/x> a lskg:Excerpt .\n<id/x> { <id/org/a> schema:address [ schema:name "x" ] . }',
            "blank node",
        ),
        (
            PREFIXES
            + '<id/x> a lskg:Excerpt .\n<id/x> { <id/person/a> rdfs:comment "mail a.b@example.se" . }',
            "e-mail address",
        ),
    ],
    ids=["malformed-trig", "fact-outside-graph", "undescribed-graph", "blank-node", "email-address"],
)
def test_bad_input_is_refused_with_a_clear_message_and_the_store_is_unchanged(
    tmp_path: Path, body: str, message: str
) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    good = build(settings)
    bad = Settings(store=settings.store, data_dir=str(data_copy(tmp_path, {"broken.trig": body})))
    with pytest.raises(InputError, match=message):
        build(bad)
    assert current_build(settings.store_path) == good.build_dir
    assert open_store(settings.store_path).version == good.version


@ON_DISK
def test_a_shacl_violation_stops_the_build_and_leaves_the_store_unchanged(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    good = build(settings)
    no_sector = EXTRA.replace("lskg:sector lskg:SectorIndustry ;", "")
    bad = Settings(store=settings.store, data_dir=str(data_copy(tmp_path, {"extra.trig": no_sector})))
    with pytest.raises(ValidationFailed) as caught:
        build(bad)
    violations = caught.value.report.violations  # type: ignore[attr-defined]
    assert [(v.focus, v.path) for v in violations] == [(BASE + "id/org/example-company", "lskg:sector")]
    assert current_build(settings.store_path) == good.build_dir


@ON_DISK
def test_a_second_build_while_one_is_running_is_refused(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "store"))
    lock = tmp_path / ".store.lock"
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(InputError, match="another build"):
            build(settings)


@ON_DISK
def test_a_plain_directory_in_the_store_path_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "precious.txt").write_text("keep me")
    with pytest.raises(InputError, match="not an lskg store link"):
        build(Settings(store=str(tmp_path / "store")))
    assert (tmp_path / "store" / "precious.txt").read_text() == "keep me"


@ON_DISK
@pytest.mark.slow
def test_killing_a_build_at_any_moment_leaves_a_complete_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    old = build(Settings(store=str(store)))
    new_data = data_copy(tmp_path, {"extra.trig": EXTRA})
    command = [
        sys.executable,
        "-c",
        "from kg.cli import main; raise SystemExit(main())",
        "build",
        "--force",
        "--store",
        str(store),
        "--data",
        str(new_data),
    ]
    outcomes = set()
    for delay in (0.05, 0.2, 0.4, 0.6, 0.8, 1.0, 1.3, 1.7, 2.2, 3.0):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        opened = open_store(store)
        manifest = json.loads((current_build(store) / "manifest.json").read_text())  # type: ignore[operator]
        assert opened.version == manifest["version"]
        assert len(opened) == sum(manifest["graphs"].values())
        outcomes.add("new" if opened.version != old.version else "old")
    assert "old" in outcomes  # at least one kill landed before the swap
    finished = build(Settings(store=str(store), data_dir=str(new_data)), force=True)
    leftovers = sorted(p.name for p in (tmp_path / "store.builds").iterdir())
    assert finished.build_dir.name in leftovers
    assert len(leftovers) <= 2
