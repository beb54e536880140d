"""app.plotly_view in a real browser: clicks and box selections reach Python, every update after
the first goes through Plotly.react on the same chart div (no remount) without recalculating
the traces when only the selection changed, zoom survives reruns.

Runs tests/browser/plotly_view_app.py (two linked views of a 300-node graph). The charts are in
the page's own DOM (st.components.v2, no iframe), so tests/browser/plotly_js.py's helpers apply.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from tests.browser.harness import ARTIFACTS, REPO, AppServer, free_port
from tests.browser.plotly_js import CHART_COUNT, FOCUS_IDS, NODE_POSITION, SELECTED_IDS

pytestmark = pytest.mark.browser

SCRIPT = REPO / "tests" / "browser" / "plotly_view_app.py"
TIMEOUT_MS = 60_000

#: chartIndex -> how the chart was drawn: {newplots, reacts} counted by the component's JS.
DRAW_COUNTS = """
(i) => { const gd = document.querySelectorAll('.js-plotly-plot')[i];
  return gd ? {newplots: +(gd.dataset.newplots || 0), reacts: +(gd.dataset.reacts || 0)} : null; }
"""
#: chartIndex -> the x-axis range shown.
X_RANGE = "(i) => Array.from(document.querySelectorAll('.js-plotly-plot')[i]._fullLayout.xaxis.range)"


class ScriptServer(AppServer):
    """`streamlit run` of any script (AppServer runs app/main.py) with extra environment."""

    def __init__(self, script, env: dict[str, str] | None = None) -> None:
        import time

        self.started = time.perf_counter()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true"]
        cmd += ["--server.port", str(self.port), "--browser.gatherUsageStats", "false"]
        cmd += ["--server.fileWatcherType", "none"]
        full_env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
        self._launch(cmd, full_env)


@pytest.fixture(scope="module")
def view_server():
    server = ScriptServer(SCRIPT, env={"PV_NODES": "300"})
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


def status(page) -> dict:
    text = page.get_by_text("status {").inner_text()
    return json.loads(text.removeprefix("status "))


def open_views(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(f"({CHART_COUNT})() === 2", timeout=TIMEOUT_MS)
    for chart in (0, 1):
        page.wait_for_function(f"({NODE_POSITION})([{chart}, 0]) !== null", timeout=TIMEOUT_MS)


def click_node(page, chart: int, node: int, previous) -> int:
    """Click ``node`` in ``chart``; wait until both views focus the same new node; return it."""
    pos = page.evaluate(NODE_POSITION, [chart, node])
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_function(
        f"(() => {{ const a = (({FOCUS_IDS})(0) || [])[0], b = (({FOCUS_IDS})(1) || [])[0];"
        f" return a !== undefined && a === b && a !== {json.dumps(previous)}; }})()",
        timeout=TIMEOUT_MS,
    )
    return page.evaluate(f"(({FOCUS_IDS})(0) || [])[0]")


def test_clicks_update_both_views_in_place(view_server, page):
    open_views(page, view_server.url)
    # __calcdata: plotly's per-trace calculation, replaced whenever it recalculates the traces
    page.evaluate(
        "document.querySelectorAll('.js-plotly-plot').forEach((gd, i) => { gd.__marker = i; gd.__calcdata = gd.calcdata; })"
    )
    assert status(page)["handled"] == 0
    focus = None
    for k, (chart, node) in enumerate([(0, 7), (1, 123), (0, 250)], start=1):
        # Two clicks on one chart within plotly's doubleClickDelay (300 ms) are a double click,
        # which resets the zoom (a relayout that recalculates): click as a person would.
        page.wait_for_timeout(400)
        focus = click_node(page, chart, node, focus)
        page.wait_for_function(f"() => document.body.innerText.includes('\"handled\": {k}')")
        st = status(page)
        assert st["focus"] == focus and st["selected"] == 1
        assert st["kind"] == "click"  # clickmode "event": no plotly_selected from clicks
    # The same chart divs as before the clicks, drawn once by newPlot and then only by react.
    markers = page.evaluate("Array.from(document.querySelectorAll('.js-plotly-plot'), gd => gd.__marker)")
    assert markers == [0, 1]
    for chart in (0, 1):
        counts = page.evaluate(DRAW_COUNTS, chart)
        assert counts["newplots"] == 1 and counts["reacts"] >= 3, counts
    # The selection is drawn with layout shapes, and the component hands Plotly.react the arrays
    # it already has: no update recalculated (or redrew) the WebGL traces.
    recalculated = page.evaluate(
        "Array.from(document.querySelectorAll('.js-plotly-plot'), gd => gd.calcdata !== gd.__calcdata)"
    )
    assert recalculated == [False, False]
    page.screenshot(path=str(ARTIFACTS / "plotly_view_clicks.png"))


def test_box_selection_reaches_python(view_server, page):
    open_views(page, view_server.url)
    page.locator('.js-plotly-plot .modebar-btn[data-val="select"]').first.click()  # modebar "Box Select"
    box = page.evaluate("(() => { const r = document.querySelectorAll('.js-plotly-plot')[0]"
                        ".querySelector('.nsewdrag').getBoundingClientRect();"
                        " return {x: r.x, y: r.y, w: r.width, h: r.height}; })()")  # fmt: skip
    page.mouse.move(box["x"] + box["w"] * 0.3, box["y"] + box["h"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["w"] * 0.6, box["y"] + box["h"] * 0.6, steps=8)
    page.mouse.up()
    page.wait_for_function("() => document.body.innerText.includes('\"handled\": 1')", timeout=TIMEOUT_MS)
    st = status(page)
    assert st["kind"] == "select" and st["selected"] > 1, st
    # The redrawn chart outlines exactly the selected nodes.
    page.wait_for_function(f"(k) => ({SELECTED_IDS})(0).length === k", arg=st["selected"], timeout=TIMEOUT_MS)
    outlined = page.evaluate(SELECTED_IDS, 0)
    assert len(set(outlined)) == st["selected"] and None not in outlined


def test_zoom_survives_a_rerun(view_server, page):
    open_views(page, view_server.url)
    # A first selection adds the "selected" legend entry, which shrinks the plot area and so
    # (equal aspect) widens the x range: take it before zooming.
    first = click_node(page, 1, 42, None)
    before = page.evaluate(X_RANGE, 0)
    page.locator('.js-plotly-plot .modebar-btn[data-val="in"]').first.click()  # modebar "Zoom in"
    page.wait_for_function(f"() => ({X_RANGE})(0)[1] - ({X_RANGE})(0)[0] < {0.9 * (before[1] - before[0])}")
    zoomed = page.evaluate(X_RANGE, 0)
    # Click the node nearest the view's center (still visible after zooming in), not the focus.
    node = page.evaluate(
        """(first) => { const gd = document.querySelectorAll('.js-plotly-plot')[0];
        const tr = gd._fullData.find(t => t.name === 'nodes'); const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const cx = (xa.range[0] + xa.range[1]) / 2, cy = (ya.range[0] + ya.range[1]) / 2; let best = 0, d = Infinity;
        const ids = Array.from(tr.customdata);
        for (let k = 0; k < tr._length; k++) { const e = (tr.x[k] - cx) ** 2 + (tr.y[k] - cy) ** 2;
          if (e < d && ids[k] !== first) { d = e; best = k; } }
        return ids[best]; }""",
        first,
    )
    click_node(page, 0, node, first)
    after = page.evaluate(X_RANGE, 0)
    assert after == pytest.approx(zoomed, rel=1e-6), (before, zoomed, after)
