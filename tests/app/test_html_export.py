""" "Download as HTML" on every page (issue 18 §1): the figures the page drew, with its focus."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from nodescope.app.html_export import document
from nodescope.app.pages import PAGES
from tests.app.pages import MAIN

TIMEOUT = 300
#: A page per sample it draws, and the figures it keeps at least.
CASES = [("explorer", "karate", 2), ("geometry", "sphere-mesh", 2), ("attention", "karate", 4)]


def _labels(at: AppTest) -> list[str]:
    return [e.proto.label for e in at.get("download_button")]


@pytest.mark.parametrize(("path", "source", "figures"), CASES)
def test_the_page_offers_its_figures_as_one_html_file(path, source, figures):
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.query_params["source"] = source
    at.query_params["f"] = "3"
    at.switch_page(f"views/{path}.py")
    at.run()
    assert not at.exception, at.exception
    assert "Download as HTML" in _labels(at)
    kept = at.session_state["page_figures"]
    assert len(kept) >= figures
    info = next(p for p in PAGES if p.url_path == path)
    html = document(info, kept, "subtitle").decode()
    assert html.count('class="figure"') == len(kept)
    assert '"name":"focus"' in html or '"focus 3"' in html  # the focus mark travels with the figures


def test_home_has_no_download():
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.query_params["source"] = "karate"
    at.run()
    assert not at.exception, at.exception
    assert "Download as HTML" not in _labels(at)
