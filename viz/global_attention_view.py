"""Figures of one node's global attention (GraphGPS): whom it attends to among all nodes.

In global attention every node attends to every node; the attending node's row holds N
weights summing to 1 per head, so a uniform row gives each node 1/N. Weights are shown as
multiples of that, "× uniform" (alpha * N), on a color scale from 0 to at least 2: a
near-uniform row then looks flat instead of having its small differences stretched.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nodescope.viz.attention_view import ATTENTION_SCALE
from nodescope.viz.graph_view import EDGE_COLOR, EDGE_WIDTH, edge_segments, undirected_edges, with_global_ids
from nodescope.viz.nodes import auto_marker_size, node_scatter_traces, scatter_layout

#: The color scale of "× uniform" runs from 0 to at least this.
MIN_SCALE_TOP = 2.0
#: Node diameter grows with sqrt(× uniform), clipped to these multiples of the base size.
SIZE_RANGE = (0.6, 2.5)
SPOKE_COLOR = "rgba(106, 81, 163, 0.55)"


def global_attention_figure(
    xy: np.ndarray,
    edge_index: np.ndarray,
    weights: np.ndarray,
    *,
    num_nodes: int,
    focus: int,
    node_ids: np.ndarray | None = None,
    spokes: int = 10,
    title: str | None = None,
    **styling: object,
) -> go.Figure:
    """Node-link view colored and sized by how much the focus node attends to each node.

    Args:
        xy: (n, 2) positions of the drawn nodes (all N, or the most attended ones and the focus).
        edge_index: (2, e) graph edges among the drawn nodes, local ids (drawn thin and gray).
        weights: (n,) the focus node's attention to each drawn node (one head or an aggregate).
        num_nodes: N of the whole graph (a uniform row gives 1/N).
        focus: local id of the focus node (drawn with the focus ring).
        node_ids: (n,) global id of each drawn node (default 0..n-1): the points' customdata.
        spokes: lines from the focus to its ``spokes`` most attended other nodes.
        title: figure title.
        **styling: passed to :func:`viz.nodes.node_scatter_traces` (``hover``, ``selected``,
            ``marker_size``, ...) in local ids.

    Returns:
        Traces "graph edges", "most attended" (the spokes), then the node traces ("nodes"
        colored by × uniform, "selected (k)", "focus").
    """
    xy = np.asarray(xy, dtype=np.float64)
    ids = np.arange(len(xy)) if node_ids is None else np.asarray(node_ids)
    ratio = np.nan_to_num(np.asarray(weights, dtype=np.float64)) * num_nodes
    ex, ey = edge_segments(xy, undirected_edges(edge_index))
    edges = go.Scatter(
        x=ex, y=ey, mode="lines", name="graph edges", line={"color": EDGE_COLOR, "width": EDGE_WIDTH},
        hoverinfo="skip", showlegend=True,
    )  # fmt: skip
    order = np.argsort(-ratio, kind="stable")
    strongest = order[order != focus][:spokes]
    sx, sy = edge_segments(xy, np.stack([np.full(strongest.size, focus), strongest]))
    spoke_trace = go.Scatter(
        x=sx, y=sy, mode="lines", name=f"{strongest.size} most attended",
        line={"color": SPOKE_COLOR, "width": 1.5}, hoverinfo="skip",
    )  # fmt: skip
    size = float(styling.pop("marker_size", None) or auto_marker_size(len(xy)))  # type: ignore[arg-type]
    styling.setdefault("focus_label", str(ids[focus]))  # the node's own id, not its place in the view
    nodes = node_scatter_traces(
        xy, color=ratio, color_title="× uniform", colorscale=ATTENTION_SCALE, focus=focus, marker_size=size,
        **styling,  # type: ignore[arg-type]
    )  # fmt: skip
    top = max(MIN_SCALE_TOP, float(ratio.max(initial=0.0)))
    grow = np.clip(np.sqrt(ratio), *SIZE_RANGE) * size
    for t in nodes:
        if t.marker.cmin is not None:  # the value-colored traces: one scale from 0, sizes by weight
            t.marker.cmin, t.marker.cmax = 0.0, top
            t.marker.size = grow[np.asarray(t.customdata, dtype=np.int64)]
            t.marker.line = {"width": 0.5, "color": "#888"}  # a node the focus ignores is near white
    fig = go.Figure([edges, spoke_trace, *with_global_ids(list(nodes), ids)])
    fig.update_layout(scatter_layout(title=title, selected=styling.get("selected", ()), focus=focus))  # type: ignore[arg-type]
    return fig


def head_deviation_figure(
    deviation: np.ndarray, layer_names: list[str], *, metric: str = "error"
) -> go.Figure:
    """Layers × heads heat map of causal head importance, on a scale symmetric around 0.

    Each cell is the change in ``metric`` when that head alone is switched off (positive: the
    head helps).

    Args:
        deviation: (L, Hmax) change per head, NaN where a layer has fewer heads.
        layer_names: the L row labels.
        metric: what changed ("error" is shown in points).
    """
    values = 100.0 * np.asarray(deviation, dtype=np.float64) if metric == "error" else np.asarray(deviation)
    unit = " (points)" if metric == "error" else ""
    reach = max(float(np.nanmax(np.abs(values), initial=0.0)), 1e-9)
    text = [["" if np.isnan(v) else f"{v:+.1f}" for v in row] for row in values]
    fig = go.Figure(
        go.Heatmap(
            z=values, x=[f"head {h + 1}" for h in range(values.shape[1])], y=list(layer_names),
            text=text, texttemplate="%{text}", colorscale="RdBu_r", zmid=0.0, zmin=-reach, zmax=reach,
            colorbar={"title": {"text": f"Δ {metric}{unit}"}, "thickness": 12},
            hovertemplate="%{y}, %{x}: %{z:+.2f}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        height=90 + 48 * len(layer_names), margin={"l": 10, "r": 10, "t": 10, "b": 30},
        yaxis={"autorange": "reversed"},
    )  # fmt: skip
    return fig
