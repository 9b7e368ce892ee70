"""Run Debian's ``virtuoso-t`` on 127.0.0.1 for the remote-store tests (and the load benchmark).

The server gets a temporary database directory and a generated ``virtuoso.ini`` with free
ports for SQL and HTTP; the anonymous ``SPARQL`` user is granted ``SPARQL_UPDATE`` through
``isql`` so that ``lskg build --store sparql+http://…`` can load it. Nothing here is safe for
a server reachable from other hosts: it binds 127.0.0.1 only.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "virtuoso-t is not installed; the remote-store tests need Debian's Virtuoso: "
    "`apt-get install -y virtuoso-opensource` (CI: add it to .ci/run)"
)

_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
ServerThreads = 20
CheckpointInterval = 60
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
CaseMode = 2
DirsAllowed = ., {d}
MaxQueryMem = 1G

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}/www
ServerThreads = 20
MaxClientConnections = 20
MaxKeepAlives = 10
KeepAliveTimeout = 10
DavRoot = DAV
EnabledDavVSP = 0
MaxQueryMem = 1G

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 60
DefaultGraph = http://localhost/
DeferInferenceRulesInit = 0
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Virtuoso:
    """A running ``virtuoso-t``: its directory, ports and process."""

    directory: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def sparql_url(self) -> str:
        """The SPARQL endpoint, e.g. ``http://127.0.0.1:PORT/sparql``."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def store_url(self) -> str:
        """The ``LSKG_STORE`` value for this server."""
        return "sparql+" + self.sparql_url

    def start(self, wait: float = 90.0) -> None:
        """Start the server (again) and wait until ``/sparql`` answers."""
        binary = shutil.which("virtuoso-t")
        if binary is None:
            raise RuntimeError(INSTALL_HINT)
        (self.directory / "www").mkdir(parents=True, exist_ok=True)
        ini = self.directory / "virtuoso.ini"
        ini.write_text(
            _INI.format(d=self.directory, sql=self.sql_port, http=self.http_port), encoding="utf-8"
        )
        log = open(self.directory / "stdout.log", "ab")  # noqa: SIM115 (kept open by the child)
        self.process = subprocess.Popen(
            [binary, "-f", "-c", str(ini)],
            cwd=self.directory,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}: {self.log_tail()}")
            if self.answers():
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"virtuoso-t did not answer /sparql within {wait:g} s: {self.log_tail()}")

    def answers(self) -> bool:
        """Whether ``/sparql`` answers an ASK query right now."""
        url = self.sparql_url + "?query=ASK%7B%7D"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def isql(self, *statements: str) -> str:
        """Run SQL statements as ``dba`` through ``isql``."""
        binary = shutil.which("isql-vt") or shutil.which("isql")
        if binary is None:
            raise RuntimeError("isql-vt is not installed (it comes with virtuoso-opensource)")
        script = "\n".join(s.rstrip(";") + ";" for s in statements)
        done = subprocess.run(
            [binary, f"127.0.0.1:{self.sql_port}", "dba", "dba", "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF"],
            input=script.encode(),
            capture_output=True,
            timeout=60,
            check=False,
        )
        out = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
        if done.returncode != 0 or "*** Error" in out:
            raise RuntimeError(f"isql failed: {out}")
        return out

    def allow_updates(self) -> None:
        """Let the anonymous SPARQL user run SPARQL Update (test servers only)."""
        self.isql(
            'GRANT SPARQL_UPDATE TO "SPARQL"',
            "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7)",
        )

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait for it."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def kill(self) -> None:
        """Kill the server with SIGKILL (a crash, for the fault tests)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 15) -> str:
        """The end of the server's log, for failure messages."""
        text = ""
        for name in ("virtuoso.log", "stdout.log"):
            path = self.directory / name
            if path.exists():
                text += "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:]) + "\n"
        return text


def start_virtuoso(directory: Path) -> Virtuoso:
    """Start a fresh server in ``directory`` with updates allowed."""
    server = Virtuoso(directory, free_port(), free_port())
    server.start()
    server.allow_updates()
    return server
