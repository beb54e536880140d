"""Two models on one graph: edges colored by how much more model B weighs them than model A.

Inputs are plain arrays: drawn positions, edges in local ids, and the per-edge difference
B − A (:func:`explain.model_compare.edge_difference`, computed elsewhere). Nodes whose
prediction differs between the models are marked with a diamond.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from nodescope.viz.graph_view import edge_segments, with_global_ids
from nodescope.viz.nodes import node_scatter_traces, scatter_layout

#: Bins of the difference relative to the largest |B − A| shown: (upper edge, name, color, width).
#: Blue: model A weighs the edge more; red: model B does (ColorBrewer RdBu, safe for color-blind readers).
DIFFERENCE_BINS: tuple[tuple[float, str, str, float], ...] = (
    (-0.5, "A much higher", "#2166ac", 4.0),
    (-0.15, "A higher", "#92c5de", 2.0),
    (0.15, "about equal", "#d9d9d9", 0.7),
    (0.5, "B higher", "#f4a582", 2.0),
    (1.0, "B much higher", "#b2182b", 4.0),
)
#: Marker of the nodes whose predicted class differs.
DISAGREE_SYMBOL = "diamond-open"
DISAGREE_COLOR = "#111111"


def signed_pairs(edge_index: np.ndarray, difference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One drawn line per node pair: the direction with the larger |difference| wins, NaN pairs dropped.

    Args:
        edge_index: (2, E) edges in local ids.
        difference: (E,) B − A per edge (NaN where one model has no value).

    Returns:
        ``pairs`` (2, P) and their signed ``difference`` (P,); self-loops dropped.
    """
    ei = np.asarray(edge_index, np.int64)
    d = np.asarray(difference, np.float64)
    keep = np.isfinite(d) & (ei[0] != ei[1])
    ei, d = ei[:, keep], d[keep]
    if not d.size:
        return np.zeros((2, 0), np.int64), np.zeros(0)
    lo, hi = np.minimum(ei[0], ei[1]), np.maximum(ei[0], ei[1])
    width = int(hi.max()) + 1
    keys = lo * width + hi
    order = np.lexsort((-np.abs(d), keys))  # by pair, largest |d| first within a pair
    first = np.ones(order.size, bool)
    first[1:] = keys[order][1:] != keys[order][:-1]
    chosen = order[first]
    return np.stack([lo[chosen], hi[chosen]]), d[chosen]


def difference_graph_figure(
    xy: np.ndarray,
    edge_index: np.ndarray,
    difference: np.ndarray,
    *,
    node_ids: np.ndarray | None = None,
    disagree: Sequence[int] = (),
    names: tuple[str, str] = ("A", "B"),
    title: str | None = None,
    height: int = 420,
    **styling: Any,
) -> go.Figure:
    """Node-link view of where two models differ: edge color and width by B − A, disagreeing nodes marked.

    Args:
        xy: (n, 2) positions of the drawn nodes.
        edge_index: (2, E) edges in local ids 0..n-1.
        difference: (E,) B − A per edge (attention or importance; NaN: not in both models).
        node_ids: (n,) global ids (the points' customdata, so clicks select the right node).
        disagree: local ids of nodes whose predicted class differs (drawn with a diamond).
        names: the two models' names, for the legend and hover ("A", "B" by default).
        title: figure title.
        height: figure height in px.
        **styling: passed to :func:`viz.nodes.node_scatter_traces` (``labels``, ``hover``,
            ``selected``, ``focus`` in local ids).

    Returns:
        Traces: one line trace per :data:`DIFFERENCE_BINS` bin, an invisible hover trace at
        edge midpoints ("edge difference"), the node traces, then "prediction differs (k)".
    """
    xy = np.asarray(xy, dtype=np.float64)
    ids = np.arange(len(xy)) if node_ids is None else np.asarray(node_ids)
    pairs, d = signed_pairs(edge_index, difference)
    scale = float(np.abs(d).max()) if d.size and np.abs(d).max() > 0 else 1.0
    rel = d / scale
    which = np.digitize(rel, [b[0] for b in DIFFERENCE_BINS[:-1]], right=True)
    a_name, b_name = names
    traces: list[Any] = []
    for k, (_, label, color, width) in enumerate(DIFFERENCE_BINS):
        chosen = pairs[:, which == k]
        ex, ey = edge_segments(xy, chosen)
        label = label.replace("A ", f"{a_name} ").replace("B ", f"{b_name} ")
        traces.append(
            go.Scatter(
                x=ex, y=ey, mode="lines", name=label, line={"color": color, "width": width},
                hoverinfo="skip", showlegend=bool(chosen.shape[1]), legendgroup="difference",
            )
        )  # fmt: skip
    mid = (xy[pairs[0]] + xy[pairs[1]]) / 2 if pairs.size else np.zeros((0, 2))
    hover = [
        f"{ids[u]} ↔ {ids[v]}: {b_name} − {a_name} = {x:+.3f}" for (u, v), x in zip(pairs.T, d, strict=True)
    ]
    traces.append(
        go.Scatter(
            x=mid[:, 0], y=mid[:, 1], mode="markers", name="edge difference", showlegend=False,
            marker={"size": 6, "opacity": 0}, text=hover, hoverinfo="text",
        )
    )  # fmt: skip
    if styling.get("focus") is not None and styling.get("focus_label") is None:
        styling["focus_label"] = str(ids[styling["focus"]])
    nodes = with_global_ids(list(node_scatter_traces(xy, **styling)), ids)
    marked = np.asarray(list(disagree), np.int64)
    differs = go.Scatter(
        x=xy[marked, 0] if marked.size else [], y=xy[marked, 1] if marked.size else [], mode="markers",
        name=f"prediction differs ({marked.size})", customdata=ids[marked] if marked.size else [],
        marker={"symbol": DISAGREE_SYMBOL, "size": 16, "color": DISAGREE_COLOR, "line": {"width": 2}},
        hovertemplate="node %{customdata}: the two models predict different classes<extra></extra>",
    )  # fmt: skip
    fig = go.Figure([*traces, *nodes, differs])
    fig.update_layout(
        scatter_layout(title=title, selected=styling.get("selected", ()), focus=styling.get("focus"))
    )
    fig.update_layout(height=height)
    return fig
