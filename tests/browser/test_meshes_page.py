"""The Meshes page in a real browser: a vertex picked in 3D moves the time-series panel and the
attention ring."""

from __future__ import annotations

import re

import pytest

from tests.browser.harness import ARTIFACTS, press_on_3d
from tests.browser.plotly_js import CHART_TITLES as TITLES
from tests.browser.plotly_js import FOCUS_IDS

pytestmark = pytest.mark.browser
APP_SOURCE = "ant"
WAIT_MS = 180_000


def _vertex(page) -> int:
    return int(re.search(r"Vertex (\d+) over time", page.evaluate(TITLES)).group(1))


def test_a_vertex_picked_in_3d_moves_the_series_and_the_attention_ring(app_server, page):
    page.goto(f"{app_server.url}/meshes")
    for title in ("Truth (solver), step 10", "over time", "First-layer attention from vertex"):
        page.wait_for_function(f"({TITLES})().includes('{title}')", timeout=WAIT_MS)
    before = _vertex(page)
    press_on_3d(page, 0, fx=0.45)  # the truth
    page.wait_for_function(
        f"!({TITLES})().includes('Vertex {before} over time') && /Vertex \\d+ over time/.test(({TITLES})())",
        timeout=WAIT_MS,
    )
    picked = _vertex(page)
    page.wait_for_function(
        f"({TITLES})().includes('attention from vertex {picked} over its')", timeout=WAIT_MS
    )
    for chart in range(4):  # truth, both models and the error mark it
        page.wait_for_function(f"(({FOCUS_IDS})({chart}) || [])[0] === {picked}", timeout=WAIT_MS)
    assert page.get_by_text(f"Where the transformer looks from vertex {picked}").is_visible()
    assert "Traceback" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "meshes_pick.png"), full_page=True)
