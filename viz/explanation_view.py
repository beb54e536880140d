"""Figures of node explanations: an explanation subgraph with edge and node importance, and cue contributions.

Edge importance is any explainer's per-edge score (X-Node's edge gradient, a GNNExplainer
mask, ...). Scores are compared by magnitude and scaled by the largest one of the figure, so
each explainer's subgraph reads on its own 0-1 scale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nodescope.viz.attention_view import strongest_direction
from nodescope.viz.graph_view import weighted_edge_traces, with_global_ids
from nodescope.viz.nodes import node_scatter_traces, scatter_layout

#: Upper edges of the relative-importance bins drawn with rising width and darkness.
#: The contribution chart spans at least ± this many probability points.
MIN_CONTRIBUTION_RANGE = 5.0
IMPORTANCE_BINS = (0.1, 0.25, 0.5, 0.75, 1.0)
_BIN_COLORS = ("#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")
_BIN_WIDTHS = (0.6, 1.2, 2.0, 3.0, 4.4)
IMPORTANCE_SCALE = "Oranges"


def relative(scores: np.ndarray) -> np.ndarray:
    """|scores| divided by the largest |score| (all zeros when every score is 0); NaN stays NaN."""
    magnitude = np.abs(np.asarray(scores, dtype=np.float64))
    top = np.nanmax(magnitude) if magnitude.size and np.isfinite(magnitude).any() else 0.0
    return magnitude / top if top > 0 else np.zeros_like(magnitude)


def node_importance(edge_index: np.ndarray, edge_scores: np.ndarray, n: int) -> np.ndarray:
    """(n,) each node's share of the edge importance, in 0..1.

    The sum of |score| of the edges touching the node, relative to the largest such sum.
    """
    ei = np.asarray(edge_index, dtype=np.int64)
    magnitude = np.abs(np.nan_to_num(np.asarray(edge_scores, dtype=np.float64)))
    total = np.bincount(ei[0], magnitude, minlength=n) + np.bincount(ei[1], magnitude, minlength=n)
    return relative(total)


def importance_subgraph_figure(
    xy: np.ndarray,
    edge_index: np.ndarray,
    edge_scores: np.ndarray,
    *,
    node_scores: np.ndarray | None = None,
    node_ids: np.ndarray | None = None,
    center: int | None = None,
    hover: Sequence[str] | None = None,
    title: str | None = None,
    height: int = 380,
    show_scale: bool = True,
) -> go.Figure:
    """A node's explanation subgraph: edges drawn wider and darker the more important they are.

    Args:
        xy: (n, 2) positions of the subgraph's nodes.
        edge_index: (2, e) its edges in local ids 0..n-1.
        edge_scores: (e,) importance per edge (any sign; a pair shows its larger direction).
        node_scores: (n,) node importance in [0, 1] for the node color (default
            :func:`node_importance` of the edges).
        node_ids: (n,) global ids (the points' customdata, so clicks select the right node).
        center: local id of the explained node (drawn with the focus ring).
        hover: (n,) hover text per node.
        title: figure title.
        height: figure height in px.
        show_scale: show the node color bar.

    Returns:
        Traces: one line trace per importance bin ("importance 0.00–0.10", ...), an invisible
        hover trace at edge midpoints ("edge importance"), then the node traces.
    """
    xy = np.asarray(xy, dtype=np.float64)
    n = len(xy)
    ids = np.arange(n) if node_ids is None else np.asarray(node_ids)
    weight_all = relative(edge_scores)
    pairs, weight = strongest_direction(edge_index, weight_all)
    edge_hover = [
        f"{ids[u]} ↔ {ids[v]}: {w:.2f} of the largest" for (u, v), w in zip(pairs.T, weight, strict=True)
    ]
    traces = weighted_edge_traces(
        xy, pairs, weight, bins=IMPORTANCE_BINS, colors=_BIN_COLORS, widths=_BIN_WIDTHS,
        name="importance", hover=edge_hover,
    )  # fmt: skip
    scores = node_importance(edge_index, edge_scores, n) if node_scores is None else np.asarray(node_scores)
    nodes = node_scatter_traces(
        xy, color=scores, color_title="node importance", colorscale=IMPORTANCE_SCALE, hover=hover,
        focus=center, focus_label=str(ids[center]) if center is not None else None,
    )  # fmt: skip
    for t in with_global_ids(list(nodes), ids):
        if not show_scale and t.marker is not None and t.marker.showscale:
            t.marker.showscale = False
    fig = go.Figure([*traces, *nodes], layout=scatter_layout(title=title, focus=center))
    fig.update_layout(height=height, showlegend=False)
    return fig


def contributions_figure(
    cues: Sequence[str],
    contributions: np.ndarray,
    *,
    shown: Sequence[str] | None = None,
    words: Sequence[str] | None = None,
    hover: Sequence[str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Horizontal bars of each cue's contribution to the prediction (probability points).

    Args:
        cues: cue names.
        contributions: (K,) drop of the predicted class's probability when the cue alone is set
            to the graph average (positive: the cue supports the prediction).
        shown: (K,) the cue values as text, appended to the labels ("degree = 12").
        words: (K,) the values in a few plain words, appended instead ("degree: 12 neighbors").
        hover: (K,) extra text per bar's tooltip (the raw value and its rank, say).
        title: figure title.

    Returns:
        One bar trace, cues sorted so the largest contribution is on top; green supports,
        red opposes the prediction.
    """
    values = 100.0 * np.asarray(contributions, dtype=np.float64)
    if words is not None:
        labels = [f"{c}: {w}" for c, w in zip(cues, words, strict=True)]
    elif shown is not None:
        labels = [f"{c} = {v}" for c, v in zip(cues, shown, strict=True)]
    else:
        labels = list(cues)
    extra = list(hover) if hover is not None else [""] * len(labels)
    order = np.argsort(values, kind="stable")  # plotly draws the first bar at the bottom
    reach = max(MIN_CONTRIBUTION_RANGE, 1.1 * float(np.abs(values).max(initial=0.0)))
    fig = go.Figure(
        go.Bar(
            x=values[order], y=[labels[i] for i in order], orientation="h",
            marker={"color": ["#1a9850" if v >= 0 else "#d73027" for v in values[order]]},
            customdata=[extra[i] for i in order],
            hovertemplate="%{y}: %{x:+.1f} points<br>%{customdata}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 14}} if title else None,
        # At least ±5 points: contributions of a fraction of a point must look as small as they are.
        xaxis={
            "title": {"text": "contribution (probability points)"},
            "zeroline": True,
            "range": [-reach, reach],
        },
        height=max(220, 34 * len(labels) + 90),
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 40},
        plot_bgcolor="white",
    )
    return fig
