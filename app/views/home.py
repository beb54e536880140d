"""Home: what Nodescope is and what each page is for."""

import streamlit as st

st.title("Nodescope")
st.markdown(
    "See inside graph neural networks. Load a **graph**, a **mesh**, a **cortical surface** or a "
    "**panorama** from the sidebar: everything becomes one graph of nodes and edges, so every view "
    "and every analysis works on all of them. Select a node anywhere and every view follows."
)
c1, c2 = st.columns(2)
with c1:
    st.page_link("views/explorer.py", label="**Explorer**", icon=":material/hub:")
    st.markdown(
        "The graph as nodes and links, a 2D embedding of the node features (PCA at once, UMAP on "
        "request), a sortable node table and the details of the focus node. Click, box- or "
        "lasso-select in any view, or pick table rows: all views show the same selection."
    )
with c2:
    st.page_link("views/geometry.py", label="**3D & sphere**", icon=":material/public:")
    st.markdown(
        "Meshes, cortical surfaces and panoramas in 3D, beside a flat longitude/latitude map of "
        "the sphere. Pick a vertex on the map (or in 3D) and it lights up in both."
    )
c3, _ = st.columns(2)
with c3:
    st.page_link("views/attention.py", label="**Attention**", icon=":material/visibility:")
    st.markdown(
        "What each head of a trained GAT, GATv2, Graph Transformer or GraphGPS looks at: edges "
        "weighted by attention, a grid of every layer and head, whom the focus node attends to, and "
        "which heads actually matter when switched off."
    )
from app import state  # noqa: E402  (after the static text: importing it loads torch)

s = state.sample()
st.info(
    f"Loaded: **{s.name}** — a {s.kind} with {s.num_nodes:,} nodes and {s.num_edges:,} edges. "
    "Change it in the sidebar.",
    icon=":material/inventory_2:",
)
