"""Measure the explorer and the pages in headless Chromium: load times and which layouts stay usable.

Not a test (pytest does not collect it): a script that writes figures. It serves the API
over (1) the real graph and (2) synthetic ecosystems from ``benchmarks/analysis_bench.py``
(10k and 100k stated edges), opens the pages in Debian's Chromium and records, per graph
and layout: server time for ``/analysis/{graph}``, bytes, JSON parse, Cytoscape set-up,
layout time, and the frame intervals while the user zooms with the mouse wheel (a
``requestAnimationFrame`` recorder runs during ten wheel steps). Results go to
``benchmarks/results/web.md`` (and ``web.json``).

    .venv/bin/python tests/web/web_bench.py              # real data and 10k + 100k edges
    .venv/bin/python tests/web/web_bench.py --sizes 10000
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
# Layouts tried per graph size; force-directed layouts are skipped above these node counts
# (their run time grows faster than linearly: see the figures for the sizes below).
FORCE_MAX_NODES = {"fcose": 16_000, "cose": 3_000}
LAYOUT_TIMEOUT_MS = 120_000

_RECORD = """() => {
  window.__frames = [];
  let last = performance.now();
  window.__recording = true;
  const tick = (t) => { window.__frames.push(t - last); last = t; if (window.__recording) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}"""


def _frames(page: Any) -> dict[str, float]:
    """Zoom in and out with the wheel over the drawing; the frame intervals meanwhile."""
    box = page.locator("#cy").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.evaluate(_RECORD)
    started = time.perf_counter()
    for step in range(10):
        page.mouse.wheel(0, -240 if step < 5 else 240)
        page.wait_for_timeout(60)
    page.wait_for_timeout(300)
    wall = time.perf_counter() - started
    intervals = page.evaluate("() => { window.__recording = false; return window.__frames.slice(1); }")
    intervals = sorted(intervals) or [0.0]
    p95 = intervals[min(len(intervals) - 1, int(0.95 * len(intervals)))]
    return {
        "frames": len(intervals),
        "frame_mean_ms": round(statistics.fmean(intervals), 1),
        "frame_p95_ms": round(p95, 1),
        "frame_max_ms": round(intervals[-1], 1),
        "zoom_wall_s": round(wall, 2),
    }


def _measure_graph(browser: Any, base: str, graph: str, layouts: list[str]) -> list[dict[str, Any]]:
    import httpx

    started = time.perf_counter()
    response = httpx.get(f"{base}/analysis/{graph}", timeout=600)
    server_first = time.perf_counter() - started
    body = response.json()
    n, m = body["nodes"], body["edges"]
    rows = []
    for layout in layouts:
        limit = FORCE_MAX_NODES.get(layout)
        row: dict[str, Any] = {"graph": graph, "nodes": n, "edges": m, "layout": layout}
        if limit is not None and n > limit:
            row["skipped"] = f"over {limit} nodes"
            rows.append(row)
            continue
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        t0 = time.perf_counter()
        page.goto(f"{base}/network?graph={graph}")
        try:
            page.wait_for_selector("#cy[data-state=ready]", timeout=LAYOUT_TIMEOUT_MS)
        except Exception as exc:  # noqa: BLE001 (a timeout is a result here, not a crash)
            row["failed"] = type(exc).__name__
            rows.append(row)
            context.close()
            continue
        first = time.perf_counter() - t0
        if layout != "auto":
            runs = page.evaluate("window.lskgExplorer.timings.runs")
            page.select_option("#layout", layout)
            try:
                page.wait_for_function(
                    f"window.lskgExplorer.timings.runs > {runs} && document.querySelector('#cy').dataset.state === 'ready'",
                    timeout=LAYOUT_TIMEOUT_MS,
                    polling=500,
                )
            except Exception as exc:  # noqa: BLE001
                row["failed"] = f"layout over {LAYOUT_TIMEOUT_MS / 1000:.0f} s ({type(exc).__name__})"
                rows.append(row)
                context.close()
                continue
        timings = page.evaluate("window.lskgExplorer.timings")
        row.update(
            {
                "server_first_s": round(server_first, 2),
                "bytes": timings["bytes"],
                "page_ready_s": round(first, 2),
                "fetch_ms": round(timings["fetch"]),
                "parse_ms": round(timings["parse"]),
                "create_ms": round(timings["create"]),
                "layout_name": timings["layoutName"],
                "layout_ms": round(timings["layout"]),
                "render_ms": round(timings["firstRender"]),
                **_frames(page),
                "errors": errors,
            }
        )
        rows.append(row)
        context.close()
        print(json.dumps(row), flush=True)
    return rows


def _page_loads(browser: Any, base: str) -> list[dict[str, Any]]:
    rows = []
    for path, ready in (
        ("/query", ".CodeMirror"),
        ("/query?name=coordination-group-members", "#status:has-text('rows in')"),
        ("/gaps", "#gap-matrix"),
        ("/network", "#cy[data-state=ready]"),
    ):
        samples = []
        for _ in range(3):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            t0 = time.perf_counter()
            page.goto(base + path)
            page.wait_for_selector(ready, timeout=60_000)
            samples.append(time.perf_counter() - t0)
            context.close()
        rows.append({"path": path, "median_s": round(statistics.median(samples), 3), "runs": len(samples)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


class _Skip(Exception):
    """Raised to skip the real-data measurements."""


def main(argv: list[str] | None = None) -> int:
    """Run the measurements and write benchmarks/results/web.md and web.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--skip-real", action="store_true", help="only the synthetic graphs")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT))
    from analysis_bench import synthetic_store  # type: ignore[import-not-found]
    from playwright.sync_api import sync_playwright

    from kg.build import build
    from kg.config import Settings
    from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, serve, web_app

    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
    }
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        results["chromium"] = browser.version
        store = Path(tmp) / "store"
        build(Settings(store=str(store)), force=True)
        real = serve(web_app(store))
        try:
            if args.skip_real:
                raise _Skip
            results["pages"] = _page_loads(browser, real.url)
            results["real"] = []
            for graph in ("affiliations", "areas", "people", "organisations"):
                results["real"] += _measure_graph(browser, real.url, graph, ["auto", "fcose", "cose"])
        except _Skip:
            pass
        finally:
            real.stop()
        for edges in args.sizes:
            started = time.perf_counter()
            synthetic = synthetic_store(edges)
            generated = time.perf_counter() - started
            server = serve(web_app(store, store_override=synthetic))
            try:
                rows = []
                graphs = (
                    ("areas", "affiliations")
                    if edges >= 100_000
                    else ("areas", "affiliations", "organisations")
                )
                for graph in graphs:
                    rows += _measure_graph(
                        browser, server.url, graph, ["auto", "fcose", "cose", "concentric", "grid"]
                    )
                results[f"synthetic-{edges}"] = {"generate_s": round(generated, 1), "rows": rows}
            finally:
                server.stop()
        browser.close()
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / ("web-synthetic.json" if args.skip_real else "web.json")
    target.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
