"""Figures of the Over-smoothing page.

Metric curves per layer, accuracy vs depth, the pairwise distance heat map of one layer,
influence per hop, and the node-link view colored by how close each node stays to its own class
centroid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from nodescope.core.models import MODELS
from nodescope.viz.colors import DIVERGING, PALETTE, SEQUENTIAL
from nodescope.viz.graph_view import node_link_figure

#: Color ranges of :func:`centroid_graph_figure`, fixed so that layers compare: log2 distance
#: ratio within ±CONTRAST_RANGE, distance (in root-mean-square node norms) up to DISTANCE_MAX.
CONTRAST_RANGE = 1.0
DISTANCE_MAX = 1.5


def _style(key: str) -> dict[str, Any]:
    """One color per model key, the same in every figure (its place in the model registry)."""
    keys = list(MODELS)
    i = keys.index(key) if key in keys else len(keys) + sum(map(ord, key))
    return {"color": PALETTE[i % len(PALETTE)]}


def metric_curves_figure(
    curves: Mapping[str, np.ndarray],
    *,
    metric_title: str,
    names: Mapping[str, str] | None = None,
    log_y: bool = False,
    title: str | None = None,
) -> go.Figure:
    """One line per model: a metric at every layer (x = layer, 0 = the input representation).

    Args:
        curves: model key -> (L + 1,) metric values (NaN where undefined: a gap).
        metric_title: y-axis title.
        names: model key -> legend name (default: the key).
        log_y: log-scale y axis (values <= 0 are then not drawn).
        title: figure title.
    """
    names = names or {}
    traces = [
        go.Scatter(
            x=np.arange(len(values)),
            y=np.asarray(values, dtype=np.float64),
            mode="lines+markers" if len(values) <= 20 else "lines",
            name=names.get(key, key),
            line=_style(key),
            marker={"size": 5},
            hovertemplate=f"{names.get(key, key)}<br>layer %{{x}}: %{{y:.4g}}<extra></extra>",
        )
        for key, values in curves.items()
    ]
    fig = go.Figure(traces)
    fig.update_layout(
        title=title,
        xaxis_title="layer",
        yaxis_title=metric_title,
        yaxis_type="log" if log_y else "linear",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 60, "r": 10, "t": 40 if title else 10, "b": 10},
        height=380,
    )
    return fig


def accuracy_depth_figure(
    accuracy: Mapping[str, Mapping[int, tuple[float, float]]],
    *,
    names: Mapping[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Test accuracy (%) against depth, one line per model, error bars = std over seeds.

    Args:
        accuracy: model key -> {depth: (mean, std)} as fractions in [0, 1]
            (:meth:`core.sweeps.SweepResult.accuracy`).
        names: model key -> legend name.
        title: figure title.
    """
    names = names or {}
    traces = []
    depths: set[int] = set()
    for key, acc in accuracy.items():
        ds = sorted(acc)
        depths.update(ds)
        traces.append(
            go.Scatter(
                x=ds,
                y=[100 * acc[d][0] for d in ds],
                error_y={"type": "data", "array": [100 * acc[d][1] for d in ds], "visible": True},
                mode="lines+markers",
                name=names.get(key, key),
                line=_style(key),
                hovertemplate=f"{names.get(key, key)}<br>depth %{{x}}: %{{y:.1f}}%<extra></extra>",
            )
        )
    fig = go.Figure(traces)
    ticks = sorted(depths)
    fig.update_layout(
        title=title,
        xaxis={"title": "depth (layers or propagation steps)", "type": "log", "tickvals": ticks, "ticktext": [str(d) for d in ticks]},
        yaxis_title="test accuracy (%)",
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 60, "r": 10, "t": 40 if title else 10, "b": 10},
        height=380,
    )  # fmt: skip
    return fig


def distance_heatmap_figure(
    dist: np.ndarray,
    labels: Sequence[str],
    *,
    zmax: float = 1.0,
    title: str | None = None,
) -> go.Figure:
    """Heat map of pairwise distances between n nodes (rows and columns in the same order).

    Args:
        dist: (n, n) distances (:func:`explain.oversmoothing.distance_matrix`).
        labels: n axis labels (node name and class).
        zmax: top of the fixed color range [0, zmax] (fixed so that layers compare; larger
            values take the top color).
        title: figure title.
    """
    fig = go.Figure(
        go.Heatmap(
            z=dist,
            x=list(labels),
            y=list(labels),
            zmin=0.0,
            zmax=zmax,
            colorscale="Viridis",
            colorbar={"title": {"text": "distance"}, "thickness": 12},
            hovertemplate="%{y} ↔ %{x}<br>distance %{z:.3g}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis={"showticklabels": False, "constrain": "domain"},
        yaxis={"showticklabels": False, "autorange": "reversed", "scaleanchor": "x"},
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        height=420,
    )
    return fig


def influence_figure(shares: np.ndarray, *, title: str | None = None) -> go.Figure:
    """Bars of the share of a node's Jacobian influence coming from each hop distance.

    Args:
        shares: (H + 1,) fractions of the total influence at hops 0..H
            (:func:`explain.influence.influence_per_hop`).
        title: figure title.
    """
    shares = np.asarray(shares, dtype=np.float64)
    fig = go.Figure(
        go.Bar(
            x=np.arange(len(shares)),
            y=100 * shares,
            marker_color=PALETTE[0],
            hovertemplate="%{x} hops: %{y:.1f}% of the influence<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis={"title": "hops from the focus node", "dtick": 1 if len(shares) <= 20 else None},
        yaxis_title="share of influence (%)",
        margin={"l": 60, "r": 10, "t": 40 if title else 10, "b": 10},
        height=320,
    )
    return fig


def centroid_graph_figure(
    xy: np.ndarray, edge_index: np.ndarray, values: np.ndarray, *, kind: str = "contrast", **kwargs: Any
) -> go.Figure:
    """Node-link view colored by how each node sits relative to the class centroids.

    The color range is fixed so that colors compare across layers.

    Args:
        xy: (N, 2) node positions, as :func:`viz.graph_view.node_link_figure`.
        edge_index: (2, E) edges, as :func:`viz.graph_view.node_link_figure`.
        values: (N,) per node (NaN: drawn gray as "no value").
        kind: ``contrast``: :func:`explain.oversmoothing.centroid_contrast`, blue = nearer its own
            class centroid than any other, white = as near another's, red = nearer another's, on
            ±:data:`CONTRAST_RANGE`; ``distance``: :func:`explain.oversmoothing.own_centroid_distance`,
            dark = on its class centroid (a collapsed class), on [0, :data:`DISTANCE_MAX`].
        **kwargs: passed to :func:`viz.graph_view.node_link_figure` (edge_image, title, hover,
            selected, focus, ...).
    """
    if kind == "contrast":
        lo, hi, scale, name = (
            -CONTRAST_RANGE,
            CONTRAST_RANGE,
            DIVERGING,
            "log₂ own ÷ other<br>centroid distance",
        )
    elif kind == "distance":
        lo, hi, scale, name = 0.0, DISTANCE_MAX, SEQUENTIAL, "distance to own<br>class centroid"
    else:
        raise ValueError(f"kind must be contrast or distance, not {kind!r}")
    fig = node_link_figure(
        xy, edge_index, color=np.clip(values, lo, hi), color_title=name, colorscale=scale, **kwargs
    )
    fig.update_traces(marker={"cmin": lo, "cmax": hi}, selector={"name": "nodes"})
    return fig
