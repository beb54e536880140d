"""The Pipeline page in a real browser: a run survives a widget's rerun and draws its Gantt chart; a clicked node shows its chunk."""

from __future__ import annotations

import pytest

from tests.browser.harness import ARTIFACTS
from tests.browser.plotly_js import CHART_TITLES, CHART_WITH_TITLE, FOCUS_IDS, NODE_POSITION

pytestmark = pytest.mark.browser
WAIT_MS = 180_000


def test_a_run_draws_its_gantt_chart_and_a_clicked_node_shows_its_chunk(app_server, page):
    page.goto(f"{app_server.url}/pipeline")
    main = page.get_by_test_id("stMain")
    epochs = main.get_by_role("slider").nth(3)  # depth, chunks, staleness, epochs
    epochs.focus()
    epochs.press("Home")  # 5 epochs: the shared machine is slow
    main.get_by_text("5", exact=True).first.wait_for(timeout=WAIT_MS)
    main.get_by_role("button", name="Run").click()
    main.get_by_text("Training: epoch").first.wait_for(timeout=WAIT_MS)  # the page polls the run
    main.get_by_text("Read a run's results").click()
    field = main.get_by_label("Results file")
    field.fill("not-a-file.json")
    field.press("Enter")  # a widget's rerun mid-run: the run goes on, its result still shows
    for title in ("stages × time", "Colored by chunk (4)", "Dirichlet energy per layer"):
        page.wait_for_function(f"({CHART_TITLES})().includes('{title}')", timeout=WAIT_MS)
    (graph,) = page.evaluate(CHART_WITH_TITLE, "Colored by chunk")
    page.evaluate(
        f"document.querySelectorAll('.js-plotly-plot')[{graph}].scrollIntoView({{block: 'center'}})"
    )
    page.wait_for_timeout(500)
    pos = page.evaluate(NODE_POSITION, [graph, 33])
    assert pos is not None, "node 33 is not drawn"
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_function(f"(({FOCUS_IDS})({graph}) || []).includes(33)", timeout=WAIT_MS)
    main.get_by_text("Node 33", exact=True).wait_for(timeout=WAIT_MS)
    assert "of 4" in main.locator("p", has_text="Node 33").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "pipeline_pick.png"), full_page=True)
