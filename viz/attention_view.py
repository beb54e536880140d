"""Figures of attention: edges weighted by a head, a layers × heads grid, head importance.

Inputs are plain arrays: ``edge_index`` (2, E) with row 0 the source j and row 1 the
target i, and per-edge coefficients ``alpha`` (E,) of one layer and head (or an aggregate),
so that each target's incoming coefficients sum to 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nodescope.viz.graph_view import weighted_edge_traces, with_global_ids
from nodescope.viz.nodes import node_scatter_traces, scatter_layout

#: Upper edges of the coefficient bins drawn with rising width and darkness.
ALPHA_BINS = (0.05, 0.15, 0.3, 0.5, 0.75, 1.0)
ATTENTION_SCALE = "Purples"
_BIN_COLORS = ("#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#3f007d")
_BIN_WIDTHS = (0.5, 1.0, 1.6, 2.4, 3.4, 4.6)


def head_label(layer: int, head: int | None = None) -> str:
    """The one-based name of a zero-based layer (and head), as every view and command writes it.

    Examples:
        >>> head_label(1, 0), head_label(2)
        ('L2 H1', 'L3')
    """
    return f"L{layer + 1}" + ("" if head is None else f" H{head + 1}")


def strongest_direction(edge_index: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One weight per unordered node pair: the larger of the two directions' coefficients.

    Args:
        edge_index: (2, E) directed edges (self-loops are dropped: they have no line to draw).
        alpha: (E,) coefficient per edge; NaN entries are ignored.

    Returns:
        pairs (2, P) with ``pairs[0] < pairs[1]`` and their weights (P,).
    """
    ei = np.asarray(edge_index, dtype=np.int64)
    a = np.asarray(alpha, dtype=np.float64)
    keep = (ei[0] != ei[1]) & np.isfinite(a)
    lo, hi, a = np.minimum(ei[0], ei[1])[keep], np.maximum(ei[0], ei[1])[keep], a[keep]
    if lo.size == 0:
        return np.zeros((2, 0), np.int64), np.zeros(0)
    width = int(hi.max()) + 1
    keys, inverse = np.unique(lo * width + hi, return_inverse=True)
    weight = np.full(keys.size, -np.inf)
    np.maximum.at(weight, inverse, a)
    return np.stack([keys // width, keys % width]), weight


def attention_graph_figure(
    xy: np.ndarray,
    edge_index: np.ndarray,
    alpha: np.ndarray,
    *,
    node_ids: np.ndarray | None = None,
    title: str | None = None,
    **styling: Any,
) -> go.Figure:
    """Node-link view with each edge's width and color from its attention coefficient.

    Args:
        xy: (n, 2) positions of the drawn nodes.
        edge_index: (2, E) edges in the drawn nodes' local ids 0..n-1.
        alpha: (E,) coefficient per edge (direction j → i); a pair shows its larger direction,
            the hover says both are possible.
        node_ids: (n,) global node id of each drawn node (default 0..n-1): the points'
            customdata, so clicks select the right node when a neighborhood is drawn.
        title: figure title.
        **styling: passed to :func:`viz.nodes.node_scatter_traces` with ids in local numbering
            (``selected``, ``focus``, ``labels``, ``hover``, ...); the focus is labeled with its
            global id unless ``focus_label`` says otherwise.

    Returns:
        Traces: one line trace per coefficient bin ("α ≤ 0.05", ...), an invisible
        hover trace at edge midpoints ("edge attention"), then the node traces.
    """
    xy = np.asarray(xy, dtype=np.float64)
    pairs, weight = strongest_direction(edge_index, alpha)
    ids = np.arange(len(xy)) if node_ids is None else np.asarray(node_ids)
    if styling.get("focus") is not None and styling.get("focus_label") is None:
        styling["focus_label"] = str(ids[styling["focus"]])  # the node's own id, not its place in the view
    edge_hover = [
        f"{ids[u]} ↔ {ids[v]}: α = {w:.3f} (larger direction)"
        for (u, v), w in zip(pairs.T, weight, strict=True)
    ]
    traces = weighted_edge_traces(
        xy, pairs, weight, bins=ALPHA_BINS, colors=_BIN_COLORS, widths=_BIN_WIDTHS, name="α",
        hover=edge_hover, hover_name="edge attention", legendgroup="attention",
    )  # fmt: skip
    nodes = with_global_ids(list(node_scatter_traces(xy, **styling)), ids)
    fig = go.Figure([*traces, *nodes])
    fig.update_layout(
        scatter_layout(title=title, selected=styling.get("selected", ()), focus=styling.get("focus"))
    )
    return fig


def head_grid_figure(
    blocks: Sequence[Sequence[np.ndarray | None]],
    *,
    layer_names: Sequence[str],
    chosen: tuple[int, int] | None = None,
    cell_px: int = 92,
    zmax: float = 1.0,
    value_name: str = "α",
    column_labels: Sequence[str] | None = None,
) -> go.Figure:
    """A layers × heads grid of small attention maps (BertViz's "model view" for a graph).

    Args:
        blocks: ``blocks[l][h]`` an (r, c) matrix (from :func:`explain.attention_focus.block_matrix`,
            or one node's row as (1, c)), or None where layer l has no head h.
        layer_names: one row title per layer.
        chosen: (layer, head) drawn with a red frame.
        cell_px: height of one cell in pixels.
        zmax: the value drawn darkest (the color scale starts at 0).
        value_name: what the values are, for the hover.
        column_labels: (c,) names of the columns (nodes) for the hover.

    Returns:
        A figure with one heatmap per existing head; every cell's customdata is
        ``[layer, head]`` so a click tells which map to open.
    """
    rows = len(blocks)
    cols = max((len(r) for r in blocks), default=1)
    node = "" if column_labels is None else "node %{x}: "
    fig = make_subplots(
        rows=rows, cols=cols, horizontal_spacing=0.012, vertical_spacing=0.04,
        column_titles=[f"H{h + 1}" for h in range(cols)], row_titles=list(layer_names),
    )  # fmt: skip
    for layer, row in enumerate(blocks):
        for head, matrix in enumerate(row):
            if matrix is None:
                continue
            fig.add_trace(
                go.Heatmap(
                    z=matrix, x=None if column_labels is None else list(column_labels), zmin=0, zmax=zmax,
                    colorscale=ATTENTION_SCALE, showscale=False, customdata=np.full((*matrix.shape, 2), (layer, head)),
                    hovertemplate=f"layer {layer + 1}, head {head + 1}<br>{node}{value_name} = %{{z:.3f}}"
                    "<extra>click to open</extra>",
                    xgap=1, ygap=1,
                ),
                row=layer + 1, col=head + 1,
            )  # fmt: skip
            if chosen == (layer, head):
                fig.add_shape(
                    type="rect", xref="x domain", yref="y domain", x0=0, y0=0, x1=1, y1=1,
                    line={"color": "#E4003A", "width": 3}, row=layer + 1, col=head + 1,
                )  # fmt: skip
    fig.update_xaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False, fixedrange=True)
    if column_labels is not None:  # node names like "12" would otherwise make a numeric axis
        fig.update_xaxes(type="category")
    fig.update_yaxes(
        showticklabels=False, ticks="", showgrid=False, zeroline=False, fixedrange=True, autorange="reversed"
    )
    fig.update_layout(
        height=cell_px * rows + 60, margin={"l": 10, "r": 40, "t": 40, "b": 10}, dragmode="pan",
        clickmode="event",
    )  # fmt: skip
    return fig


def attention_matrix_figure(
    matrix: np.ndarray, labels: Sequence[str], *, title: str, node_ids: Sequence[int] | None = None
) -> go.Figure:
    """One attention map large: rows attend (targets), columns are attended to (sources).

    ``node_ids`` (n,) become each cell's customdata (the source node), so a click focuses it.
    """
    n = matrix.shape[0]
    ids = np.arange(n) if node_ids is None else np.asarray(node_ids)
    fig = go.Figure(
        go.Heatmap(
            z=matrix, x=list(labels), y=list(labels), zmin=0, zmax=1, colorscale=ATTENTION_SCALE,
            colorbar={"title": "α"}, customdata=np.broadcast_to(ids[None, :], (n, n)),
            hovertemplate="%{y} attends to %{x}: α = %{z:.3f}<extra></extra>", xgap=1, ygap=1,
        )
    )  # fmt: skip
    fig.update_layout(
        title=title, height=max(320, 26 * n + 140), margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis={"title": "attended to (source)", "type": "category", "tickangle": -45, "automargin": True},
        yaxis={"title": "attends (target)", "type": "category", "autorange": "reversed", "automargin": True},
        clickmode="event", dragmode=False,
    )  # fmt: skip
    return fig


def head_importance_figure(
    layers: np.ndarray, heads: np.ndarray, salience: np.ndarray, importance: np.ndarray, *, salience_name: str
) -> go.Figure:
    """Attention salience against causal importance, one point per head.

    Args:
        layers: (K,) 0-based layer of each point's head.
        heads: (K,) 0-based head index within its layer.
        salience: (K,) how strongly the head attends (its definition in ``salience_name``).
        importance: (K,) change in error when the head is ablated (DARTS-GT's deviation).
        salience_name: what ``salience`` measures: the x-axis title.

    Heads far from the diagonal trend are where attention and causal effect disagree.
    Each point's customdata is ``[layer, head]``.
    """
    text = [head_label(layer, h) for layer, h in zip(layers, heads, strict=True)]
    fig = go.Figure(
        go.Scatter(
            x=salience, y=importance, mode="markers+text", text=text, textposition="top center",
            marker={"size": 11, "color": layers, "colorscale": "Viridis", "line": {"width": 1, "color": "#333"}},
            customdata=np.stack([layers, heads], 1),
            hovertemplate="%{text}<br>salience %{x:.3f}<br>importance %{y:.4f}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        xaxis_title=salience_name, yaxis_title="causal importance (Δ error when ablated)",
        height=380, margin={"l": 10, "r": 10, "t": 30, "b": 10}, clickmode="event",
    )  # fmt: skip
    return fig
