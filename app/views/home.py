"""Home: what Nodescope is and what each page is for."""

import streamlit as st

from nodescope.app.pages import PAGES

st.title("Nodescope")
st.markdown(
    "See inside graph neural networks. Load a **graph**, a **mesh**, a **cortical surface**, a "
    "**panorama**, a **multivariate time series** or a **skeleton** from the sidebar: everything "
    "becomes one graph of nodes and edges, and the models behind each run on it. Select a node, "
    "vertex, sensor or joint anywhere and every view follows."
)
for row in range(0, len(PAGES), 2):
    for col, page in zip(st.columns(2), PAGES[row : row + 2], strict=False):
        with col:
            st.page_link(f"views/{page.script}", label=f"**{page.title}**", icon=page.icon)
            st.markdown(page.blurb)
from nodescope.app import state  # noqa: E402  (after the static text: importing it loads torch)

s = state.sample()
st.info(
    f"Loaded: **{s.name}** — a {s.kind} with {s.num_nodes:,} nodes and {s.num_edges:,} edges. "
    "Change it in the sidebar.",
    icon=":material/inventory_2:",
)
