"""Figures of a segmented mesh: faces colored by part with a legend, and a face's attention over its dual-graph neighbors."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nodescope.viz.colors import class_color, class_colors


def segmentation_figure(
    pos: np.ndarray,
    faces: np.ndarray,
    part: np.ndarray,
    names: Sequence[str],
    *,
    face: int | None = None,
    neighbors: Sequence[int] = (),
    title: str | None = None,
) -> go.Figure:
    """A triangle mesh with each face colored by its part, one legend entry per part present.

    Args:
        pos: (V, 3) vertex positions.
        faces: (T, 3) vertex ids.
        part: (T,) int part of each face (an index into ``names``).
        names: the part names.
        face: a face marked at its centroid (trace "face"), or None.
        neighbors: faces marked as that face's neighbors (trace "neighbors").
        title: the figure's title.
    """
    pos, faces, part = np.asarray(pos), np.asarray(faces), np.asarray(part)
    hover = [f"face {t}: {names[p]}" for t, p in enumerate(part)]
    traces: list[go.BaseTraceType] = [
        go.Mesh3d(
            x=pos[:, 0], y=pos[:, 1], z=pos[:, 2], i=faces[:, 0], j=faces[:, 1], k=faces[:, 2],
            facecolor=class_colors(part), flatshading=True, hovertext=hover, hoverinfo="text",
            name="mesh", showlegend=False,
        )
    ]  # fmt: skip
    anchor = pos[faces[0, 0]]
    for p in np.unique(part):  # legend swatches: one invisible point per part present
        traces.append(
            go.Scatter3d(
                x=[anchor[0]], y=[anchor[1]], z=[anchor[2]], mode="markers", name=names[p],
                marker={"color": class_color(int(p)), "size": 0.1, "symbol": "square"}, hoverinfo="skip",
            )
        )  # fmt: skip
    centroid = pos[faces].mean(axis=1)
    if len(neighbors):
        c = centroid[list(neighbors)]
        traces.append(
            go.Scatter3d(
                x=c[:, 0], y=c[:, 1], z=c[:, 2], mode="markers", name="neighbors", showlegend=False,
                marker={"color": "white", "size": 4, "line": {"color": "black", "width": 1}},
            )
        )  # fmt: skip
    if face is not None:
        c = centroid[face]
        traces.append(
            go.Scatter3d(
                x=[c[0]], y=[c[1]], z=[c[2]], mode="markers+text", text=[f"face {face}"], name="face",
                showlegend=False, marker={"color": "black", "size": 6},
            )
        )  # fmt: skip
    fig = go.Figure(traces)
    fig.update_layout(
        title=title, scene={"aspectmode": "data", "xaxis_visible": False, "yaxis_visible": False,
                            "zaxis_visible": False},
        legend={"itemsizing": "constant", "title": "part"}, margin={"l": 0, "r": 0, "t": 40, "b": 0},
    )  # fmt: skip
    return fig


def face_attention_figure(
    sources: Sequence[int], alpha: np.ndarray, labels: Sequence[str], *, face: int, layer: int
) -> go.Figure:
    """Grouped bars: the attention a face gives each face it reads (itself included), per head.

    Args:
        sources: the faces it reads (its dual-graph neighbors and itself).
        alpha: (len(sources), heads) their attention weights (each column sums to 1).
        labels: one label per source (its id and part).
        face: the face.
        layer: the layer (1-based), for the title.
    """
    alpha = np.asarray(alpha)
    fig = go.Figure(
        [
            go.Bar(x=list(labels), y=alpha[:, h], name=f"head {h + 1}", marker_color=class_color(h + 8))
            for h in range(alpha.shape[1])
        ]
    )
    fig.update_layout(
        title=f"Layer {layer} attention of face {face} over the {len(sources)} faces it reads",
        barmode="group", yaxis={"title": "α (sums to 1 per head)", "range": [0, 1]},
        xaxis={"title": "face (part)", "type": "category"}, margin={"t": 40},
    )  # fmt: skip
    return fig
