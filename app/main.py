"""Nodescope's Streamlit entry point: page navigation and the shared sidebar.

Run with ``nodescope app`` (or ``streamlit run app/main.py`` where Nodescope is installed).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from nodescope.app import permalink, warmup
from nodescope.app.pages import PAGES, PageInfo, wrong_kind_message
from nodescope.app.plotly_view import preload_plotly_js

st.set_page_config(page_title="Nodescope", page_icon=":material/travel_explore:", layout="wide")

_VIEWS = Path(__file__).parent / "views"


def _wrong_kind(info: PageInfo) -> bool:
    """Say in one line that the loaded sample is not for this page (and where it goes); True if so.

    Not ``st.stop``: the sidebar, drawn after the page, must still come.
    """
    from nodescope.app import state

    s = state.sample()
    message = wrong_kind_message(info, s.kind, s.name)
    if message is None:
        return False
    st.title(info.title)
    st.info(message, icon=":material/info:")
    return True


home = st.Page(_VIEWS / "home.py", title="Home", icon=":material/home:", default=True)
pages = [home] + [st.Page(_VIEWS / p.script, title=p.title, icon=p.icon, url_path=p.url_path) for p in PAGES]
# Twelve pages: the menu shows the first seven and "View more" (Home lists them all), so that the
# sidebar's data section and its messages stay in view on a laptop screen.
page = st.navigation(pages, expanded=7)
info = next((p for p in PAGES if p.url_path == page.url_path), None)
# plotly.js takes the browser ~1.5 s to fetch and compile. A page with charts has it start now,
# while this run imports torch and PyG; Home, which draws none, once the sidebar is drawn (so the
# browser's work does not slow the sample's loading) and before the user picks a page.
if page is not home:
    preload_plotly_js()
    # A page's imports wait for the warm-up's instead of running beside them: importing the
    # same modules from two threads at once left the Attention page without its charts.
    warmup.wait()
permalink.begin_run()
if info is None or not _wrong_kind(info):
    if info is not None:
        from nodescope.app import html_export

        html_export.begin_run()
        page.run()
        html_export.download_button(info)
    else:
        page.run()
# The sidebar loads the sample (torch, PyG: seconds on a cold start), so it is drawn after the
# page: the Home page's text shows at once and the sidebar fills in when the sample is ready.
warmup.wait()
from nodescope.app import sidebar, state  # noqa: E402

sidebar.render(info.url_path if info is not None else None)
if page is home:
    preload_plotly_js()
# The address records the view (source, focus, selection, model, layer, head): a copied link reproduces it.
selection = state.selection()
permalink.sync(permalink.current(selection.focus, selection.nodes))
