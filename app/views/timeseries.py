"""Time series: the graph MTGNN learned among the series, its forecasts, and why each forecast."""

import numpy as np
import pandas as pd
import streamlit as st

from nodescope.app import components as ui
from nodescope.app import state
from nodescope.app import timeseries_data as td
from nodescope.explain.oversmoothing import METRICS
from nodescope.viz.oversmoothing_view import metric_curves_figure
from nodescope.viz.timeseries_view import (
    adjacency_heatmap_figure,
    attribution_bars_figure,
    attribution_heatmap_figure,
    forecast_figure,
    learned_graph_figure,
)

s = state.sample()
fp = state.fingerprint(s)
names = s.node_names or [f"series {j}" for j in range(s.num_nodes)]

st.title("Time series")
st.caption(
    "MTGNN learns a graph among the series from the data and forecasts along it. Pick a series in "
    "the graph, the heat map or the table: its forecast, its neighbors in the learned graph and why "
    "the model forecasts what it does all follow."
)

with st.expander("Train here", expanded=False):
    c1, c2, c3, c4, c5 = st.columns(5)
    chosen = td.Settings(
        window=int(c1.number_input("Window", 4, 512, td.Settings.window, key="ts_window")),
        horizon=int(c2.number_input("Horizon", 1, 48, td.Settings.horizon, key="ts_horizon")),
        layers=int(c3.number_input("Layers", 1, 5, td.Settings.layers, key="ts_layers")),
        epochs=int(c4.number_input("Epochs", 1, 100, td.Settings.epochs, key="ts_epochs")),
        seed=int(c5.number_input("Seed", 0, 10_000, 0, key="ts_seed")),
    )
    if st.button("Train", type="primary", key="ts_train"):
        td.train(s, fp, chosen)

fit = td.trained(s, fp, chosen) or td.shipped(fp, s)
if fit is None:
    st.info(
        f"No forecaster for {s.name} yet: open **Train here** and press **Train** "
        "(MTGNN on the first 60 % of the steps; seconds to minutes on a CPU).",
        icon=":material/model_training:",
    )
else:
    a = td.analysis(fp, fit.tag, fit, s)
    n = s.num_nodes
    ui.take_chart_event("ts_graph")
    ui.take_chart_event("ts_adjacency")
    table_key = f"ts_table_{fp}"
    ui.take_table_event(table_key, lambda r: r)
    sel = state.selection()
    focus = sel.focus if sel.focus is not None else 0
    base = a.baselines
    st.caption(
        f"MTGNN, {fit.origin} (window {fit.settings.window}, horizon {fit.settings.horizon}, "
        f"{fit.settings.layers} layers): test RSE **{a.scores['rse']:.4f}**, CORR {a.scores['corr']:.4f}; "
        f"persistence {base['persistence']['rse']:.4f}, AR {base['ar']['rse']:.4f}, VAR {base['var']['rse']:.4f}."
    )

    left, right = st.columns(2)
    with left:
        fig = learned_graph_figure(
            a.xy, a.edge_index, names, values=a.errors["rse"], value_title="test RSE",
            title=(
                f"Learned graph: {a.edge_index.shape[1]} of {a.num_edges} edges "
                f"(≥ {td.DRAWN_SHARE:.0%} of the strongest)"
            ),
            selected=list(sel.nodes), focus=focus,
        )  # fmt: skip
        ui.chart(fig, "ts_graph", fp, height=440)
    with right:
        fig = adjacency_heatmap_figure(
            a.adjacency, names, focus=focus, title="Learned adjacency (row = incoming)"
        )
        ui.chart(fig, "ts_adjacency", fp, height=440)
    if a.known is not None and a.agreement is not None:
        k_left, k_right = st.columns(2)
        with k_left:
            fig = adjacency_heatmap_figure(a.known, names, focus=focus, title="Known graph (row = incoming)")
            ui.plot(fig, "ts_known")
        with k_right:
            undirected = a.agreement["auroc_undirected"]
            st.metric("Agreement with the known graph (AUROC)", f"{a.agreement['auroc']:.3f}")
            st.caption(
                "The chance that a true edge j → i gets a larger learned weight than a non-edge "
                f"(0.5 = chance). Ignoring direction: {undirected:.3f}."
                if undirected is not None
                else "The chance that a true edge j → i outranks a non-edge (0.5 = chance)."
            )

    st.subheader(f"Series {names[focus]}")
    incoming = a.adjacency[focus]
    outgoing = a.adjacency[:, focus]
    ins = [f"{names[j]} ({incoming[j]:.2f})" for j in np.argsort(-incoming) if incoming[j] > 0 and j != focus]
    outs = [
        f"{names[j]} ({outgoing[j]:.2f})" for j in np.argsort(-outgoing) if outgoing[j] > 0 and j != focus
    ]
    st.caption(
        f"Test RSE {a.errors['rse'][focus]:.3f}, MAE {a.errors['mae'][focus]:.4g}. "
        f"Learned in-neighbors: {', '.join(ins) or 'none'}. Out-neighbors: {', '.join(outs) or 'none'}."
    )
    steps = s.time if s.time is not None else np.arange(s.data.x.shape[1])
    tail = max(0, int(a.target_rows[0]) - 2 * fit.settings.window)
    fig = forecast_figure(
        steps[tail:], s.data.x[focus, tail:].numpy(), steps[a.target_rows], a.forecast[:, focus],
        a.forecast[:, focus] - a.truth[:, focus], name=names[focus], test_start=steps[a.target_rows[0]],
        title=f"{names[focus]}: test-split forecasts, {fit.settings.horizon} step(s) ahead",
    )  # fmt: skip
    ui.plot(fig, "ts_forecast")

    st.subheader("Why this forecast")
    c_target, c_base = st.columns([3, 1])
    k = c_target.slider(
        "Test target (0 = first)", 0, len(a.target_rows) - 1, len(a.target_rows) - 1, key="ts_target"
    )
    baseline = c_base.radio("Baseline", ["zero", "mean"], horizontal=True, key="ts_baseline")
    result, usage = td.attribution(fp, fit.tag, focus, int(a.target_rows[k]), baseline, fit)
    left, right = st.columns(2)
    with left:
        fig = attribution_heatmap_figure(
            result.attribution, names, focus=focus,
            title=f"Integrated Gradients of {names[focus]}'s forecast (series × input step)",
        )  # fmt: skip
        ui.plot(fig, "ts_attribution")
    with right:
        fig = attribution_bars_figure(
            result.per_series, incoming, names, focus=focus,
            title=f"Attribution per series beside the learned edges into {names[focus]}",
        )  # fmt: skip
        ui.plot(fig, "ts_attribution_bars")

    def _pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.0%}"

    rank = usage["rank_correlation"]
    st.caption(
        f"Does the model use the edges it learned? {_pct(usage['in_neighbor_share'])} of the other series' "
        f"attribution lies on {names[focus]}'s {usage['in_neighbors']} learned in-neighbors "
        f"({_pct(usage['chance_share'])} if spread evenly), {_pct(usage['neighbor_share'])} on neighbors "
        f"either way; rank correlation with the learned weights "
        f"{'n/a' if rank is None else f'{rank:.2f}'}; the series' own past: {_pct(usage['self_share'])}. "
        f"Attributions sum to the forecast's move from the {baseline} baseline "
        f"({result.forecast - result.baseline_forecast:+.3g} scaled units)."
    )

    left, right = st.columns(2)
    with left:
        deg_in = (a.adjacency > 0).sum(1)
        deg_out = (a.adjacency > 0).sum(0)
        table = pd.DataFrame(
            {
                "series": names,
                "test RSE": a.errors["rse"],
                "test MAE": a.errors["mae"],
                "in-degree": deg_in,
                "out-degree": deg_out,
                "selected": [i in sel.nodes for i in range(n)],
            }
        )
        st.dataframe(table, key=table_key, on_select="rerun", selection_mode="single-row", height=360)
    with right:
        metric = st.selectbox(
            "Metric per layer", list(METRICS)[:2] + ["mad", "effective_rank"],
            format_func=lambda m: METRICS[m].title, key="ts_layer_metric",
        )  # fmt: skip
        curves = td.layer_metrics(fp, fit.tag, fit)
        fig = metric_curves_figure(
            {"mtgnn": curves[metric]}, metric_title=METRICS[metric].title, names={"mtgnn": "MTGNN"},
            log_y=METRICS[metric].log_scale, title="Over-smoothing per mix-hop layer, on the learned graph",
        )  # fmt: skip
        ui.plot(fig, "ts_layer_curves")
        st.caption("Layer 0: the input after the start convolution; layer k: after k mix-hop layers.")
