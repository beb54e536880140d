"""Over-smoothing: how deep GNNs' node representations become alike, and what keeps them apart."""

import streamlit as st

from nodescope.app import components as ui
from nodescope.app import oversmoothing_data as od
from nodescope.app import state
from nodescope.explain.focus import default_focus, heatmap_nodes, node_titles
from nodescope.explain.oversmoothing import METRICS
from nodescope.viz.embedding_view import embedding_figure, shared_half_width
from nodescope.viz.graph_view import node_link_figure
from nodescope.viz.oversmoothing_view import (
    accuracy_depth_figure,
    centroid_graph_figure,
    distance_heatmap_figure,
    influence_figure,
    metric_curves_figure,
)

s = state.sample()
fp = state.fingerprint(s)
labeled = s.data.get("y") is not None

st.title("Over-smoothing")
st.caption(
    "Stack enough message-passing layers and every node ends up with the same representation. "
    "The curves show it per layer for plain and remedied models; below, one model layer by layer: "
    "move the layer slider and watch the nodes collapse."
)
results = od.sweeps(s, fp)

with st.expander("Recompute live", expanded=not results):
    c_models, c_depths, c_go = st.columns([3, 2, 1])
    live_models = c_models.multiselect(
        "Models",
        list(od.SWEEP_MODELS),
        default=[m for m in od.DEFAULT_CURVES if m in od.SWEEP_MODELS],
        format_func=lambda k: od.names([k])[k],
        key="os_live_models",
    )
    live_depths = c_depths.multiselect("Depths", list(od.DEPTHS), default=[2, 8, 32], key="os_live_depths")
    live_trained = c_go.checkbox(
        "Train each", key="os_live_trained", disabled=not labeled, help="Record test accuracy (minutes)."
    )
    if c_go.button("Run", type="primary", key="os_live_run", disabled=not (live_models and live_depths)):
        od.run_live(s, fp, live_models, sorted(live_depths), live_trained and labeled)

if not results:
    st.info(f"No precomputed sweep for {s.name}: run one above (seconds at initialization).")
else:
    kinds = [k for k in (od.UNTRAINED, od.TRAINED) if k in results]
    c_kind, c_metric, c_depth, c_log = st.columns([2, 2, 1, 1])
    kind = ui.one_of(
        c_kind,
        "radio",
        "Sweep",
        kinds,
        format_func=lambda k: "at initialization" if k == od.UNTRAINED else "trained",
        horizontal=True,
        key="os_kind",
    )
    sweep, origin = results[kind]
    metric = c_metric.selectbox(
        "Metric", list(METRICS), format_func=lambda m: METRICS[m].title, key="os_metric"
    )
    depth = c_depth.selectbox(
        "Depth", list(sweep.config.depths), index=len(sweep.config.depths) - 1, key=f"os_curve_depth_{kind}"
    )
    log_y = c_log.checkbox("Log scale", value=METRICS[metric].log_scale, key=f"os_log_{metric}")
    models = st.multiselect(
        "Models drawn",
        list(sweep.config.models),
        default=[m for m in od.DEFAULT_CURVES if m in sweep.config.models] or list(sweep.config.models),
        format_func=lambda k: od.names([k])[k],
        key=f"os_curve_models_{kind}",
    )
    st.caption(
        f"{METRICS[metric].description} Sweep {origin}: {len(sweep.config.models)} models × depths "
        f"{', '.join(map(str, sweep.config.depths))}, {sweep.config.seeds} seed(s)"
        + (", trained." if sweep.config.trained else ", at initialization.")
    )
    left, right = st.columns(2)
    with left:
        fig = metric_curves_figure(
            {m: sweep.curve(m, depth, metric) for m in models},
            metric_title=METRICS[metric].title,
            names=od.names(models),
            log_y=log_y,
            title=f"{METRICS[metric].title}, models of depth {depth}",
        )
        ui.plot(fig, "os_curves")
    with right:
        if od.TRAINED in results:
            trained_sweep, trained_origin = results[od.TRAINED]
            acc = {m: trained_sweep.accuracy(m) for m in trained_sweep.config.models}
            fig = accuracy_depth_figure(
                acc,
                names=od.names(list(acc)),
                title=f"Test accuracy vs depth ({trained_sweep.config.seeds} seed(s), {trained_origin})",
            )
            ui.plot(fig, "os_accuracy")
        else:
            st.info("No trained sweep for this graph: tick **Train each** under *Recompute live*.")

st.subheader("One model, layer by layer")
ui.take_chart_event("os_graph")
ui.take_chart_event("os_embedding")
sel = state.selection()
focus = sel.focus if sel.focus is not None else default_focus(s.data.edge_index, s.num_nodes)

c_model, c_depth, c_layer = st.columns([2, 1, 3])
key = c_model.selectbox(
    "Model", list(od.SWEEP_MODELS), format_func=lambda k: od.names([k])[k], key="os_probe_model"
)
depth = c_depth.selectbox("Depth", list(od.DEPTHS), index=od.DEPTHS.index(16), key="os_probe_depth")
layer = c_layer.slider("Layer", 0, depth, depth, key=f"os_layer_{depth}")
trained = od.trained_here(fp, key, depth)
c_note, c_color, c_train = st.columns([3, 2, 1])
if labeled:
    coloring = c_color.radio(
        "Node-link color: distance to class centroids", list(od.COLORINGS), key="os_coloring"
    )
    color_kind, color_caption = od.COLORINGS[coloring]
if trained is None:
    probe_tag = "initialization"
    probe = od.probe(fp, key, depth, probe_tag, s)
    what = "at initialization (seed 0, as in the sweep)"
    if labeled and c_train.button("Train it here", key="os_train"):
        od.train_probe(s, fp, key, depth)
else:
    probe_tag = f"trained here {id(trained[0])}"
    probe = od.probe(fp, key, depth, probe_tag, s, trained[0])
    what = f"trained here (test accuracy {trained[1]:.1%})"
c_note.caption(
    f"{od.names([key])[key]} with {depth} layers {what}; layer {layer} of {depth} (0 = its input). "
    "Click a node in either view to focus it."
)

hover = ui.hover_texts(fp, s)
style: dict = {"hover": hover, "selected": list(sel.nodes), "focus": sel.focus}
if labeled:
    style |= {"labels": s.data.y.numpy(), "label_names": s.label_names}
left, right = st.columns(2)
with left:
    xy = ui.layout_xy(fp, s)
    if labeled:
        fig = centroid_graph_figure(
            xy,
            s.data.edge_index.numpy(),
            od.centroid_values(fp, key, depth, layer, color_kind, probe, s.data.y),
            kind=color_kind,
            edge_image=ui.edge_image(fp, s),
            title=f"Layer {layer}: {coloring}",
            hover=hover,
            selected=list(sel.nodes),
            focus=sel.focus,
        )
    else:
        fig = node_link_figure(
            xy, s.data.edge_index.numpy(), edge_image=ui.edge_image(fp, s), title="No labels", **style
        )
    ui.chart(fig, "os_graph", fp, height=460)
    if labeled:
        st.caption(color_caption)
with right:
    projection = st.radio("Projection", ["PCA", "UMAP"], horizontal=True, key="os_projection")
    umap_xy = od.layer_umap(fp, key, depth, probe_tag, layer) if projection == "UMAP" else None
    if projection == "UMAP" and umap_xy is None:
        st.info(f"UMAP of layer {layer} is not computed yet (seconds; the first run after install ~30 s).")
        if st.button(f"Compute UMAP of layer {layer}", key="os_umap"):
            od.compute_layer_umap(fp, key, depth, probe_tag, layer, probe)
            st.rerun()
    elif umap_xy is not None:
        fig = embedding_figure(
            umap_xy, method="UMAP", title=f"Layer {layer}: UMAP of the representations", **style
        )
        ui.chart(fig, "os_embedding", fp, height=460)
        st.caption(
            "UMAP keeps who is near whom, not distances: its axes differ from layer to layer. "
            "Use PCA to see a layer shrink."
        )
    else:
        coords = od.embeddings(fp, key, depth, probe)
        r = shared_half_width(coords)
        fig = embedding_figure(
            coords[layer], method="PCA", title=f"Layer {layer}: PCA of the representations", **style
        )
        fig.update_layout(xaxis_range=[-r, r], yaxis_range=[-r, r])
        ui.chart(fig, "os_embedding", fp, height=460)
        st.caption(
            "Axes in units of the layer's root-mean-square node norm, the same range at every layer: "
            "a layer whose nodes become alike shrinks to the center."
        )

left, right = st.columns(2)
with left:
    nodes = heatmap_nodes(s, sel.nodes, od.HEATMAP_NODES)
    dist = od.distances(fp, key, depth, layer, tuple(int(v) for v in nodes), probe)
    fig = distance_heatmap_figure(
        dist,
        node_titles(s, nodes),
        title=f"Layer {layer}: cosine distance between {len(nodes)} nodes"
        + (" (sorted by class)" if labeled else ""),
    )
    ui.plot(fig, "os_heatmap")
with right:
    shares = od.influence(fp, key, depth, focus, probe)
    fig = influence_figure(shares, title=f"Where node {s.node_label(focus)}'s output comes from")
    ui.plot(fig, "os_influence")
    farther = 1.0 - float(shares.sum()) if shares.any() else 0.0
    st.caption(
        "Share of the Jacobian of the focus node's output with respect to each node's input, summed by "
        "hop distance (Xu et al. 2018)."
        + (f" {farther:.0%} comes from farther than {len(shares) - 1} hops." if farther > 0.005 else "")
        + ("" if sel.focus is not None else " No node selected: showing the highest-degree node.")
    )
