"""Attention: which neighbors each head of an attention GNN looks at, and which heads matter."""

import math

import numpy as np
import pandas as pd
import streamlit as st

from nodescope.app import attention_data as ad
from nodescope.app import components as ui
from nodescope.app import model_state, permalink, state
from nodescope.app.model_state import ActiveModel
from nodescope.core.models import MODELS
from nodescope.core.sample import Sample
from nodescope.explain.attention import AttentionMaps
from nodescope.explain.attention_focus import focus_block, head_blocks
from nodescope.explain.focus import default_focus
from nodescope.explain.global_focus import global_locality
from nodescope.explain.learned import global_uniformity_warning
from nodescope.viz.attention_view import (
    attention_graph_figure,
    attention_matrix_figure,
    head_grid_figure,
    head_importance_figure,
    head_label,
)
from nodescope.viz.compare_view import difference_graph_figure
from nodescope.viz.global_attention_view import global_attention_figure, head_deviation_figure


def global_attention_views(s: Sample, fp: str, active: ActiveModel) -> None:
    """Views of one node's global attention: whom it attends to among all nodes, per layer and head."""
    st.subheader("Global attention")
    st.caption(
        "In global attention every node attends to every node, not only to its neighbors: for each "
        "head, the attending node's weights over all N nodes sum to 1, so a uniform head gives each node "
        "1/N. Weights are shown as multiples of that (× uniform; 1 = no preference). Only the focus "
        "node's rows are computed."
    )
    ui.take_chart_event("attn_global_graph")
    sel = state.selection()
    focus = sel.focus if sel.focus is not None else default_focus(active.data.edge_index, s.num_nodes)
    g = ad.global_focus(active, focus)
    ad.take_head_event(
        "attn_global_grid", g.layer_names, g.heads, layer_key=ad.GLOBAL_LAYER_KEY, head_key=ad.GLOBAL_HEAD_KEY
    )
    c_layer, c_head, c_note = st.columns([1, 1, 2])
    with c_layer:
        layer_choice = st.selectbox("Layer", g.layer_names, key=ad.GLOBAL_LAYER_KEY)
    with c_head:
        head_choice = st.selectbox("Head", ad.global_head_options(g, layer_choice), key=ad.GLOBAL_HEAD_KEY)
    with c_note:
        if sel.focus is None:
            st.caption(f"No node selected: showing node {s.node_label(focus)} (highest degree).")
        st.caption(f"{layer_choice}, {head_choice}")
    row = ad.global_row(g, layer_choice, head_choice)
    near, uniform, spread = global_locality(g, row)
    m_near, m_spread = st.columns(2)
    m_near.metric(
        "Attention on its 1-hop neighbors", f"{near:.1%}", f"{near - uniform:+.1%} vs uniform ({uniform:.1%})",
        delta_color="off",
    )  # fmt: skip
    m_spread.metric("Entropy / log N (1 = uniform over all nodes)", f"{spread:.3f}")
    uniform_note = global_uniformity_warning(g.stats["entropy_norm"].to_numpy())
    if uniform_note is not None:
        st.warning(uniform_note)

    left, right = st.columns([3, 2])
    with left:
        view = ad.global_view(s, fp, row, focus)
        fig = global_attention_figure(
            view.xy, view.edge_index, row[view.nodes], num_nodes=s.num_nodes, focus=view.focus,
            node_ids=view.nodes, title=view.title, **ad.global_node_style(s, fp, view, row, sel),
        )  # fmt: skip
        ui.chart(fig, "attn_global_graph", fp)
    with right:
        st.markdown(f"**Every head for node {s.node_label(focus)}** (× uniform on the most attended nodes)")
        blocks, labels, top = ad.global_strips(s, g)
        short = [head_label(i) for i in range(len(g.heads))]
        grid = head_grid_figure(
            blocks, layer_names=short, chosen=ad.global_chosen(g, layer_choice, head_choice), cell_px=44,
            zmax=top, value_name="× uniform", column_labels=labels,
        )  # fmt: skip
        ui.view(grid, "attn_global_grid", config={"displayModeBar": False})
        st.markdown("**Is global attention local?** Per head, for this node:")
        st.caption(
            "entropy_norm: 1 = uniform over all nodes, 0 = all on one node; effective_nodes: how many "
            "nodes a uniform row of that entropy covers; self / neighbors / beyond: the attention mass "
            "on the node, its 1-hop neighbors and all others (they sum to 1); neighbors_uniform: the "
            "neighbors' share if the head were uniform."
        )
        st.dataframe(
            g.stats.drop(columns="layer_name"), hide_index=True, width="stretch", height=240,
            column_config={c: st.column_config.NumberColumn(format="%.3f") for c in g.stats.columns[3:]},
        )  # fmt: skip

    st.markdown(f"**Whom node {s.node_label(focus)} attends to** ({head_choice}; α × N = × uniform)")
    for layer, tab in enumerate(st.tabs(g.layer_names)):
        with tab:
            st.dataframe(ad.global_ranked_table(s, g, layer, head_choice), hide_index=True, width="stretch")

    st.subheader("Which global heads matter")
    imp = ad.importance_summary(active)
    st.caption(
        "Each head switched off alone (its output zeroed), the change in test error: positive = the "
        "model needs that head. Specialization: the spread of these changes over heads; Focus: how much "
        "the most important heads attend to the same nodes (mean Jaccard overlap of their top 10 %)."
    )
    c_fig, c_numbers = st.columns([3, 1])
    with c_fig:
        ui.plot(
            head_deviation_figure(imp.deviation, g.layer_names, metric=imp.metric), "attn_global_importance"
        )
    with c_numbers:
        st.metric("Specialization", f"{100 * imp.specialization:.2f} points")
        st.metric("Focus", "n/a" if math.isnan(imp.focus) else f"{imp.focus:.2f}")


def compare_views(
    s: Sample, fp: str, a: ActiveModel, b: ActiveModel, m_a: AttentionMaps, weights_a: np.ndarray,
    layer_choice: str, head_choice: str, focus: int,
) -> None:  # fmt: skip
    """Model A (the page's) and model B side by side for the same node and head, and where they differ."""
    name_a, name_b = MODELS[a.key].title, model_state.compare_title(b)
    if a.key == b.key:  # two seeds of one model
        name_a = f"{name_a} ({a.origin})"
    st.subheader(f"{name_a} against {name_b}")
    m_b = ad.maps(b)
    if not m_b.layer_names:
        st.info(f"{name_b} has no attention on edges to compare (its attention is global).")
        return
    weights_b, what_b = ad.matching_weights(b, m_b, layer_choice, head_choice, m_a.layer_names)
    diff = ad.difference(m_a, weights_a, m_b, weights_b)
    differs = model_state.disagreement(s, a, b)
    sel = state.selection()
    view = ad.focus_view(s, fp, m_a, focus)
    style = ad.node_style(s, view, sel)
    local = {int(g): k for k, g in enumerate(view.nodes)}
    st.caption(
        f"The same node ({s.node_label(focus)}) and view for both: A = {name_a}, "
        f"{ad.describe_choice(layer_choice, head_choice)}; B = {name_b}, {what_b}. Right: B − A per edge "
        f"(red: B attends more, blue: A does; colors relative to the largest |B − A|, "
        f"{float(np.nan_to_num(np.abs(diff.difference)).max(initial=0)):.3f}); diamonds: nodes the two models "
        "predict differently."
    )
    c_a, c_b, c_diff = st.columns(3)
    with c_a:
        fig = attention_graph_figure(view.xy, view.edge_index, weights_a[view.edge_ids], node_ids=view.nodes,
                                     title=f"A: {name_a}", **style)  # fmt: skip
        ui.chart(fig, "attn_cmp_a", fp, height=420)
    with c_b:
        drawn_b = diff.on(view_edges(m_a, view), "b")
        fig = attention_graph_figure(view.xy, view.edge_index, np.nan_to_num(drawn_b), node_ids=view.nodes,
                                     title=f"B: {name_b}", **style)  # fmt: skip
        ui.chart(fig, "attn_cmp_b", fp, height=420)
    with c_diff:
        fig = difference_graph_figure(
            view.xy, view.edge_index, diff.on(view_edges(m_a, view)), node_ids=view.nodes,
            disagree=[local[v] for v in differs["node"] if v in local], names=("A", "B"), title="B − A",
            hover=style["hover"], selected=style["selected"], focus=style["focus"],
        )  # fmt: skip
        ui.chart(fig, "attn_cmp_diff", fp, height=420)
    c_edges, c_nodes = st.columns(2)
    with c_edges:
        st.markdown(f"**Edges whose attention differs most** (around node {s.node_label(focus)}, then all)")
        table = pd.concat([diff.ranked(10, touching=focus), diff.ranked(20)]).drop_duplicates()
        st.dataframe(table, hide_index=True, width="stretch", height=280)
    with c_nodes:
        st.markdown(f"**Nodes whose prediction differs**: {len(differs)} of {s.num_nodes}")
        if len(differs):
            st.dataframe(differs, hide_index=True, width="stretch", height=280)


def view_edges(m: AttentionMaps, view: ad.FocusView) -> np.ndarray:
    """(2, e) the drawn edges in global ids."""
    return m.edge_index[:, view.edge_ids]


s = state.sample()
fp = state.fingerprint(s)

st.title("Attention")
st.caption(
    "Each attention head gives every edge j → i a coefficient α: the share of node i's update that "
    "comes from j (each node's incoming α sum to 1 per head). Click a node anywhere to focus it; "
    "click a cell of the grid to open that head."
)
active = model_state.model_picker(s, fp, attention_only=True)
maps = ad.maps(active) if active is not None else None
other = None
if active is not None and maps is not None and maps.layer_names:
    other = model_state.compare_picker(s, fp, active, keys=ad.attention_keys(), widget_key=ad.COMPARE_KEY)
if active is not None and maps is not None:
    # A model that learned nothing, or attention that prefers no neighbor, is said so in words.
    for note in ad.learned_notes(active, maps):
        st.warning(note)
if active is not None and maps is not None and not maps.layer_names:
    if ad.has_global_attention(active):
        st.info(
            f"{active.key}: its local message passing (GIN) has no attention coefficients, so there are "
            "no edge maps; its global attention is shown instead."
        )
        global_attention_views(s, fp, active)
    else:
        st.info(f"{active.key} has no attention coefficients to show.")
elif active is not None and maps is not None:
    # Events first, so every view below draws what they chose.
    ui.take_chart_event("attn_graph")
    ui.take_chart_event("attn_matrix")
    for compared in ("attn_cmp_a", "attn_cmp_b", "attn_cmp_diff"):
        ui.take_chart_event(compared)
    ad.take_head_event("attn_grid", maps.layer_names, maps.heads)
    ad.take_head_event("attn_importance", maps.layer_names, maps.heads)
    sel = state.selection()
    focus = sel.focus if sel.focus is not None else default_focus(active.data.edge_index, s.num_nodes)

    c_layer, c_head, c_note = st.columns([1, 1, 2])
    with c_layer:
        layers = ad.layer_options(maps)
        permalink.choose("l", ad.LAYER_KEY, layers, permalink.layer_options_map(layers, ad.ROLLOUT))
        layer_choice = st.selectbox("Layer", layers, key=ad.LAYER_KEY)
    with c_head:
        heads = ad.head_options(maps, layer_choice)
        permalink.choose("h", ad.HEAD_KEY, heads, permalink.head_options_map(heads))
        head_choice = st.selectbox("Head", heads, key=ad.HEAD_KEY, disabled=layer_choice == ad.ROLLOUT)
    permalink.note("l", permalink.layer_code(layer_choice, layers, ad.ROLLOUT))
    permalink.note("h", permalink.head_code(head_choice))
    with c_note:
        if sel.focus is None:
            st.caption(f"No node selected: showing node {s.node_label(focus)} (highest degree).")
        st.caption(ad.describe_choice(layer_choice, head_choice))
    weights = ad.edge_weights(active, maps, layer_choice, head_choice)

    left, right = st.columns([3, 2])
    with left:
        view = ad.focus_view(s, fp, maps, focus)
        fig = attention_graph_figure(
            view.xy,
            view.edge_index,
            weights[view.edge_ids],
            node_ids=view.nodes,
            title=view.title,
            **ad.node_style(s, view, sel),
        )
        ui.chart(fig, "attn_graph", fp)
    with right:
        st.markdown(f"**Every head for node {s.node_label(focus)}** (the focus and its strongest sources)")
        chosen = ad.chosen_head(maps, layer_choice, head_choice)
        grid = head_grid_figure(head_blocks(maps, focus), layer_names=maps.layer_names, chosen=chosen)
        ui.view(grid, "attn_grid", config={"displayModeBar": False})
        nodes, block = focus_block(maps, weights, focus)
        matrix = attention_matrix_figure(
            block,
            [s.node_label(int(v)) for v in nodes],
            title=f"{ad.describe_choice(layer_choice, head_choice)}: node {s.node_label(focus)}",
            node_ids=nodes,
        )
        ui.chart(matrix, "attn_matrix", fp, height=int(matrix.layout.height))

    if other is not None:
        compare_views(s, fp, active, other, maps, weights, layer_choice, head_choice, focus)

    st.subheader(f"Whom node {s.node_label(focus)} attends to, and who attends to it")
    tabs = st.tabs(maps.layer_names)
    for layer, tab in enumerate(tabs):
        with tab:
            into, out = ad.ranked_tables(s, maps, focus, layer, head_choice)
            a, b = st.columns(2)
            a.markdown("**It attends to** (incoming α)")
            a.dataframe(into, hide_index=True, width="stretch")
            b.markdown("**Attended by** (its α in their updates)")
            b.dataframe(out, hide_index=True, width="stretch")

    st.subheader("Attention salience vs causal importance")
    st.caption(
        "Salience: how peaked a head's attention is. Causal importance (after DARTS-GT): how much the "
        "test error changes when that head alone is switched off. Heads far apart on the two axes are "
        "where attention maps mislead."
    )
    table = ad.head_table(active, maps)
    c_plot, c_table = st.columns([3, 2])
    with c_plot:
        fig = head_importance_figure(
            table["layer"].to_numpy() - 1,
            table["head"].to_numpy() - 1,
            table["salience"].to_numpy(),
            table["importance"].to_numpy(),
            salience_name="salience",
        )
        ui.view(fig, "attn_importance", config=ui.CHART_CONFIG, height=380)
    with c_table:
        summary = ad.importance_summary(active)
        st.metric("Specialization (std of importance over heads)", f"{summary.specialization:.4f}")
        st.metric("Focus (top-head overlap, Jaccard)", f"{summary.focus:.2f}")
        st.dataframe(table, hide_index=True, width="stretch", height=260)
        st.download_button(
            "Download head table (CSV)",
            lambda: table.to_csv(index=False).encode(),
            file_name=f"{s.name}-{active.key}-heads.csv",
            mime="text/csv",
            on_click="ignore",
        )
