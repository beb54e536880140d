"""Two models side by side in a real browser: a click in model B's view moves the focus of every view."""

from __future__ import annotations

import pytest

from tests.browser.harness import ARTIFACTS
from tests.browser.plotly_js import CHART_COUNT, CHART_TITLE, FOCUS_IDS, NODE_POSITION

pytestmark = pytest.mark.browser
APP_SOURCE = "karate"
WAIT_MS = 90_000
# The charts in page order once GATv2 is compared: A's node-link view, head grid, matrix, then
# A, B and B − A side by side, then salience vs importance.
B_VIEW, DIFF_VIEW = 4, 5


def focus_of(chart: int) -> str:
    return f"(({FOCUS_IDS})({chart}) || [])[0]"


def test_compare_with_gatv2_and_click_a_node_in_b(app_server, page):
    page.goto(f"{app_server.url}/attention")
    page.wait_for_function(f"({CHART_COUNT})() >= 4", timeout=WAIT_MS)
    page.get_by_role("combobox", name="Compare with").click()
    page.get_by_role("option", name="GATv2", exact=True).click()
    page.wait_for_function(f"({CHART_COUNT})() >= 7", timeout=WAIT_MS)
    page.wait_for_function(f"({CHART_TITLE})({DIFF_VIEW}) === 'B − A'", timeout=WAIT_MS)
    page.evaluate(f"document.querySelectorAll('.js-plotly-plot')[{B_VIEW}].scrollIntoView()")
    page.wait_for_function(f"({NODE_POSITION})([{B_VIEW}, 5]) !== null", timeout=WAIT_MS)
    pos = page.evaluate(NODE_POSITION, [B_VIEW, 5])
    page.mouse.click(pos["x"], pos["y"])
    for chart in (0, B_VIEW, DIFF_VIEW):  # one selection: every view follows
        page.wait_for_function(f"{focus_of(chart)} === 5", timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "attention_compare.png"), full_page=True)
