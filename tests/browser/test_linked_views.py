"""Linked views in a real browser: a click in one view moves every other view."""

from __future__ import annotations

import pytest

from tests.browser.harness import ARTIFACTS
from tests.browser.plotly_js import CHART_COUNT, FOCUS_IDS, NODE_POSITION

pytestmark = pytest.mark.browser
APP_SOURCE = "karate"
WAIT_MS = 60_000


def open_page(page, url: str, charts: int) -> None:
    page.goto(url)
    page.wait_for_function(f"({CHART_COUNT})() >= {charts}", timeout=WAIT_MS)
    # plotly draws asynchronously: wait until the node points exist in the data
    page.wait_for_function(f"({NODE_POSITION})([0, 0]) !== null", timeout=WAIT_MS)


def click_node(page, chart: int, node: int) -> None:
    pos = page.evaluate(NODE_POSITION, [chart, node])
    assert pos is not None, f"node {node} not drawn in chart {chart}"
    page.mouse.click(pos["x"], pos["y"])


def focus_of(chart: int) -> str:
    return f"(({FOCUS_IDS})({chart}) || [])[0]"


def test_click_in_node_link_view_updates_detail_and_embedding(app_server, page):
    open_page(page, f"{app_server.url}/explorer", charts=2)
    click_node(page, chart=0, node=5)
    page.get_by_role("heading", name="Node 5").wait_for(timeout=WAIT_MS)
    page.wait_for_function(f"{focus_of(1)} === 5", timeout=WAIT_MS)  # embedding view follows
    page.wait_for_function(f"{focus_of(0)} === 5", timeout=WAIT_MS)  # and the clicked view shows it
    page.screenshot(path=str(ARTIFACTS / "explorer_click.png"), full_page=True)


def test_click_in_embedding_view_moves_node_link_view(app_server, page):
    open_page(page, f"{app_server.url}/explorer", charts=2)
    click_node(page, chart=1, node=33)
    page.get_by_role("heading", name="Node 33").wait_for(timeout=WAIT_MS)
    page.wait_for_function(f"{focus_of(0)} === 33", timeout=WAIT_MS)
