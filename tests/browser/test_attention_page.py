"""The Attention page in a real browser: a click on a head in the grid opens that head everywhere."""

from __future__ import annotations

import pytest

from tests.browser.harness import ARTIFACTS
from tests.browser.plotly_js import CHART_COUNT, CHART_TITLE

pytestmark = pytest.mark.browser
APP_SOURCE = "karate"
WAIT_MS = 90_000

# Center (page pixels) of subplot `axis` ("" for the first, "3" for the third) of chart `chart`.
SUBPLOT_CENTRE = """([chart, axis]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[chart];
  const xa = gd._fullLayout['xaxis' + axis], ya = gd._fullLayout['yaxis' + axis];
  const box = gd.getBoundingClientRect();
  return {x: box.left + xa._offset + xa._length / 2, y: box.top + ya._offset + ya._length / 2};
}"""
# Edge count per attention bin of the node-link view (chart 0): changes when the weights do.
EDGE_BINS = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  return JSON.stringify(gd.data.filter((t) => (t.name || '').startsWith('α')).map((t) => t.x.length));
}"""


def test_click_on_a_head_opens_it_in_the_large_map_and_the_node_link_view(app_server, page):
    page.goto(f"{app_server.url}/attention")
    page.wait_for_function(f"({CHART_COUNT})() >= 4", timeout=WAIT_MS)
    page.wait_for_function(f"({CHART_TITLE})(2).includes('mean over heads')", timeout=WAIT_MS)
    before = page.evaluate(EDGE_BINS)

    center = page.evaluate(SUBPLOT_CENTRE, [1, "3"])  # layer 1, head 3
    page.mouse.click(center["x"], center["y"])

    page.wait_for_function(f"({CHART_TITLE})(2).includes('head 3')", timeout=WAIT_MS)
    page.wait_for_function(f"({EDGE_BINS})() !== {before!r}", timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "attention_head_click.png"), full_page=True)


# The node colors (× uniform) of the global-attention view (chart 0 once GraphGPS is chosen).
GLOBAL_COLORS = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  const nodes = gd && gd.data.find((t) => t.name === 'nodes');
  return nodes ? JSON.stringify(Array.from(nodes.marker.color)) : '';
}"""


def test_gps_grid_click_opens_that_head_in_the_global_view(app_server, page):
    page.goto(f"{app_server.url}/attention")
    page.wait_for_function(f"({CHART_COUNT})() >= 4", timeout=WAIT_MS)
    page.get_by_role("combobox", name="Model").click()
    page.get_by_role("option", name="GraphGPS").click()
    page.wait_for_function(f"({CHART_TITLE})(0).startsWith('Global attention')", timeout=WAIT_MS)
    page.wait_for_function(f"({CHART_COUNT})() == 2", timeout=WAIT_MS)
    before = page.evaluate(GLOBAL_COLORS)

    center = page.evaluate(SUBPLOT_CENTRE, [1, "7"])  # second layer, head 3 (4 heads per row)
    page.mouse.click(center["x"], center["y"])

    page.get_by_text("attention 2, head 3", exact=True).wait_for(timeout=WAIT_MS)
    page.wait_for_function(f"({GLOBAL_COLORS})() !== {before!r}", timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "attention_global_head_click.png"), full_page=True)
