"""Fault injection: ``kill -9`` of the server while it applies a large update.

A uvicorn server (a subprocess in its own process group, as ``lskg serve`` would run) receives a
large authorised ``INSERT DATA``. At several delays the whole process group (server, query
workers, the update worker) is killed with SIGKILL. Then the store must be exactly the state
before the update or exactly the state after it (its N-Quads dump compared line by line), never
a mixture; and a server restarted on it answers normally.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg.store import current_build, open_store

pytestmark = [pytest.mark.slow, pytest.mark.embedded_only("kill -9 during an update of an on-disk store")]

TOKEN = "fault-secret"
GRAPH = "https://w3id.org/lskg/graph/web-sources"
TRIPLES = 4000
# Kill delays, as fractions of the time the same update takes when left alone (copy, worker,
# SHACL validation, writing the build, the swap): early, midway, and around the swap at the end.
KILL_FRACTIONS = [0.02, 0.5, 0.9, 0.97, 1.03]
ROOT = Path(__file__).resolve().parents[2]
UVICORN = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--host", "127.0.0.1"]
UVICORN += ["--log-level", "warning"]


def large_update(triples: int = TRIPLES) -> str:
    """An INSERT DATA of ``triples`` notes in an existing source graph (valid against the shapes)."""
    body = "\n".join(
        f'<https://w3id.org/lskg/id/fault/t{i}> <http://www.w3.org/2004/02/skos/core#note> "fault note {i}" .'
        for i in range(triples)
    )
    return f"INSERT DATA {{ GRAPH <{GRAPH}> {{\n{body}\n}} }}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A uvicorn subprocess serving the API over ``store`` on 127.0.0.1, in its own process group."""

    process: subprocess.Popen[bytes]
    url: str

    def kill(self) -> None:
        """SIGKILL the server and every process it started (workers included)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def start_server(store: Path) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "LSKG_STORE": str(store),
        "LSKG_UPDATE_TOKEN": TOKEN,
        "LSKG_ACCESS_LOG": "false",
        "LSKG_RATE_LIMIT_PER_MINUTE": "1000000",
        "LSKG_RATE_LIMIT_BURST": "100000",
    }
    process = subprocess.Popen(
        [*UVICORN, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return server
        time.sleep(0.1)
    server.kill()
    raise RuntimeError("uvicorn did not answer within 30 s")


@contextlib.contextmanager
def serving(store: Path) -> Iterator[Server]:
    server = start_server(store)
    try:
        yield server
    finally:
        server.kill()


def fresh_store(real_store_path: Path, directory: Path) -> Path:
    """A store link of its own over a copy of the real build."""
    build = current_build(real_store_path)
    assert build is not None
    shutil.copytree(build, directory / "store.builds" / build.name)
    link = directory / "store"
    link.symlink_to(Path("store.builds") / build.name)
    return link


def dump_lines(store: Path) -> list[str]:
    output = io.BytesIO()
    open_store(store).dump(output, ox.RdfFormat.N_QUADS)
    return sorted(output.getvalue().decode("utf-8").splitlines())


def send_update(server: Server, update: str, outcome: dict[str, object]) -> None:
    try:
        response = httpx.post(
            f"{server.url}/update",
            content=update,
            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )
        outcome["status"] = response.status_code
    except httpx.HTTPError as exc:
        outcome["error"] = type(exc).__name__


def answers_normally(server: Server) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = httpx.get(
        f"{server.url}/sparql", params={"query": query}, headers={"Accept": "application/json"}, timeout=30
    )
    assert response.status_code == 200
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) > 1000
    assert httpx.head(f"{server.url}/dump.nq", timeout=60).status_code == 200


@pytest.fixture(scope="module")
def states(
    real_store_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[str], list[str], float]:
    """The dump before the update, after it was applied by a server left alone, and its seconds."""
    store = fresh_store(real_store_path, tmp_path_factory.mktemp("reference"))
    before = dump_lines(store)
    with serving(store) as server:
        outcome: dict[str, object] = {}
        started = time.perf_counter()
        send_update(server, large_update(), outcome)
        seconds = time.perf_counter() - started
        assert outcome.get("status") == 200, outcome
    after = dump_lines(store)
    # The named graphs gain exactly the inserted triples (the dump holds the named graphs).
    assert len(after) == len(before) + TRIPLES
    assert set(before) < set(after)
    return before, after, seconds


def test_a_server_killed_during_a_large_update_leaves_the_store_before_or_after_and_restarts(
    real_store_path: Path, tmp_path: Path, states: tuple[list[str], list[str], float]
) -> None:
    before, after, seconds = states
    update = large_update()
    seen: list[tuple[float, str, dict[str, object]]] = []
    for delay in (round(fraction * seconds, 2) for fraction in KILL_FRACTIONS):
        store = fresh_store(real_store_path, tmp_path / f"kill-{delay}")
        outcome: dict[str, object] = {}
        with serving(store) as server:
            sender = threading.Thread(target=send_update, args=(server, update, outcome), daemon=True)
            sender.start()
            time.sleep(delay)
            server.kill()
            sender.join(timeout=30)
        state = dump_lines(store)
        assert state in (before, after), f"killed after {delay}s: the store is neither before nor after"
        seen.append((delay, "before" if state == before else "after", outcome))
        with serving(store) as restarted:
            answers_normally(restarted)
    print(f"\nthe update alone: {seconds:.2f}s; kill -9 at (s, state, client saw): {seen}")
    # The delays straddle the update: the earliest kill must find the old state.
    assert seen[0][1] == "before", seen
