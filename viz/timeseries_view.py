"""Figures of the Time series page: the learned graph, its adjacency, a forecast, an attribution.

Every figure takes arrays (learned weights, series, forecasts, attributions computed in
``core``/``explain``) and draws them; nothing is measured here. Adjacencies are in Nodescope's
layout: row ``i`` holds series ``i``'s incoming edge weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nodescope.viz.colors import DIVERGING, PALETTE, SEQUENTIAL
from nodescope.viz.graph_view import node_link_figure
from nodescope.viz.nodes import FOCUS


def learned_graph_figure(
    xy: np.ndarray,
    edge_index: np.ndarray,
    names: Sequence[str],
    *,
    values: np.ndarray | None = None,
    value_title: str = "",
    title: str | None = None,
    **marks: Any,
) -> go.Figure:
    """The learned graph as nodes and links (:func:`viz.graph_view.node_link_figure`), one node per series.

    Args:
        xy: (N, 2) positions.
        edge_index: (2, E) learned edges j -> i.
        names: N series names (hover).
        values: (N,) a value per series to color by (e.g. its test error), or None.
        value_title: the color bar's title.
        title: figure title.
        **marks: ``selected`` and ``focus`` (see :func:`viz.nodes.node_scatter_marked`).
    """
    styling: dict[str, Any] = {"hover": list(names)}
    if values is not None:
        styling |= {"color": np.asarray(values, dtype=np.float64), "color_title": value_title}
    return node_link_figure(xy, edge_index, raster_above=None, title=title, **styling, **marks)


def adjacency_heatmap_figure(
    adjacency: np.ndarray,
    names: Sequence[str],
    *,
    focus: int | None = None,
    title: str | None = None,
    zmax: float | None = None,
) -> go.Figure:
    """Heat map of an (N, N) adjacency, row ``i`` = series ``i``'s incoming weights.

    Each cell carries its row's series id as ``customdata``, so a click on a cell picks the series
    whose incoming edge it is (:func:`viz.nodes.node_ids_from_points`). The focus row is outlined.
    """
    a = np.asarray(adjacency, dtype=np.float64)
    n = a.shape[0]
    labels = list(names)
    fig = go.Figure(
        go.Heatmap(
            z=a,
            x=labels,
            y=labels,
            zmin=0.0,
            zmax=zmax if zmax is not None else (float(a.max()) if a.size and a.max() > 0 else 1.0),
            colorscale=SEQUENTIAL,
            customdata=np.repeat(np.arange(n)[:, None], n, axis=1),
            colorbar={"title": {"text": "weight"}, "thickness": 12},
            hovertemplate="%{x} → %{y}<br>weight %{z:.3g}<extra></extra>",
        )
    )
    shapes = _focus_row(focus, n, n)
    fig.update_layout(
        title=title,
        xaxis={"title": "from (source series)", "showticklabels": n <= 40, "constrain": "domain"},
        yaxis={"title": "to (target series)", "autorange": "reversed", "showticklabels": n <= 40},
        shapes=shapes,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


def forecast_figure(
    steps: np.ndarray,
    values: np.ndarray,
    target_steps: np.ndarray,
    forecast: np.ndarray,
    error: np.ndarray,
    *,
    name: str,
    test_start: Any | None = None,
    title: str | None = None,
) -> go.Figure:
    """One series with the model's forecasts and their error below.

    Args:
        steps: (T,) x values of the series (time stamps or step indices).
        values: (T,) the series.
        target_steps: (K,) x values of the forecast targets.
        forecast: (K,) the forecasts, same units as ``values``.
        error: (K,) forecast minus truth at each target.
        name: the series' name.
        test_start: x where the test split starts (a dotted line), or None.
        title: figure title.
    """
    steps, values = np.asarray(steps), np.asarray(values, dtype=np.float64)
    target_steps, forecast = np.asarray(target_steps), np.asarray(forecast, dtype=np.float64)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.05)
    fig.add_trace(
        go.Scatter(x=steps, y=values, mode="lines", name=name, line={"color": PALETTE[0], "width": 1.2}),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=target_steps, y=forecast, mode="lines", name="forecast", line={"color": FOCUS, "width": 1.2}
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(x=target_steps, y=np.asarray(error), name="error", marker={"color": PALETTE[1]}),
        row=2,
        col=1,
    )
    if test_start is not None:
        fig.add_vline(x=test_start, line={"dash": "dot", "color": "#888888"})
    fig.update_yaxes(title_text="value", row=1, col=1)
    fig.update_yaxes(title_text="forecast − truth", row=2, col=1)
    fig.update_layout(title=title, legend={"orientation": "h", "y": 1.08}, margin={"t": 60, "b": 10})
    return fig


def attribution_heatmap_figure(
    attribution: np.ndarray,
    names: Sequence[str],
    *,
    focus: int | None = None,
    title: str | None = None,
) -> go.Figure:
    """Heat map of an (N, P) attribution: series down, input steps across (``-1`` = the latest).

    A diverging scale centered on 0 (red pushes the forecast up, blue down); each cell carries its
    series id as ``customdata``; the focus series' row is outlined.
    """
    r = np.asarray(attribution, dtype=np.float64)
    n, p = r.shape
    lags = [f"{k - p}" for k in range(p)]
    peak = float(np.abs(r).max()) if r.size else 0.0
    fig = go.Figure(
        go.Heatmap(
            z=r,
            x=lags,
            y=list(names),
            zmid=0.0,
            zmin=-peak or -1.0,
            zmax=peak or 1.0,
            colorscale=DIVERGING,
            customdata=np.repeat(np.arange(n)[:, None], p, axis=1),
            colorbar={"title": {"text": "attribution"}, "thickness": 12},
            hovertemplate="%{y}, step %{x}<br>%{z:.3g}<extra></extra>",
        )
    )
    shapes = _focus_row(focus, n, p)
    fig.update_layout(
        title=title,
        xaxis={"title": "input step (−1 = latest)"},
        yaxis={"autorange": "reversed", "showticklabels": n <= 40},
        shapes=shapes,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


def attribution_bars_figure(
    per_series: np.ndarray,
    incoming: np.ndarray,
    names: Sequence[str],
    *,
    focus: int | None = None,
    title: str | None = None,
) -> go.Figure:
    """Per series: its attribution mass beside the learned weight of its edge into the focus.

    Args:
        per_series: (N,) attribution mass per series.
        incoming: (N,) learned weight of each series' edge into the focus (0: no edge).
        names: N series names.
        focus: the focus series (its bar is labeled "(focus)").
        title: figure title.
    """
    labels = [f"{n} (focus)" if k == focus else str(n) for k, n in enumerate(names)]
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(x=labels, y=np.asarray(per_series), name="attribution mass", marker={"color": PALETTE[0]}),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=labels, y=np.asarray(incoming), mode="markers", name="learned weight into focus",
            marker={"color": FOCUS, "size": 9, "symbol": "diamond"},
        ),
        secondary_y=True,
    )  # fmt: skip
    fig.update_yaxes(title_text="Σ |attribution|", secondary_y=False, rangemode="tozero")
    fig.update_yaxes(title_text="learned weight", secondary_y=True, rangemode="tozero")
    fig.update_layout(title=title, legend={"orientation": "h", "y": 1.1}, margin={"t": 60, "b": 10})
    return fig


def _focus_row(focus: int | None, rows: int, columns: int) -> list[dict[str, Any]]:
    """A frame around row ``focus`` of a (rows, columns) heat map (none when out of range)."""
    if focus is None or not 0 <= focus < rows:
        return []
    return [
        {
            "type": "rect", "xref": "x", "yref": "y", "name": f"focus {focus}",
            "x0": -0.5, "x1": columns - 0.5, "y0": focus - 0.5, "y1": focus + 0.5,
            "line": {"color": FOCUS, "width": 2},
        }
    ]  # fmt: skip
