"""Both hemispheres in one 3D view (issue 18 item 7): a pick on the rh half moves the one selection."""

from __future__ import annotations

import pytest

from tests.browser.harness import ARTIFACTS, press_on_3d
from tests.browser.plotly_js import CHART_COUNT, FOCUS_IDS

pytestmark = pytest.mark.browser
APP_SOURCE = "fsaverage5-left"
WAIT_MS = 120_000
N_LH = 10242  # fsaverage5's lh: pair ids of the rh start here


def test_a_pick_on_the_rh_half_moves_the_selection_in_every_view(app_server, page):
    page.goto(f"{app_server.url}/geometry")
    page.wait_for_function(f"({CHART_COUNT})() >= 2", timeout=WAIT_MS)
    page.get_by_text("Both hemispheres", exact=True).click()
    page.get_by_text("Both hemispheres are real").wait_for(timeout=WAIT_MS)
    page.wait_for_function(
        "(() => { const gd = document.querySelectorAll('.js-plotly-plot')[0];"
        f" return gd && gd._fullData && gd._fullData[0].x.length === {2 * N_LH}; }})()",
        timeout=WAIT_MS,
    )
    press_on_3d(page, 0, fx=0.7, fy=0.5)  # seen from above: the rh is the right half
    page.wait_for_function(f"(({FOCUS_IDS})(0) || [])[0] >= {N_LH}", timeout=WAIT_MS)
    picked = page.evaluate(FOCUS_IDS, 0)[0]
    page.wait_for_function(f"(({FOCUS_IDS})(1) || [])[0] === {picked}", timeout=WAIT_MS)  # the map follows
    page.get_by_role("heading", name=f"Node {picked} · rh {picked - N_LH}").wait_for(timeout=WAIT_MS)
    assert "Traceback" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "hemispheres_pick.png"), full_page=True)
