"""A simulation on a mesh: the fields in 3D, curves over time, and where a vertex's attention heads look.

The 3D fields are :func:`viz.surface_view.mesh_figure` on one diverging color scale shared by
the truth and every model (and over time). Every figure takes plain arrays (states, errors,
weights); :func:`simulation_figures` is the Meshes page's set, which ``nodescope export meshes``
writes too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nodescope.viz.colors import PALETTE, SEQUENTIAL
from nodescope.viz.nodes import FOCUS, OUTLINE
from nodescope.viz.surface_view import mesh_figure

#: The solver's curve: drawn dark, under the models' colors.
TRUTH = "#222222"
#: A baseline's curve: gray, dashed.
BASELINE = "#999999"


def time_curves_figure(
    curves: dict[str, np.ndarray],
    *,
    dt: float,
    step: int,
    yaxis_title: str,
    title: str | None = None,
    truth: str | None = None,
    baselines: Sequence[str] = (),
) -> go.Figure:
    """One line per curve over the time steps, the current step marked.

    Args:
        curves: name -> (N+1,) values at steps 0..N (drawn in this order).
        dt: the time step (the x axis counts steps; its title gives dt).
        step: the step shown (a vertical line).
        yaxis_title: the y axis title, with units.
        title: figure title.
        truth: the name of the solver's curve (drawn dark), if any.
        baselines: names drawn gray and dashed.
    """
    fig = go.Figure()
    colors = iter(PALETTE)
    for name, values in curves.items():
        values = np.asarray(values, np.float64)
        t = np.arange(len(values))
        if name == truth:
            line = {"color": TRUTH, "width": 3}
        elif name in baselines:
            line = {"color": BASELINE, "dash": "dash"}
        else:
            line = {"color": next(colors)}
        fig.add_scatter(x=t, y=values, mode="lines", name=name, line=line)
    fig.add_vline(x=step, line={"color": "#444444", "width": 1})
    fig.update_layout(
        title=title, xaxis_title=f"time step (dt = {dt:.3g})", yaxis_title=yaxis_title,
        legend={"orientation": "h", "y": 1.0, "x": 1.0, "xanchor": "right", "yanchor": "bottom"},
        margin={"t": 70, "b": 10},
    )  # fmt: skip
    return fig


def _symmetric(values: np.ndarray) -> tuple[float, float]:
    """(-m, m), m the largest magnitude: a diverging scale fixed over views and time steps."""
    m = float(np.abs(values).max()) if np.size(values) else 0.0
    return -(m or 1.0), m or 1.0


def simulation_figures(
    pos: np.ndarray,
    faces: np.ndarray,
    truth: np.ndarray,
    predictions: dict[str, np.ndarray],
    errors: dict[str, np.ndarray],
    *,
    dt: float,
    step: int,
    vertex: int,
    error_of: str,
    baselines: Sequence[str] = (),
) -> dict[str, go.Figure]:
    """The solver's field and each model's at ``step`` in 3D, one model's error, and two curves.

    Args:
        pos: (V, 3) positions.
        faces: (T, 3) triangles.
        truth: (N+1, V) the solver's states.
        predictions: model title -> (N+1, V) its rollout from ``truth[0]``.
        errors: curve name -> (N+1,) RMSE over the vertices per step (models and baselines).
        dt: the time step.
        step: the step drawn in 3D (marked on the curves).
        vertex: the vertex marked in 3D and followed over time.
        error_of: the model title whose error ``prediction - truth`` is drawn.
        baselines: the names in ``errors`` drawn as baselines.

    Returns:
        ``truth``, ``pred:<title>`` per model, ``error`` (3D, vertex ids as customdata, the
        vertex as trace "focus"), ``error curve`` and ``vertex`` (its time series).
    """
    field_range = _symmetric(truth)
    error = np.asarray(predictions[error_of], np.float64) - truth
    panels = {"truth": ("Truth (solver)", truth[step], field_range)}
    panels |= {f"pred:{k}": (k, p[step], field_range) for k, p in predictions.items()}
    panels["error"] = (f"Error: {error_of} − truth", error[step], _symmetric(error))
    figures = {
        key: mesh_figure(pos, faces, values=values, value_range=value_range, color_title="u",
                         focus=vertex, title=f"{title}, step {step}")
        for key, (title, values, value_range) in panels.items()
    }  # fmt: skip
    figures["error curve"] = time_curves_figure(
        errors, dt=dt, step=step, yaxis_title="RMSE over the vertices (u)", title="Rollout error over time",
        baselines=baselines,
    )  # fmt: skip
    series = {"truth": truth[:, vertex]} | {k: p[:, vertex] for k, p in predictions.items()}
    figures["vertex"] = time_curves_figure(
        series, dt=dt, step=step, yaxis_title="u", truth="truth", title=f"Vertex {vertex} over time"
    )
    return figures


def ring_attention_figure(
    xy: np.ndarray,
    attention: np.ndarray,
    cotangent: np.ndarray,
    neighbors: Sequence[int],
    *,
    rho: np.ndarray | None = None,
    title: str | None = None,
) -> go.Figure:
    """A vertex's 1-ring, flat, once per head colored by its attention, and once by the cotangents.

    Args:
        xy: (K, 2) the neighbors' offsets from the vertex (at the origin) in its tangent plane.
        attention: (K, heads) each head's weight on each neighbor.
        cotangent: (K,) the normalized cotangent weights (the last panel).
        neighbors: (K,) the neighbors' vertex ids (hover).
        rho: (heads,) each head's Spearman ρ against the cotangent weights (panel titles), or None.
        title: figure title.
    """
    xy = np.asarray(xy, np.float64)
    weights = np.column_stack([np.asarray(attention, np.float64), np.asarray(cotangent, np.float64)])
    heads = weights.shape[1] - 1
    names = [f"head {h + 1}" + ("" if rho is None else f" (ρ {rho[h]:.2f})") for h in range(heads)]
    names.append("cotangent")
    fig = make_subplots(rows=1, cols=heads + 1, subplot_titles=names, horizontal_spacing=0.02)
    cmax = float(weights.max()) if weights.size else 1.0
    ids = np.asarray(neighbors)
    for c in range(heads + 1):
        for x, y in xy:  # spokes from the vertex
            fig.add_scatter(x=[0, x], y=[0, y], mode="lines", line={"color": "#CCCCCC", "width": 1},
                            hoverinfo="skip", showlegend=False, row=1, col=c + 1)  # fmt: skip
        fig.add_scatter(
            x=xy[:, 0], y=xy[:, 1], mode="markers", customdata=ids, showlegend=False, row=1, col=c + 1,
            marker={"size": 16, "color": weights[:, c], "colorscale": SEQUENTIAL, "cmin": 0, "cmax": cmax,
                    "line": {"color": OUTLINE, "width": 1}, "showscale": c == heads,
                    "colorbar": {"title": {"text": "weight"}, "thickness": 10}},
            text=[f"{w:.3f}" for w in weights[:, c]],
            hovertemplate="neighbor %{customdata}<br>weight %{text}<extra></extra>",
        )  # fmt: skip
        fig.add_scatter(x=[0], y=[0], mode="markers", marker={"size": 12, "color": FOCUS, "symbol": "x"},
                        hoverinfo="skip", showlegend=False, row=1, col=c + 1)  # fmt: skip
    for c in range(heads + 1):  # one scale per panel: the ring is not stretched
        fig.update_xaxes(visible=False, scaleanchor=f"y{c + 1 if c else ''}", row=1, col=c + 1)
    fig.update_yaxes(visible=False)
    fig.update_layout(title=title, height=260, margin={"t": 70, "b": 10, "l": 10, "r": 10})
    return fig
