"""Click-to-update latency: app.plotly_view (Plotly.react in place) vs st.plotly_chart (remount).

Runs tests/browser/plotly_view_app.py on a 3,000-node random graph with community structure
(average degree 8, like bench_app.py's) drawn by viz.graph_view.node_link_figure, beside an
embedding view of the same nodes. For each mode, one page, one warm-up click, then CLICKS
clicks on random nodes of the node-link view, each timed from the mouse click until BOTH
views hold the new focus node in their "focus" trace ("updated", the criterion of
bench_app.py) and until the next two animation frames have run ("painted": WebGL drawing in
software GL happens in those frames). Also records how often each chart div was replaced
(remounts) and, for the component, the medians of its phases from its own timestamps:
click -> event sent, sent -> first chart's new data received (websocket + Python rerun),
received -> both charts drawn (JSON parse + Plotly.react, and any frame painted meanwhile).
A third run draws the node-link edges as a WebGL line trace instead of one image (see MODES)
to show what that trace costs in software GL.

Writes benchmarks/results/plotly_view.json. Medians; one machine, one run.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import summarize, write  # noqa: E402

from tests.browser.harness import CHROMIUM_ARGS, chromium_path  # noqa: E402
from tests.browser.plotly_js import CHART_COUNT, FOCUS_IDS, NODE_POSITION  # noqa: E402
from tests.browser.test_plotly_view import SCRIPT, ScriptServer  # noqa: E402

NODES = 3000
CLICKS = 8
TIMEOUT_MS = 120_000
#: What is compared: result name -> the test app's query string.
MODES = {
    "component": "mode=component",
    "plotly_chart": "mode=plotly_chart",
    # What the app no longer does at this size: the node-link view's edges as a WebGL line trace
    # (not one image), which software GL takes ~0.5-1 s to redraw on every update.
    "component_edges_as_lines": "mode=component&edges=lines",
}
MARK = "document.querySelectorAll('.js-plotly-plot').forEach(gd => { gd.__bench = true; })"
REPLACED = "Array.from(document.querySelectorAll('.js-plotly-plot'), gd => !gd.__bench)"


#: Resolves after the next two animation frames: the update has been painted.
PAINTED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
#: The component's timestamps (performance.now() ms) of each chart: event sent, data received, drawn.
STAMPS = "Array.from(document.querySelectorAll('.js-plotly-plot'), gd => ({...gd.dataset}))"


def run_mode(browser, url: str, query: str) -> dict:
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    t0 = time.perf_counter()
    page.goto(f"{url}/?{query}")
    page.wait_for_function(f"({CHART_COUNT})() === 2", timeout=TIMEOUT_MS)
    for chart in (0, 1):
        page.wait_for_function(f"({NODE_POSITION})([{chart}, 0]) !== null", timeout=TIMEOUT_MS, polling=50)
    first_draw = time.perf_counter() - t0
    rng = np.random.default_rng(1)
    updated, painted, remounts, previous = [], [], [0, 0], None
    phases: dict[str, list[float]] = {"click_to_sent": [], "sent_to_data": [], "data_to_both_drawn": []}
    react_ms: list[float] = []
    for k, node in enumerate(rng.choice(NODES, CLICKS + 1, replace=False).tolist()):
        page.evaluate(MARK)
        pos = page.evaluate(NODE_POSITION, [0, node])
        js_click = page.evaluate("performance.now()")
        t = time.perf_counter()
        page.mouse.click(pos["x"], pos["y"])
        # Points overlap, so the click may hit a neighbor of `node`: wait for both views to
        # agree on a new focus (their figure state), then for it to be painted.
        page.wait_for_function(
            f"(() => {{ const a = (({FOCUS_IDS})(0) || [])[0], b = (({FOCUS_IDS})(1) || [])[0];"
            f" return a !== undefined && a === b && a !== {json.dumps(previous)}; }})()",
            timeout=TIMEOUT_MS,
            polling="raf",
        )
        t_updated = time.perf_counter() - t
        page.evaluate(PAINTED)
        t_painted = time.perf_counter() - t
        previous = page.evaluate(f"(({FOCUS_IDS})(0) || [])[0]")
        # Let the rerun settle before the next click.
        page.wait_for_function(f"() => document.body.innerText.includes('\"handled\": {k + 1}')")
        time.sleep(0.5)
        if k == 0:
            continue  # warm-up: first event of the session
        updated.append(t_updated)
        painted.append(t_painted)
        replaced = page.evaluate(REPLACED)
        remounts = [r + int(x) for r, x in zip(remounts, replaced, strict=True)]
        if "component" in query:
            a, b = page.evaluate(STAMPS)
            phases["click_to_sent"].append(float(a["sentAt"]) - js_click)
            phases["sent_to_data"].append(float(a["receivedAt"]) - float(a["sentAt"]))
            phases["data_to_both_drawn"].append(
                max(float(a["drawnAt"]), float(b["drawnAt"])) - float(a["receivedAt"])
            )
            react_ms.append(max(float(a["drawMs"]), float(b["drawMs"])))
    page.close()
    out = {
        "first_draw_s": first_draw,
        "click_to_both_views_updated": summarize(updated),
        "click_to_both_views_painted": summarize(painted),
        "chart_remounts": remounts,
    }
    if react_ms:
        out["median_ms"] = {name: statistics.median(v) for name, v in phases.items()}
        out["median_ms"]["plotly_react_slowest_chart"] = statistics.median(react_ms)
    return out


def main() -> None:
    exe = chromium_path()
    if exe is None:
        sys.exit("no Chromium found: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    server = ScriptServer(SCRIPT, env={"PV_NODES": str(NODES)})
    results: dict = {}
    try:
        server.wait_healthy()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
            for name, query in MODES.items():
                results[name] = run_mode(browser, server.url, query)
            browser.close()
    finally:
        server.stop()
    for what in ("updated", "painted"):
        c, s = (results[m][f"click_to_both_views_{what}"]["median_s"] for m in ("component", "plotly_chart"))
        results[f"speedup_median_{what}"] = s / c
    write(
        "plotly_view",
        {
            "what": f"click on a node of a {NODES}-node graph until both linked views show it (seconds), "
            f"app.plotly_view vs st.plotly_chart, {CLICKS} clicks each after one warm-up, headless Chromium",
            "results": results,
        },
    )


if __name__ == "__main__":
    main()
