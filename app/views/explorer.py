"""Explorer: node-link view, embedding view, node table and detail panel, all on one selection."""

import numpy as np
import streamlit as st

from nodescope.app import components as ui
from nodescope.app import permalink, state
from nodescope.explain.embedding import umap_2d
from nodescope.viz.embedding_view import embedding_figure
from nodescope.viz.graph_view import node_link_figure
from nodescope.viz.node_style import color_options

s = state.sample()
fp = state.fingerprint(s)

# Events first, so every view below draws the selection they produce (one rerun, not two).
ui.take_chart_event("nodelink")
ui.take_chart_event("embedding")
table_rows = st.session_state.get("node_table_index")
if table_rows is not None:
    only_selected_shown = bool(st.session_state.get("only_selected", False))
    ui.take_table_event(
        f"node_table_{fp}_{only_selected_shown}",
        lambda r: table_rows[r],
        within_selection=only_selected_shown and bool(state.selection().nodes),
    )
sel = state.selection()

st.title("Explorer")
c_color, c_info = st.columns([1, 3])
with c_color:
    permalink.choose("c", f"color_by_{fp}", color_options(s))  # a copied link's coloring, once
    color_choice = st.selectbox("Color nodes by", color_options(s), key=f"color_by_{fp}")
    permalink.note("c", color_choice)
with c_info:
    st.caption(
        "Click a node to focus it; box or lasso select from the chart toolbar; drag pans, scroll zooms. "
        "The table's rows select too. Every view shows the same selection."
    )
style = ui.node_colors(s, fp, color_choice) | {
    "hover": ui.hover_texts(fp, s),
    "selected": sel.nodes,
    "focus": sel.focus,
}

left, right = st.columns([3, 2])
with left:
    fig = node_link_figure(
        ui.layout_xy(fp, s),
        s.data.edge_index.numpy(),
        edge_image=ui.edge_image(fp, s),
        title="Graph",
        **style,
    )
    ui.chart(fig, "nodelink", fp)

with right:
    umaps: dict = st.session_state.setdefault("umap", {})
    method = "PCA"  # a choice appears once there is one: after UMAP was computed
    if fp in umaps:
        method = st.radio("Embedding", ["PCA", "UMAP"], horizontal=True, key=f"embed_method_{fp}")
    coords = umaps[fp] if method == "UMAP" else ui.pca_xy(fp, s)
    fig = embedding_figure(coords, method=method, **style)
    ui.chart(fig, "embedding", fp, height=460)
    if fp not in umaps and st.button(
        "Compute UMAP", help="Takes seconds; the first run after install ~30 s."
    ):
        bar = st.progress(0.0, text="UMAP: starting…")
        umaps[fp] = umap_2d(
            s.data.x.numpy(), on_progress=lambda f, msg: bar.progress(min(f, 1.0), text=f"UMAP: {msg}")
        )
        st.session_state[f"embed_method_{fp}"] = "UMAP"  # show what the user just waited for
        st.rerun()

detail, table = st.columns([2, 3])
with detail:
    ui.node_detail(s, fp)
with table:
    only_selected = st.toggle("Only selected nodes", key="only_selected", disabled=not sel.nodes)
    df = ui.node_frame(fp, s)
    df["selected"] = np.isin(df["node"].to_numpy(), sel.nodes)
    if only_selected and sel.nodes:
        df = df[df["selected"]]
    st.session_state["node_table_index"] = df["node"].to_numpy()
    st.dataframe(
        df,
        key=f"node_table_{fp}_{only_selected}",
        on_select="rerun",
        selection_mode="multi-row",
        hide_index=True,
        height=420,
        width="stretch",
        column_config={"selected": st.column_config.CheckboxColumn("★", help="in the current selection")},
    )
    st.download_button(  # a callable: the CSV is built on click, not on every rerun
        "Download table (CSV)",
        lambda: df.to_csv(index=False).encode(),
        file_name=f"{s.name}-nodes.csv",
        mime="text/csv",
        on_click="ignore",
    )
