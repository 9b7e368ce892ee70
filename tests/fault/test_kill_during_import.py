"""Fault injection: ``kill -9`` of ``lskg import FILE.nt`` while it streams a dump into a new build.

``lskg import`` runs as a child process in its own process group and is killed with SIGKILL at
several fractions of the time the same import takes when left alone (copying the build, loading
the chunks, validating, writing the manifest, swapping). The store must then be exactly as it
was (or, killed after the swap, exactly as after the import), never a mixture; and the next
import must succeed and remove the unfinished build directory.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.config import Settings
from kg.store import current_build, open_store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "import" / "data"
GRAPH = "https://w3id.org/lskg/graph/dump-notes"
LINES = 60_000
KILL_FRACTIONS = [0.1, 0.4, 0.7, 0.9]
LSKG = str(Path(sys.executable).with_name("lskg"))


def notes(path: Path, lines: int = LINES) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            out.write(
                f'<https://w3id.org/lskg/id/note/{i}> <http://www.w3.org/2004/02/skos/core#note> "note {i}" .\n'
            )
    return path


def copy_store(template: Path, target: Path) -> Path:
    target.mkdir()
    shutil.copytree(template / "store.builds", target / "store.builds")
    os.symlink(os.readlink(template / "store"), target / "store")
    return target / "store"


def nquads(store: Path) -> bytes:
    buffer = io.BytesIO()
    open_store(store).dump(buffer, ox.RdfFormat.N_QUADS)
    return b"\n".join(sorted(buffer.getvalue().splitlines()))


def without_dump(dump: bytes) -> bytes:
    """The N-Quads lines outside the dump's graphs and the union copies of its triples."""
    return b"\n".join(
        line for line in dump.splitlines() if b"dump-notes" not in line and b"/id/note/" not in line
    )


def start(store: Path, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [LSKG, "import", str(path), "--name", "notes", "--store", str(store)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kill-import-template")
    build(Settings(store=str(folder / "store"), data_dir=str(FIXTURE_DATA)), force=True)
    return folder


def test_kill_9_during_an_import_leaves_the_store_as_before_or_as_after(
    template: Path, tmp_path: Path
) -> None:
    dump = notes(tmp_path / "notes.nt")
    before = nquads(template / "store")

    # The same import left alone: how long it takes, and the store it leaves.
    reference = copy_store(template, tmp_path / "reference")
    started = time.perf_counter()
    done = start(reference, dump)
    _, err = done.communicate(timeout=600)
    assert done.returncode == 0, err.decode()
    duration = time.perf_counter() - started
    after = nquads(reference)
    assert len(list(open_store(reference).quads(GRAPH))) == LINES
    assert without_dump(after) == before

    outcomes = []
    for n, fraction in enumerate(KILL_FRACTIONS):
        store = copy_store(template, tmp_path / f"kill-{n}")
        build_before = current_build(store)
        process = start(store, dump)
        time.sleep(duration * fraction)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        state = nquads(store)
        if state == before:
            outcomes.append("before")
            assert current_build(store) == build_before
        else:
            outcomes.append("after")
            assert state == after, f"a mixture after a kill at {fraction:.0%} of {duration:.1f} s"
        # The next import succeeds (the lock died with the process) and clears the leftovers.
        again = start(store, dump)
        _, err = again.communicate(timeout=600)
        assert again.returncode == 0, err.decode()
        assert nquads(store) == after
        builds = sorted(p for p in (store.parent / "store.builds").iterdir())
        assert current_build(store) in builds
        assert all((p / "manifest.json").is_file() for p in builds), builds
    # Most kills land before the swap, which comes at the very end: the test is not vacuous.
    assert outcomes.count("before") >= 2, outcomes
