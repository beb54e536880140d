"""2D embedding (PCA / UMAP) of node features or hidden representations, one point per node."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from nodescope.viz.nodes import node_scatter_marked, scatter_layout


def embedding_figure(
    coords: np.ndarray,
    *,
    method: str = "PCA",
    title: str | None = None,
    dragmode: str = "pan",
    **styling: Any,
) -> go.Figure:
    """Scatter of (N, 2) embedding coordinates with axes titled '<method> 1' / '<method> 2'.

    Args:
        coords: (N, 2) coordinates, row i = node i (from :mod:`explain.embedding`).
        method: name shown on the axes ("PCA", "UMAP").
        title: figure title.
        dragmode: see :func:`viz.nodes.scatter_layout`.
        **styling: passed to :func:`viz.nodes.node_scatter_marked`.

    Returns:
        The figure; every node point has customdata = node id. The selection and the focus
        are layout shapes (see :func:`viz.nodes.node_scatter_marked`).
    """
    coords = np.asarray(coords, dtype=np.float64)
    traces, shapes = node_scatter_marked(coords, **styling)
    layout = scatter_layout(
        title=title,
        x_title=f"{method} 1",
        y_title=f"{method} 2",
        selected=styling.get("selected", ()),
        focus=styling.get("focus"),
        dragmode=dragmode,
    )
    return go.Figure(traces, layout=layout | {"shapes": shapes})


def shared_half_width(coords: np.ndarray) -> float:
    """Half-width of a square axis range ``[-r, r]`` that holds every point of ``coords``.

    Give every layer's figure the same range so that layers compare (a collapsing layer shrinks).

    Args:
        coords: (..., 2) coordinates, e.g. (layers, N, 2).

    Returns:
        1.05 times the largest absolute coordinate (1 when there is none or all are 0).

    Example:
        >>> shared_half_width(np.array([[[0.0, -2.0]], [[1.0, 0.5]]]))
        2.1
    """
    r = float(np.abs(coords).max()) if np.size(coords) else 0.0
    return 1.05 * r if r > 0 else 1.0
