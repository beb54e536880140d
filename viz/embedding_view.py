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
