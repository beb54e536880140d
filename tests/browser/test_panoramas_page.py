"""The Panoramas page in a real browser: every chart draws, and a pick in one map marks every view.

The 15 views of the network, then the 13 maps of the depth super-resolution section (x4: its
input has 642 vertices, so its two input maps mark only picks among those).
"""

from __future__ import annotations

import pytest

from tests.browser.harness import ARTIFACTS
from tests.browser.plotly_js import CHART_COUNT, FOCUS_IDS, NODE_POSITION

pytestmark = pytest.mark.browser
APP_SOURCE = "room"
WAIT_MS = 180_000
VERTEX = 1500
#: Charts of the super-resolution section that draw the input's coarse vertices only.
SR_INPUT_CHARTS, SR_INPUT_VERTICES = (15, 23), 642


def test_picking_a_vertex_marks_it_in_every_map_and_both_point_clouds(app_server, page):
    lost: list[str] = []
    page.on("console", lambda m: lost.append(m.text) if "WebGL" in m.text and "lost" in m.text else None)
    page.goto(f"{app_server.url}/panoramas")
    page.wait_for_function(f"({CHART_COUNT})() >= 15", timeout=WAIT_MS)
    page.wait_for_function(f"({NODE_POSITION})([0, {VERTEX}]) !== null", timeout=WAIT_MS)
    pos = page.evaluate(NODE_POSITION, [0, VERTEX])
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_function(f"(({FOCUS_IDS})(0) || []).length > 0", timeout=WAIT_MS)
    picked = page.evaluate(FOCUS_IDS, 0)[0]  # the click may hit a neighbor: whichever it hit
    for chart in range(28):
        if chart in SR_INPUT_CHARTS and picked >= SR_INPUT_VERTICES:
            continue
        page.wait_for_function(f"(({FOCUS_IDS})({chart}) || []).includes({picked})", timeout=WAIT_MS)
    assert page.get_by_text(f"Vertex {picked}", exact=False).first.is_visible()
    assert not lost, lost
    page.screenshot(path=str(ARTIFACTS / "panoramas_pick.png"), full_page=True)
