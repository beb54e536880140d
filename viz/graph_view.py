"""Node-link diagram: the edges (a WebGL line trace, or an image for large graphs) under the nodes."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from nodescope.viz.edge_raster import edge_image as rasterize
from nodescope.viz.nodes import FOCUS, node_scatter_marked, scatter_layout

#: Edge line color and width (thin gray: the nodes carry the information).
EDGE_COLOR = "rgba(120, 120, 120, 0.35)"
EDGE_WIDTH = 0.6
#: Above this many (undirected) edges they are drawn as one image instead of WebGL lines.
RASTER_ABOVE = 2_000


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
    """X and y arrays (3 E,) of line segments separated by NaN (plotly draws gaps there).

    float32: half the bytes sent to the browser, ample precision for drawing.
    """
    e = edges.shape[1]
    x = np.full((e, 3), np.nan, np.float32)
    y = np.full((e, 3), np.nan, np.float32)
    x[:, 0], x[:, 1] = xy[edges[0], 0], xy[edges[1], 0]
    y[:, 0], y[:, 1] = xy[edges[0], 1], xy[edges[1], 1]
    return x.ravel(), y.ravel()


def weighted_edge_traces(
    xy: np.ndarray,
    pairs: np.ndarray,
    weight: np.ndarray,
    *,
    bins: tuple[float, ...],
    colors: tuple[str, ...],
    widths: tuple[float, ...],
    name: str,
    hover: list[str],
    hover_name: str | None = None,
    legendgroup: str | None = None,
) -> list[go.Scatter]:
    """Edges drawn by weight, and an invisible trace at the edge midpoints that carries ``hover``.

    One line trace per bin, thicker and darker as the weight grows.

    Args:
        xy: (n, 2) node positions.
        pairs: (2, P) the edges to draw (local ids).
        weight: (P,) their weights, binned by ``bins``.
        bins: the bins' upper edges, increasing.
        colors: the line color of each bin.
        widths: the line width of each bin, in px.
        name: the legend name of bins ("NAME 0.05–0.15").
        hover: (P,) hover text per edge.
        hover_name: the hover trace's name (default "edge NAME").
        legendgroup: a legend group for the bin traces.
    """
    xy = np.asarray(xy, dtype=np.float64)
    which = np.digitize(weight, bins[:-1], right=True)
    traces: list[go.Scatter] = []
    lower = 0.0
    for b, upper in enumerate(bins):
        chosen = pairs[:, which == b]
        ex, ey = edge_segments(xy, chosen)
        traces.append(
            go.Scatter(
                x=ex, y=ey, mode="lines", name=f"{name} {lower:.2f}–{upper:.2f}",
                line={"color": colors[b], "width": widths[b]}, hoverinfo="skip",
                legendgroup=legendgroup, showlegend=bool(chosen.shape[1]),
            )
        )  # fmt: skip
        lower = upper
    mid = (xy[pairs[0]] + xy[pairs[1]]) / 2 if pairs.size else np.zeros((0, 2))
    traces.append(
        go.Scatter(
            x=mid[:, 0], y=mid[:, 1], mode="markers", name=hover_name or f"edge {name}", showlegend=False,
            marker={"size": 6, "opacity": 0}, text=hover, hoverinfo="text",
        )
    )  # fmt: skip
    return traces


def with_global_ids(traces: list[Any], ids: np.ndarray) -> list[Any]:
    """``traces`` with each point's customdata (a local id) replaced by ``ids[local]``.

    The shared selection then stays global when a subgraph is drawn.
    """
    for t in traces:
        if t.customdata is not None:
            t.customdata = ids[np.asarray(t.customdata, dtype=np.int64)]
    return traces


def focus_edges_path(xy: np.ndarray, edge_index: np.ndarray, focus: int) -> str:
    """SVG path (data coordinates) of the focus node's edges: "M x y L x y" per edge, "" for none."""
    ei = np.asarray(edge_index)
    touching = undirected_edges(ei[:, (ei[0] == focus) | (ei[1] == focus)])
    a, b = xy[touching[0]].tolist(), xy[touching[1]].tolist()
    return " ".join(f"M {x0} {y0} L {x1} {y1}" for (x0, y0), (x1, y1) in zip(a, b, strict=True))


def edges_as_image(
    xy: np.ndarray, edge_index: np.ndarray, raster_above: int | None = RASTER_ABOVE
) -> dict | None:
    """The edges as one image (:func:`viz.edge_raster.edge_image`), or None when there are few.

    An image when there are more than ``raster_above`` edges, else None
    (:func:`node_link_figure` then draws lines).

    A WebGL line trace is redrawn on every update of its chart, ~1 s for ~10k edges in
    software GL; an image is only moved on pan and zoom. Callers that redraw the same graph
    compute this once and pass it to :func:`node_link_figure` as ``edge_image``.
    """
    edge_index = np.asarray(edge_index)
    if raster_above is None or edge_index.shape[1] <= raster_above:  # fewer columns: fewer edges
        return None
    edges = undirected_edges(edge_index)
    return rasterize(xy, edges) if edges.shape[1] > raster_above else None


def node_link_figure(
    xy: np.ndarray,
    edge_index: np.ndarray,
    *,
    edge_image: dict | None = None,
    raster_above: int | None = RASTER_ABOVE,
    max_edges: int = 300_000,
    title: str | None = None,
    dragmode: str = "pan",
    **styling: Any,
) -> go.Figure:
    """Node-link diagram of a graph at given 2D positions.

    Args:
        xy: (N, 2) node positions (e.g. from :func:`viz.layout.graph_layout`).
        edge_index: (2, E) node ids; direction and duplicates are ignored.
        edge_image: :func:`edges_as_image` of these positions and edges, when the caller
            has it (cached); else computed here.
        raster_above: above this many undirected edges, all of them are drawn as one image
            (see :func:`edges_as_image`); None: always as lines.
        max_edges: when drawn as lines, above this many undirected edges a deterministic
            random subset is drawn (the title says so).
        title: figure title.
        dragmode: see :func:`viz.nodes.scatter_layout`.
        **styling: passed to :func:`viz.nodes.node_scatter_marked` (color, color_title,
            colorscale, labels, label_names, hover, selected, focus, focus_label, marker_size).

    Returns:
        A figure whose traces are "edges" (lines; absent when the edges are an image, then
        ``layout.images`` holds one named "edges"), then the node traces, every node point
        with customdata = node id. The selection and the focus are layout shapes
        (:func:`viz.nodes.node_scatter_marked`); the focus node's edges are all drawn, as a
        path shape named "focus edges" under those marks.
    """
    xy = np.asarray(xy, dtype=np.float64)
    edge_index = np.asarray(edge_index)
    if edge_index.size and edge_index.max() >= len(xy):
        raise ValueError(f"edge_index refers to node {int(edge_index.max())} but xy has {len(xy)} rows")
    traces: list[go.Scattergl] = []
    layout: dict[str, Any] = {}
    if edge_image is None:
        edge_image = edges_as_image(xy, edge_index, raster_above)
    if edge_image is not None:
        layout["images"] = [edge_image]
    else:
        edges = undirected_edges(edge_index)
        total = edges.shape[1]
        if total > max_edges:
            keep = np.sort(np.random.default_rng(0).choice(total, size=max_edges, replace=False))
            edges = edges[:, keep]
            note = f"showing {max_edges:,} of {total:,} edges"
            title = f"{title} ({note})" if title else note[0].upper() + note[1:]
        ex, ey = edge_segments(xy, edges)
        traces.append(
            go.Scattergl(
                x=ex, y=ey, mode="lines", name="edges", line={"color": EDGE_COLOR, "width": EDGE_WIDTH},
                hoverinfo="skip", showlegend=False,
            )
        )  # fmt: skip
    focus = styling.get("focus")
    path = (
        focus_edges_path(xy, edge_index, int(focus))
        if focus is not None and 0 <= int(focus) < len(xy)
        else ""
    )
    focus_edges = {
        "type": "path", "name": "focus edges", "path": path, "xref": "x", "yref": "y",
        "line": {"color": FOCUS, "width": 2.0}, "opacity": 0.8, "layer": "above",
    }  # fmt: skip
    nodes, shapes = node_scatter_marked(xy, under_marks=[focus_edges] if path else [], **styling)
    layout |= scatter_layout(
        title=title, selected=styling.get("selected", ()), focus=focus, dragmode=dragmode
    )
    # the layout given at construction: validated at once, ~3x faster than update_layout
    return go.Figure(traces + nodes, layout=layout | {"shapes": shapes})
