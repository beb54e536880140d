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


def _pick_builtin(page, title: str) -> None:
    page.get_by_role("combobox", name="Built-in sample").click()
    page.get_by_role("option", name=f"graph · {title}").click()


def test_a_selection_does_not_carry_over_to_the_next_dataset(app_server, page):
    # Issue 17: a click on karate's node 14, then loading another built-in, showed
    # "Selected: 1 node(s); focus 14" on the new graph (the chart's last click was applied again
    # because loading forgot which events had been handled), and it came back after "Clear".
    open_page(page, f"{app_server.url}/explorer", charts=2)
    click_node(page, chart=0, node=14)
    page.get_by_role("heading", name="Node 14").wait_for(timeout=WAIT_MS)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Selected: 1 node(s); focus 14").wait_for(timeout=WAIT_MS)

    for title, nodes in (("Les Misérables", 77), ("Stochastic block model", 600)):
        _pick_builtin(page, title)
        sidebar.get_by_text(f"{nodes} nodes", exact=False).first.wait_for(timeout=WAIT_MS)
        page.wait_for_function(f"({NODE_POSITION})([0, {nodes - 1}]) !== null", timeout=WAIT_MS)
        page.wait_for_timeout(1500)  # the reruns that used to re-apply the old click
        assert sidebar.get_by_text("Selected:").count() == 0, title
        assert page.get_by_role("heading", name="Node 14").count() == 0, title


def test_home_preloads_plotly_js_for_the_pages_with_charts(app_server, page):
    # Issue 19 (start-up): the preload's script was dropped by st.html's sanitizer, so plotly.js
    # (4.8 MB: ~2 s to fetch and compile in this browser) only started loading with the first chart.
    page.goto(app_server.url)
    page.get_by_text("Device:").wait_for(timeout=WAIT_MS)  # Home draws no chart; the sidebar is drawn
    page.wait_for_function(
        "window.Plotly !== undefined && window.Plotly.react !== undefined", timeout=WAIT_MS
    )
