"""The Skeletons page in a real browser: picking a joint in the 2D view moves the hop-wise attention."""

from __future__ import annotations

import pytest

from tests.browser.harness import ARTIFACTS
from tests.browser.plotly_js import CHART_TITLES as TITLES
from tests.browser.plotly_js import CHART_WITH_TITLE as CHART_WITH
from tests.browser.plotly_js import FOCUS_IDS, NODE_POSITION

pytestmark = pytest.mark.browser
APP_SOURCE = "skeleton-walk"
WAIT_MS = 180_000


def test_picking_a_joint_in_2d_moves_every_view_and_the_hop_attention(app_server, page):
    page.goto(f"{app_server.url}/skeletons")
    for title in ("attention from the left wrist", "Fusion across hops (left wrist", "SemGCN for contrast"):
        page.wait_for_function(f"({TITLES})().includes('{title}')", timeout=WAIT_MS)

    (two_d,) = page.evaluate(CHART_WITH, "2D input")
    pos = page.evaluate(NODE_POSITION, [two_d, 16])  # the right wrist
    assert pos is not None, "the right wrist is not drawn in 2D"
    page.mouse.click(pos["x"], pos["y"])
    for title in (
        "attention from the right wrist",
        "Fusion across hops (right wrist",
        "the right wrist takes",
    ):
        page.wait_for_function(f"({TITLES})().includes('{title}')", timeout=WAIT_MS)
    page.wait_for_function(f"!({TITLES})().includes('left wrist')", timeout=WAIT_MS)
    for text in ("2D input", "3D:", "HopFIR layer", "SemGCN for contrast"):
        (chart,) = page.evaluate(CHART_WITH, text)
        page.wait_for_function(f"(({FOCUS_IDS})({chart}) || []).includes(16)", timeout=WAIT_MS)
    assert page.get_by_text("Where the right wrist looks").is_visible()
    page.screenshot(path=str(ARTIFACTS / "skeletons_pick.png"), full_page=True)
