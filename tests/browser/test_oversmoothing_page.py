"""The Over-smoothing page in a real browser: moving the layer slider moves the embedding view."""

from __future__ import annotations

import pytest

from tests.browser.harness import ARTIFACTS

pytestmark = pytest.mark.browser
APP_SOURCE = "karate"
WAIT_MS = 90_000

# Title and point coordinates of the embedding view (the chart titled "Layer k: PCA ..."), or null.
EMBEDDING = """() => {
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const title = (gd._fullLayout && gd._fullLayout.title.text) || '';
    if (!title.includes('PCA')) continue;
    const xs = gd.data.filter((t) => t.customdata).map((t) => Array.from(t.x).map((v) => v.toFixed(4)));
    return JSON.stringify({title, xs});
  }
  return null;
}"""


def test_moving_the_layer_slider_changes_the_embedding_view(app_server, page):
    page.goto(f"{app_server.url}/oversmoothing")
    page.wait_for_function(f"({EMBEDDING})() !== null", timeout=WAIT_MS)
    before = page.evaluate(EMBEDDING)
    assert "Layer 16" in before

    slider = page.get_by_role("slider").first
    slider.focus()
    for _ in range(14):  # layer 16 -> 2
        slider.press("ArrowLeft")

    page.wait_for_function(f"({EMBEDDING})().includes('Layer 2:')", timeout=WAIT_MS)
    after = page.evaluate(EMBEDDING)
    assert after != before.replace("Layer 16", "Layer 2")  # the points moved, not only the title
    page.screenshot(path=str(ARTIFACTS / "oversmoothing_layer_slider.png"), full_page=True)
