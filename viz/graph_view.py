"""Node-link diagram: edges as one WebGL line trace under the shared node scatter."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from viz.nodes import FOCUS, node_scatter_traces, scatter_layout

#: Edge line colour and width (thin grey: the nodes carry the information).
EDGE_COLOR = "rgba(120, 120, 120, 0.35)"
EDGE_WIDTH = 0.6


def undirected_edges(edge_index: np.ndarray) -> np.ndarray:
    """(2, E') unique undirected edges (u < v), self-loops dropped: each edge drawn once."""
    ei = np.asarray(edge_index)
    if ei.ndim != 2 or ei.shape[0] != 2:
        raise ValueError(f"edge_index must have shape (2, E), not {ei.shape}")
    ei = ei.astype(np.int64, copy=False)
    lo, hi = np.minimum(ei[0], ei[1]), np.maximum(ei[0], ei[1])
    keep = lo != hi
    if not keep.any():
        return np.zeros((2, 0), np.int64)
    lo, hi = lo[keep], hi[keep]
    # One int64 key per pair: 1-D unique is far faster than unique(axis=0) on 1M rows.
    width = int(hi.max()) + 1
    keys = np.unique(lo * width + hi)
    return np.stack([keys // width, keys % width])


def edge_segments(xy: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y arrays (3 E,) of line segments separated by NaN (plotly draws gaps there).

    float32: half the bytes sent to the browser, ample precision for drawing.
    """
    e = edges.shape[1]
    x = np.full((e, 3), np.nan, np.float32)
    y = np.full((e, 3), np.nan, np.float32)
    x[:, 0], x[:, 1] = xy[edges[0], 0], xy[edges[1], 0]
    y[:, 0], y[:, 1] = xy[edges[0], 1], xy[edges[1], 1]
    return x.ravel(), y.ravel()


def node_link_figure(
    xy: np.ndarray,
    edge_index: np.ndarray,
    *,
    max_edges: int = 300_000,
    title: str | None = None,
    dragmode: str = "pan",
    **styling: Any,
) -> go.Figure:
    """Node-link diagram of a graph at given 2D positions.

    Args:
        xy: (N, 2) node positions (e.g. from :func:`viz.layout.graph_layout`).
        edge_index: (2, E) node ids; direction and duplicates are ignored.
        max_edges: above this many undirected edges a deterministic random subset is
            drawn (the title says so); edges of the focus node are always drawn.
        title: figure title.
        dragmode: see :func:`viz.nodes.scatter_layout`.
        **styling: passed to :func:`viz.nodes.node_scatter_traces` (color, color_title,
            colorscale, labels, label_names, hover, selected, focus, focus_label, marker_size).

    Returns:
        A figure whose traces are: "edges", "focus edges" (when a focus is set), then the
        node traces; every node point has customdata = node id, edge traces have none.
    """
    xy = np.asarray(xy, dtype=np.float64)
    edges = undirected_edges(edge_index)
    if edges.size and edges.max() >= len(xy):
        raise ValueError(f"edge_index refers to node {int(edges.max())} but xy has {len(xy)} rows")
    total = edges.shape[1]
    shown = edges
    if total > max_edges:
        keep = np.sort(np.random.default_rng(0).choice(total, size=max_edges, replace=False))
        shown = edges[:, keep]
        note = f"showing {max_edges:,} of {total:,} edges"
        title = f"{title} ({note})" if title else note[0].upper() + note[1:]
    ex, ey = edge_segments(xy, shown)
    traces: list[go.Scattergl] = [
        go.Scattergl(
            x=ex, y=ey, mode="lines", name="edges", line={"color": EDGE_COLOR, "width": EDGE_WIDTH},
            hoverinfo="skip", showlegend=False,
        )
    ]  # fmt: skip
    focus = styling.get("focus")
    if focus is not None and 0 <= int(focus) < len(xy):
        touching = edges[:, (edges[0] == int(focus)) | (edges[1] == int(focus))]
        fx, fy = edge_segments(xy, touching)
        traces.append(
            go.Scattergl(
                x=fx, y=fy, mode="lines", name="focus edges", line={"color": FOCUS, "width": 2.0},
                opacity=0.8, hoverinfo="skip", showlegend=False,
            )
        )  # fmt: skip
    traces += node_scatter_traces(xy, **styling)
    fig = go.Figure(traces)
    fig.update_layout(
        scatter_layout(title=title, selected=styling.get("selected", ()), focus=focus, dragmode=dragmode)
    )
    return fig
