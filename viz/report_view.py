"""Figures of ``nodescope report`` that no page draws: accuracy per split and attention entropy per head.

The other figures of a report are the pages' own (:mod:`viz.oversmoothing_view`,
:mod:`viz.registration_view`, and those of the newer modalities).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nodescope.viz.colors import PALETTE, SEQUENTIAL


def split_accuracy_figure(
    splits: Sequence[str], accuracy: np.ndarray, majority: np.ndarray, *, title: str | None = None
) -> go.Figure:
    """Accuracy (%) per split as bars, with the majority-class rate of each split as a marker.

    Args:
        splits: (S,) split names (``train``, ``val``, ``test``).
        accuracy: (S,) fractions in [0, 1] (NaN: an empty split, not drawn).
        majority: (S,) the share of each split's most common class, in [0, 1].
        title: figure title.
    """
    acc, base = 100 * np.asarray(accuracy, dtype=np.float64), 100 * np.asarray(majority, dtype=np.float64)
    fig = go.Figure(
        [
            go.Bar(
                x=list(splits), y=acc, name="accuracy", marker_color=PALETTE[0],
                text=[f"{a:.1f}%" for a in acc], textposition="outside",
                hovertemplate="%{x}: %{y:.1f}%<extra>accuracy</extra>",
            ),
            go.Scatter(
                x=list(splits), y=base, name="majority class", mode="markers",
                marker={"symbol": "line-ew-open", "size": 40, "line": {"width": 3, "color": PALETTE[3]}},
                hovertemplate="%{x}: %{y:.1f}%<extra>always the most common class</extra>",
            ),
        ]
    )  # fmt: skip
    fig.update_layout(
        title=title, yaxis={"title": "accuracy (%)", "range": [0, 105]}, height=360, margin={"t": 50, "b": 40}
    )
    return fig


def head_entropy_figure(
    entropy_norm: np.ndarray, layer_names: Sequence[str], *, title: str | None = None
) -> go.Figure:
    """Each head's entropy over the neighbors as a share of the uniform distribution's: layers x heads.

    Args:
        entropy_norm: (L, H) in [0, 1] (1 = uniform over each node's neighbors); NaN where a
            layer has no such head (drawn empty).
        layer_names: (L,) row titles.
        title: figure title.
    """
    z = np.asarray(entropy_norm, dtype=np.float64)
    heads = [f"head {h + 1}" for h in range(z.shape[1])]
    text = [["" if np.isnan(v) else f"{v:.0%}" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=heads, y=list(layer_names), zmin=0, zmax=1, colorscale=SEQUENTIAL, text=text,
            texttemplate="%{text}", colorbar={"title": "entropy /<br>uniform"},
            hovertemplate="%{y}, %{x}: %{z:.1%} of uniform<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        title=title, yaxis={"autorange": "reversed"}, height=140 + 60 * z.shape[0], margin={"t": 50, "b": 40}
    )
    return fig


__all__ = ["head_entropy_figure", "split_accuracy_figure"]
