"""``nodescope report`` in a real browser (issue 18 §6): the report opens from disk with no network and draws."""

from __future__ import annotations

import pytest

from nodescope.cli.main import main
from tests.browser.harness import ARTIFACTS
from tests.browser.plotly_js import CHART_TITLES
from tests.browser.test_export_html import open_offline

pytestmark = pytest.mark.browser

#: (chartIndex) -> trace types plotly drew in that chart.
TRACE_TYPES = "(i) => document.querySelectorAll('.js-plotly-plot')[i]._fullData.map(t => t.type)"
#: (chartIndex) -> how many bars that chart drew as SVG paths.
BARS_DRAWN = "(i) => document.querySelectorAll('.js-plotly-plot')[i].querySelectorAll('.bars path').length"


def test_the_report_opens_offline_and_every_figure_draws(page, tmp_path):
    out = tmp_path / "report"
    argv = ["report", "--source", "karate", "--fidelity-nodes", "4", "--out", str(out)]
    assert main(argv) == 0
    refused = open_offline(page, out / "report.html", charts=3)
    assert refused == []  # plotly.js is inlined: nothing asked of the network
    assert page.evaluate(TRACE_TYPES, 0) == ["bar", "scatter"]  # accuracy bars and the majority class
    assert page.evaluate(BARS_DRAWN, 0) == 3  # train, val, test
    assert page.evaluate(TRACE_TYPES, 1) == ["heatmap"]  # entropy per layer and head
    assert "depth 64" in page.evaluate(CHART_TITLES)  # the over-smoothing curves
    headings = page.locator("h2").all_inner_texts()
    assert headings == ["Accuracy", "Attention", "Explanation fidelity", "Over-smoothing"]
    assert page.locator("table").count() == 4 and "prob. Fid+" in page.locator("table").nth(2).inner_text()
    page.screenshot(path=str(ARTIFACTS / "report_offline.png"), full_page=True)
