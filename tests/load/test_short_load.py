"""A short load run (8 clients, 10 s) of benchmarks/load_test.py's mixed workload.

It asserts correctness under concurrency, never timings: no 5xx, no 4xx, no connection error,
and every request type was exercised.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.slow

LOAD_TEST = Path(__file__).resolve().parents[2] / "benchmarks" / "load_test.py"


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lskg_load_test", LOAD_TEST)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is created.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_eight_clients_for_ten_seconds_get_no_5xx_and_no_connection_error(real_store_path: Path) -> None:
    bench = load_benchmark()
    with bench.serve(real_store_path) as server:
        stats = bench.run_load(server.url, clients=8, seconds=10, max_requests=5_000)
    summary = {
        kind: (s.requests, s.client_errors, s.server_errors, s.connection_errors) for kind, s in stats.items()
    }
    assert all(s.requests > 0 for s in stats.values()), summary
    assert sum(s.server_errors for s in stats.values()) == 0, summary
    assert sum(s.connection_errors for s in stats.values()) == 0, summary
    assert sum(s.client_errors for s in stats.values()) == 0, summary
