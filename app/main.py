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

_PAGES = Path(__file__).parent / "views"
pages = [
    st.Page(_PAGES / "home.py", title="Home", icon=":material/home:", default=True),
    st.Page(_PAGES / "explorer.py", title="Explorer", icon=":material/hub:", url_path="explorer"),
    st.Page(_PAGES / "geometry.py", title="3D & sphere", icon=":material/public:", url_path="geometry"),
    st.Page(_PAGES / "attention.py", title="Attention", icon=":material/visibility:", url_path="attention"),
]
page = st.navigation(pages)
page.run()
# The sidebar loads the sample (torch, PyG: seconds on a cold start), so it is drawn after the
# page: the Home page's text shows at once and the sidebar fills in when the sample is ready.
from app import sidebar  # noqa: E402

sidebar.render()
