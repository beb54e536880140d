"""The Explanations page in a real browser: a click on the whole-graph map explains that node."""

from __future__ import annotations

import pytest

from tests.browser.harness import ARTIFACTS, AppServer
from tests.browser.plotly_js import CHART_COUNT, FOCUS_IDS, NODE_POSITION

pytestmark = pytest.mark.browser
WAIT_MS = 120_000


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """Karate club, with reviews kept in a temporary database (not the user's)."""
    db = tmp_path_factory.mktemp("reviews") / "reviews.sqlite3"
    server = AppServer("karate", env={"NODESCOPE_REVIEWS_DB": str(db)})
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


def test_click_on_the_map_explains_that_node(app_server, page):
    page.goto(f"{app_server.url}/explanations")
    page.wait_for_function(f"({CHART_COUNT})() >= 6", timeout=WAIT_MS)  # map, contributions, 4 subgraphs
    page.wait_for_function(f"({NODE_POSITION})([0, 33]) !== null", timeout=WAIT_MS)
    before = page.evaluate(f"(({FOCUS_IDS})(0) || [])[0]")
    node = 33 if before != 33 else 0

    pos = page.evaluate(NODE_POSITION, [0, node])
    page.mouse.click(pos["x"], pos["y"])

    page.get_by_role("heading", name=f"Node {node}", exact=True).wait_for(timeout=WAIT_MS)
    page.get_by_role("heading", name=f"Node {node} under every explainer").wait_for(timeout=WAIT_MS)
    page.wait_for_function(f"(({FOCUS_IDS})(0) || [])[0] === {node}", timeout=WAIT_MS)
    # charts: 0 the map, 1 the cue contributions, 2 X-Node's explanation subgraph, then the post-hoc ones
    page.wait_for_function(f"(({FOCUS_IDS})(2) || [])[0] === {node}", timeout=WAIT_MS)
    page.get_by_text("Predicted").first.wait_for(timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "explanations_click.png"), full_page=True)
