"""The Time series page in a real browser: picking a series moves its forecast, neighborhood and attribution."""

from __future__ import annotations

import pytest

from tests.browser.harness import ARTIFACTS, AppServer
from tests.browser.plotly_js import CHART_TITLES as TITLES
from tests.browser.plotly_js import NODE_POSITION

pytestmark = pytest.mark.browser
WAIT_MS = 180_000


@pytest.fixture(scope="module")
def ts_server(tmp_path_factory):
    """The app on graph-var, with an empty disk cache: the page opens on the shipped forecaster.

    Training on the page is covered by tests/app/test_timeseries_page.py; here it would make
    the test's time depend on the machine's load (one epoch took over 180 s at load 20).
    """
    home = tmp_path_factory.mktemp("home")
    server = AppServer("graph-var", env={"NODESCOPE_HOME": str(home)})
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


def test_picking_a_series_moves_forecast_neighborhood_and_attribution(ts_server, page):
    page.goto(f"{ts_server.url}/timeseries")
    page.wait_for_function(f"({TITLES})().includes('Integrated Gradients of s00')", timeout=WAIT_MS)
    assert "s00: test-split forecasts" in page.evaluate(TITLES)

    pos = page.evaluate(NODE_POSITION, [0, 7])  # chart 0: the learned graph's node-link view
    assert pos is not None, "series 7 not drawn"
    page.mouse.click(pos["x"], pos["y"])
    moved = ("s07: test-split forecasts", "Integrated Gradients of s07", "learned edges into s07")
    condition = " && ".join(f"t.includes('{m}')" for m in moved)
    page.wait_for_function(f"(() => {{ const t = ({TITLES})(); return {condition}; }})()", timeout=WAIT_MS)
    assert page.get_by_text("Learned in-neighbors:").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "timeseries_pick.png"), full_page=True)
