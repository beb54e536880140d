"""The Cortical registration page in a real browser: a synthetic registration and map clicks.

- registration in the page: from the mousedown on **Register** until the page shows its results
  (the metrics table and the registered view drawn; timed in the page), against the compute
  the run itself reports (its ``total`` seconds, read from the page's caption); the difference
  is what the page adds (progress reports, reruns, metrics, drawing). Also when the progress bar
  went, and when the registered view's data arrived. A fresh browser tab (session) per run.
- click-to-update: a click on a vertex of the 2D map until the animation frame in which the
  moving and registered views mark that vertex and the fixed view marks where it lands (timed
  in the page, from the mousedown, like benchmarks/bench_app.py's click-to-update), then until
  two more frames have been painted. The first click of a session is reported apart. For each
  click, also: bytes the browser received over the websocket (the rerun's deltas), and the
  phases from the plotly_view component's own timestamps: mousedown -> event sent, sent ->
  first 3D view's new data received (websocket + Python rerun), received -> last 3D view
  drawn, and the slowest view's draw (JSON parse + Plotly.react).

Writes benchmarks/results/registration_page.json. Medians; one machine, one run.
Run: ``.venv/bin/python benchmarks/bench_registration_page.py [--runs 3] [--clicks 8]``
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from common import summarize, write

# The browser harness is shared with tests/browser, which is not a package: import it from its folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

from harness import CHROMIUM_ARGS, AppServer, chromium_path  # noqa: E402
from plotly_js import CHART_COUNT, FOCUS_IDS, NODE_POSITION  # noqa: E402

TIMEOUT_MS = 300_000
MOVING, FIXED, REGISTERED, MAP = 0, 1, 2, 3  # chart order on the page after a run
VERTICES = 10_242  # fsaverage5

#: Armed before a click: from the mousedown to the first animation frame in which the moving,
#: registered and map views mark the same new vertex (not ``previous``) and the fixed view's
#: mark says where that vertex lands; the result lands in ``window.__clickToUpdate`` as
#: {ms, focus, painted_ms} (painted: two frames later).
CLICK_TIMER = f"""(previous) => {{
  const focus = {FOCUS_IDS};
  const landing = () => {{
    const gd = document.querySelectorAll('.js-plotly-plot')[{FIXED}];
    const tr = gd && gd._fullData && gd._fullData.find(t => t.name === 'focus');
    return tr && tr.text ? String(tr.text[0]) : null;
  }};
  window.__clickToUpdate = null;
  document.addEventListener('mousedown', () => {{
    const t0 = performance.now();
    window.__mousedownAt = t0;
    const check = () => {{
      const a = (focus({MOVING}) || [])[0], b = (focus({REGISTERED}) || [])[0], c = (focus({MAP}) || [])[0];
      const shown = a !== undefined && a === b && a === c && a !== previous && landing() === `${{a}} lands here`;
      if (shown) {{
        const ms = performance.now() - t0;
        requestAnimationFrame(() => requestAnimationFrame(() => {{
          window.__clickToUpdate = {{ms, focus: a, painted_ms: performance.now() - t0}};
        }}));
      }} else if (performance.now() - t0 < 60000) requestAnimationFrame(check);
    }};
    requestAnimationFrame(check);
  }}, {{once: true, capture: true}});
}}"""

#: The component's timestamps (performance.now() ms) of each chart: event sent, data received, drawn.
STAMPS = "Array.from(document.querySelectorAll('.js-plotly-plot'), gd => ({...gd.dataset}))"
#: Armed before Register: in-page seconds from the mousedown until the progress bar has come and
#: gone, until the "Metrics" heading shows, and until the metrics table under it does; in
#: ``window.__results``.
RESULT_TIMER = """() => {
  window.__results = {down: null, bar_gone: null, heading: null, metrics: null};
  document.addEventListener('mousedown', () => {
    const t0 = performance.now(); window.__results.down = t0; let bar = false;
    const check = () => {
      const now = (performance.now() - t0) / 1000;
      const hasBar = !!document.querySelector('[data-testid="stProgress"]');
      if (hasBar) bar = true; else if (bar && window.__results.bar_gone === null) window.__results.bar_gone = now;
      const h = Array.from(document.querySelectorAll('h3')).some(e => e.textContent.trim() === 'Metrics');
      if (h && window.__results.heading === null) window.__results.heading = now;
      if (h && document.querySelector('[data-testid="stDataFrame"]')) window.__results.metrics = now;
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }, {once: true, capture: true});
}"""
MARK = "document.querySelectorAll('.js-plotly-plot').forEach(gd => { gd.__bench = true; })"
#: Per chart: whether its div is new since MARK (the chart was remounted: a new plot, new WebGL contexts).
REPLACED = "Array.from(document.querySelectorAll('.js-plotly-plot'), gd => !gd.__bench)"
#: The registered view is drawn (the fourth chart has its traces).
REGISTERED_DRAWN = (
    f"({CHART_COUNT})() >= 4 && !!document.querySelectorAll('.js-plotly-plot')[{REGISTERED}]._fullData"
)


class Received:
    """Bytes the page received over its websockets (Streamlit's deltas), counted as they arrive."""

    def __init__(self, page) -> None:
        self.bytes = 0
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        ws.on("framereceived", self._count)

    def _count(self, payload) -> None:
        self.bytes += len(payload)


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    received = Received(page)
    page.goto(f"{url}/registration")
    page.wait_for_function(f"({CHART_COUNT})() >= 3", timeout=TIMEOUT_MS)
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.js-plotly-plot')).every(gd => !!gd._fullData)",
        timeout=TIMEOUT_MS,
    )
    return page, received


def register(page) -> dict:
    """Click Register; seconds until the results show, and the compute the run reports."""
    page.wait_for_timeout(1000)  # the first render settled
    page.evaluate(RESULT_TIMER)
    t0 = time.perf_counter()
    page.get_by_role("button", name="Register", exact=True).click()
    page.get_by_role("heading", name="Metrics").wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function(REGISTERED_DRAWN, timeout=TIMEOUT_MS, polling=50)
    shown = time.perf_counter() - t0
    caption = page.get_by_text(re.compile(r"Time: .*total")).inner_text()
    stages = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+) s", caption.split("Time:")[1])}
    page.wait_for_function("window.__results.metrics !== null", timeout=TIMEOUT_MS)
    seen = page.evaluate("window.__results")
    drawn = page.evaluate(STAMPS)[REGISTERED]
    return {
        # in the page, from the mousedown on Register: until the metrics table shows and the view is drawn
        "in_page_s": max(seen["metrics"], (float(drawn["drawnAt"]) - seen["down"]) / 1000),
        "wall_s_incl_playwright": shown,
        "compute_total_s": stages["total"],
        "stages_s": stages,
        # in-page times from the mousedown on Register (s)
        "progress_bar_gone_s": seen["bar_gone"],
        "metrics_heading_s": seen["heading"],
        "metrics_table_s": seen["metrics"],
        "registered_view_data_s": (float(drawn["receivedAt"]) - seen["down"]) / 1000,
        "registered_view_drawn_s": (float(drawn["drawnAt"]) - seen["down"]) / 1000,
        "registered_view_draw_ms": float(drawn["drawMs"]),
    }


def click(page, received: Received, vertex: int, previous: int | None) -> dict | None:
    """Click ``vertex`` on the map; the timings of the update, or None when no new focus came."""
    page.evaluate(f"document.querySelectorAll('.js-plotly-plot')[{MAP}].scrollIntoView({{block: 'center'}})")
    page.wait_for_timeout(300)
    pos = page.evaluate(NODE_POSITION, [MAP, vertex])
    page.evaluate(CLICK_TIMER, previous)
    page.evaluate(MARK)
    before = received.bytes
    page.mouse.click(pos["x"], pos["y"])
    try:
        page.wait_for_function("window.__clickToUpdate !== null", timeout=60_000, polling=50)
    except Exception:  # noqa: BLE001 - the click landed on empty space or on the previous focus
        return None
    result = page.evaluate("window.__clickToUpdate")
    page.wait_for_timeout(1500)  # the rerun has finished: count all its bytes
    stamps = page.evaluate(STAMPS)
    down = page.evaluate("window.__mousedownAt")
    views = [stamps[i] for i in (MOVING, FIXED, REGISTERED)]
    replaced = page.evaluate(REPLACED)
    if "sentAt" not in stamps[MAP]:  # the map itself was replaced: time from the mousedown
        stamps[MAP]["sentAt"] = str(down)
    sent = float(stamps[MAP]["sentAt"])
    received_at = [float(s["receivedAt"]) for s in views if float(s["receivedAt"]) > sent]
    drawn_at = [float(s["drawnAt"]) for s in views if float(s["drawnAt"]) > sent]
    return {
        "focus": result["focus"],
        "updated_s": result["ms"] / 1000,
        "painted_s": result["painted_ms"] / 1000,
        "received_bytes": received.bytes - before,
        "mousedown_to_sent_ms": sent - down,
        "sent_to_first_3d_data_ms": min(received_at) - sent if received_at else None,
        "first_3d_data_to_last_3d_drawn_ms": max(drawn_at) - min(received_at)
        if received_at and drawn_at
        else None,
        "slowest_3d_draw_ms": max(
            (float(s["drawMs"]) for s in views if float(s["drawnAt"]) > sent), default=None
        ),
        "3d_views_redrawn": len(drawn_at),
        "charts_replaced": sum(replaced),
    }


def _median(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="registrations, one browser tab each")
    parser.add_argument("--clicks", type=int, default=8, help="map clicks after the first, in the last tab")
    args = parser.parse_args()
    exe = chromium_path()
    if exe is None:
        sys.exit("no Chromium found: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    load = [os.getloadavg()[0]]
    server = AppServer("karate")
    runs, clicks, first, missed = [], [], None, 0
    try:
        server.wait_healthy()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
            for r in range(args.runs):
                page, received = open_page(browser, server.url)
                runs.append(register(page))
                if r < args.runs - 1:
                    page.close()
            rng = np.random.default_rng(1)
            previous = None
            for vertex in rng.choice(VERTICES, args.clicks + 1, replace=False).tolist():
                row = click(page, received, vertex, previous)
                if row is None:
                    missed += 1
                    continue
                previous = row["focus"]
                if first is None:
                    first = row
                else:
                    clicks.append(row)
            page.close()
            browser.close()
    finally:
        server.stop()
    load.append(os.getloadavg()[0])
    overhead = [r["in_page_s"] - r["compute_total_s"] for r in runs]
    write(
        "registration_page",
        {
            "what": "Cortical registration page, synthetic subject (fsaverage5 warped, defaults) in headless "
            "Chromium (software GL): registration in the page vs its compute; map click until the three "
            "3D views mark the vertex (seconds unless named _ms)",
            "load_average_1min": {"before": load[0], "after": load[1]},
            "registration": {
                "in_page": summarize([r["in_page_s"] for r in runs]),
                "compute_total": summarize([r["compute_total_s"] for r in runs]),
                "overhead": summarize(overhead),
                "median_from_click": {
                    k: _median(runs, k)
                    for k in (
                        "progress_bar_gone_s",
                        "registered_view_data_s",
                        "registered_view_drawn_s",
                        "metrics_heading_s",
                        "metrics_table_s",
                        "registered_view_draw_ms",
                    )
                },
                "runs": runs,
            },
            "first_click": first,
            "click_to_3d_views_updated": summarize([c["updated_s"] for c in clicks]) if clicks else None,
            "click_to_3d_views_painted": summarize([c["painted_s"] for c in clicks]) if clicks else None,
            "median_per_click": {
                k: _median(clicks, k)
                for k in (
                    "received_bytes",
                    "mousedown_to_sent_ms",
                    "sent_to_first_3d_data_ms",
                    "first_3d_data_to_last_3d_drawn_ms",
                    "slowest_3d_draw_ms",
                    "3d_views_redrawn",
                    "charts_replaced",
                )
            },
            "clicks": clicks,
            "clicks_without_a_new_focus": missed,
        },
    )


if __name__ == "__main__":
    main()
