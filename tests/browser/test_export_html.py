"""Sharing in a real browser (issue 18 §1-2): exported HTML works from disk with no network, and a
permalink opens the same view.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from nodescope.cli.main import main
from nodescope.viz.export_html import IMAGE_SIZE, PNG_SCALE
from tests.browser.harness import ARTIFACTS
from tests.browser.plotly_js import CHART_COUNT, CHART_TITLE, FOCUS_IDS

pytestmark = pytest.mark.browser
APP_SOURCE = "karate"
WAIT_MS = 90_000


def open_offline(page, path: Path, charts: int) -> list[str]:
    """Open ``path`` from file:// with every other request refused; returns the refused URLs."""
    refused: list[str] = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    page.context.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_function(f"({CHART_COUNT})() >= {charts}", timeout=WAIT_MS)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(gd => gd._fullData)",
        timeout=WAIT_MS,
    )
    return refused


def focus_of(page, chart: int) -> list[int]:
    return page.evaluate(f"({FOCUS_IDS})({chart})")


def test_exported_explorer_draws_offline_with_its_focus_and_saves_svg(page, tmp_path):
    out = tmp_path / "explorer.html"
    assert main(["export", "explorer", "--source", "karate", "--focus", "5", "--out", str(out)]) == 0
    refused = open_offline(page, out, charts=2)
    assert refused == []  # plotly.js is inlined: nothing asked of the network
    assert focus_of(page, 0) == [5] and focus_of(page, 1) == [5]  # graph and embedding mark node 5
    # The node points are drawn (WebGL scatter or SVG points, whichever the trace is).
    assert page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[0]._fullData.length") >= 2
    with page.expect_download(timeout=WAIT_MS) as download:
        page.get_by_role("button", name="Save SVG").first.click()
    svg = Path(download.value.path()).read_text()
    assert svg.startswith("<svg") and "Arial" in svg  # the publication preset's font
    with page.expect_download(timeout=WAIT_MS) as download:
        page.get_by_role("button", name="Save PNG").first.click()
    png = Path(download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (IMAGE_SIZE[0] * PNG_SCALE, IMAGE_SIZE[1] * PNG_SCALE)
    page.screenshot(path=str(ARTIFACTS / "export_explorer_offline.png"), full_page=True)


def test_exported_mesh_draws_offline(page, tmp_path):
    out = tmp_path / "geometry.html"
    assert main(["export", "geometry", "--source", "sphere-mesh", "--focus", "7", "--out", str(out)]) == 0
    assert open_offline(page, out, charts=2) == []
    types = page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[0]._fullData.map(t => t.type)")
    assert "mesh3d" in types
    assert focus_of(page, 1) == [7]


def test_a_permalink_opens_the_same_focus_and_head_and_downloads_offline_html(app_server, page, tmp_path):
    page.goto(f"{app_server.url}/attention?source=karate&f=5&m=gat&l=1&h=2")
    page.wait_for_function(f"({CHART_COUNT})() >= 4", timeout=WAIT_MS)
    page.wait_for_function(f"({CHART_TITLE})(2).includes('head 2')", timeout=WAIT_MS)
    assert "node 5" in page.evaluate(CHART_TITLE, 2)
    page.wait_for_function(f"(({FOCUS_IDS})(0) || [])[0] === 5", timeout=WAIT_MS)
    assert "f=5" in page.url and "h=2" in page.url  # the address still says what is shown
    with page.expect_download(timeout=WAIT_MS) as download:
        page.get_by_role("button", name="Download as HTML").click()
    out = tmp_path / "attention.html"
    download.value.save_as(out)
    page.screenshot(path=str(ARTIFACTS / "attention_permalink.png"), full_page=True)

    offline = page.context.new_page()
    assert open_offline(offline, out, charts=4) == []
    assert focus_of(offline, 0) == [5]
    assert "head 2" in offline.evaluate(CHART_TITLE, 2)
