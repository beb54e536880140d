"""Nodescope's Streamlit entry point: page navigation and the shared sidebar.

Run with ``nodescope app`` (or ``streamlit run app/main.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run app/main.py` puts app/ (not the repository) on sys.path; the layers
# are top-level packages, so make the repository importable when not pip-installed.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

st.set_page_config(page_title="Nodescope", page_icon=":material/travel_explore:", layout="wide")

from app.pages import PAGES  # noqa: E402  (after the sys.path fix above)

_VIEWS = Path(__file__).parent / "views"
pages = [st.Page(_VIEWS / "home.py", title="Home", icon=":material/home:", default=True)]
pages += [st.Page(_VIEWS / p.script, title=p.title, icon=p.icon, url_path=p.url_path) for p in PAGES]
page = st.navigation(pages)
page.run()
# The sidebar loads the sample (torch, PyG: seconds on a cold start), so it is drawn after the
# page: the Home page's text shows at once and the sidebar fills in when the sample is ready.
from app import sidebar  # noqa: E402

sidebar.render()
