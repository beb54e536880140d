"""The node scatter shared by every 2D view (node-link diagram, embeddings, sphere map).

Every node point carries ``customdata`` = its node id, so a click, box or lasso on any
trace maps back to node ids (:func:`node_ids_from_points`). The selection is drawn by
dimming the other nodes and outlining the selected ones on top; the focus node gets a large
ring and a text label. :func:`node_scatter_traces` draws these marks as traces ("selected (k)",
"focus") and dims by trace opacity; :func:`node_scatter_marked` draws them, and the dimming,
as layout shapes, which a chart update redraws without its WebGL traces.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from nodescope.viz.colors import PALETTE, UNLABELED, class_color, rgb_to_hex, value_colorscale

#: Opacity of unselected nodes while a selection exists.
DIMMED = 0.25
#: Color of the selection outline and of the focus ring.
OUTLINE = "#111111"
FOCUS = "#E4003A"
#: A constant ``uirevision``: zoom, pan and legend state survive Streamlit reruns.
UIREVISION = "nodescope"
#: :func:`node_scatter_marked` outlines at most this many selected nodes with shapes (one SVG
#: element each); a larger selection is drawn as a trace.
MAX_SELECTION_SHAPES = 200


def auto_marker_size(n: int) -> float:
    """Marker diameter in px for n nodes: 10 for tens of nodes, 6 for thousands, 3 at 100k."""
    return float(np.clip(14.0 - 2.2 * np.log10(max(n, 1)), 2.5, 10.0))


@dataclass
class _Nodes:
    """The node traces of a scatter and what the selection overlays need to match them."""

    traces: list[go.Scattergl]
    colors: np.ndarray  # (N,) per-node color: CSS strings, or the values of a continuous color
    scale: dict[str, Any]  # colorscale, cmin, cmax of a continuous color ({} otherwise)
    text: np.ndarray | None
    size: float
    selected: np.ndarray  # valid selected ids, sorted
    focus: int | None  # a valid focus id


def _node_traces(
    xy: np.ndarray,
    *,
    color: np.ndarray | None = None,
    color_title: str = "",
    colorscale: str | None = None,
    labels: np.ndarray | None = None,
    label_names: Sequence[str] | None = None,
    rgb: np.ndarray | None = None,
    hover: Sequence[str] | None = None,
    selected: Sequence[int] = (),
    focus: int | None = None,
    marker_size: float | None = None,
    dim: bool = True,
) -> _Nodes:
    """Every node once, colored (see :func:`node_scatter_traces`).

    Dimmed (``dim``) when a selection exists.
    """
    xy = np.asarray(xy, dtype=np.float64)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise ValueError(f"xy must have shape (N, 2), not {xy.shape}")
    n = len(xy)
    size = float(marker_size) if marker_size is not None else auto_marker_size(n)
    ids = np.arange(n)
    sel = _valid_ids(selected, n)
    base_opacity = DIMMED if sel.size and dim else 1.0
    # a str array, not a list: plotly validates it at once instead of string by string
    text = None if hover is None else np.asarray(list(hover), dtype=str)
    if text is not None and len(text) != n:
        raise ValueError(f"hover has {len(text)} entries for {n} nodes")

    traces: list[go.Scattergl] = []
    point_colors: np.ndarray
    marker_extra: dict[str, Any] = {}
    if color is not None:
        values = np.asarray(color, dtype=np.float64).ravel()
        if len(values) != n:
            raise ValueError(f"color has {len(values)} values for {n} nodes")
        finite = np.isfinite(values)
        scale = colorscale or value_colorscale(values)
        lo, hi = (float(values[finite].min()), float(values[finite].max())) if finite.any() else (0.0, 1.0)
        marker_extra = {"colorscale": scale, "cmin": lo, "cmax": hi}
        if lo < 0 < hi and scale == value_colorscale(values):
            m = max(-lo, hi)  # diverging: symmetric so that 0 sits at the neutral color
            marker_extra.update(cmin=-m, cmax=m)
        value_fmt = f"<br>{color_title or 'value'}: %{{marker.color:.4g}}"
        idx = ids[finite]
        traces.append(
            _trace(
                xy, idx, text, "nodes", size, base_opacity,
                marker={
                    "color": values[idx], **marker_extra, "showscale": True,
                    "colorbar": {"title": {"text": color_title}, "thickness": 12, "len": 0.8},
                },
                value_fmt=value_fmt, showlegend=False,
            )
        )  # fmt: skip
        if (~finite).any():
            traces.append(_trace(xy, ids[~finite], text, "no value", size, base_opacity, color=UNLABELED))
        point_colors = values
    elif labels is not None:
        y = np.asarray(labels).astype(np.int64).ravel()
        if len(y) != n:
            raise ValueError(f"labels has {len(y)} entries for {n} nodes")
        for c in np.unique(y):
            idx = ids[y == c]
            if c < 0:
                name = "unlabeled"
            elif label_names is not None and c < len(label_names):
                name = str(label_names[c])
            else:
                name = f"class {c}"
            traces.append(_trace(xy, idx, text, name, size, base_opacity, color=class_color(int(c))))
        if (y < 0).any():  # draw unlabeled nodes first, underneath the classes
            traces.sort(key=lambda t: t.name != "unlabeled")
        point_colors = np.array(PALETTE + (UNLABELED,))[np.where(y < 0, len(PALETTE), y % len(PALETTE))]
    elif rgb is not None:
        point_colors = np.array(rgb_to_hex(rgb))
        if len(point_colors) != n:
            raise ValueError(f"rgb has {len(point_colors)} rows for {n} nodes")
        traces.append(
            _trace(
                xy, ids, text, "nodes", size, base_opacity, marker={"color": point_colors}, showlegend=False
            )
        )
    else:
        traces.append(_trace(xy, ids, text, "nodes", size, base_opacity, color=PALETTE[0], showlegend=False))
        point_colors = np.full(n, PALETTE[0])
    valid_focus = int(focus) if focus is not None and 0 <= int(focus) < n else None
    return _Nodes(traces, point_colors, marker_extra, text, size, sel, valid_focus)


def _selection_trace(xy: np.ndarray, nodes: _Nodes) -> go.Scattergl:
    """The selected nodes redrawn on top, undimmed and outlined ("selected (k)")."""
    sel = nodes.selected
    marker = {
        "color": nodes.colors[sel],
        "line": {"color": OUTLINE, "width": 1.5},
        **{k: v for k, v in nodes.scale.items() if k != "showscale"},
    }
    if nodes.scale:
        marker["color"] = np.nan_to_num(nodes.colors[sel], nan=nodes.scale["cmin"])
    return _trace(xy, sel, nodes.text, f"selected ({sel.size})", nodes.size * 1.3, 1.0, marker=marker)


def _focus_ring_px(size: float) -> float:
    """Diameter in px of the focus ring around a node drawn ``size`` px wide."""
    return max(18.0, 3.0 * size)


def node_scatter_traces(
    xy: np.ndarray,
    *,
    color: np.ndarray | None = None,
    color_title: str = "",
    colorscale: str | None = None,
    labels: np.ndarray | None = None,
    label_names: Sequence[str] | None = None,
    rgb: np.ndarray | None = None,
    hover: Sequence[str] | None = None,
    selected: Sequence[int] = (),
    focus: int | None = None,
    focus_label: str | None = None,
    marker_size: float | None = None,
) -> list[go.Scattergl]:
    """WebGL scatter traces of N nodes, colored by value or by class.

    Args:
        xy: (N, 2) positions, row i = node i.
        color: (N,) float per node -> continuous color with a colorbar titled
            ``color_title``; non-finite values are drawn gray in a "no value" trace.
        color_title: the colorbar's title.
        colorscale: plotly color scale name; default diverging (centered on 0) when the
            values have both signs, else sequential.
        labels: (N,) int class per node (-1 = unlabeled) -> one legend entry per class,
            named by ``label_names``. Ignored when ``color`` is given.
        label_names: class names, indexed by label (default: ``class <c>``).
        rgb: (N, 3) explicit color per node (uint8 0..255 or float 0..1), e.g. the pixel
            colors of a panorama; used when neither ``color`` nor ``labels`` is given.
        hover: (N,) hover text per node (default: "node i" and the value).
        selected: selected node ids; when not empty, the other nodes are dimmed and the
            selected ones redrawn on top with an outline ("selected (k)" trace).
        focus: the focus node id, drawn as a ring with a text label ("focus" trace).
        focus_label: that label (default: the node id).
        marker_size: marker diameter in px (default from N).

    Returns:
        Traces in drawing order: nodes, then selection, then focus. Each point's
        ``customdata`` is its node id. :func:`node_scatter_marked` draws the selection and
        the focus as layout shapes instead (faster chart updates).
    """
    xy = np.asarray(xy, dtype=np.float64)
    nodes = _node_traces(
        xy, color=color, color_title=color_title, colorscale=colorscale, labels=labels,
        label_names=label_names, rgb=rgb, hover=hover, selected=selected, focus=focus, marker_size=marker_size,
    )  # fmt: skip
    traces = list(nodes.traces)
    if nodes.selected.size:
        traces.append(_selection_trace(xy, nodes))
    if nodes.focus is not None:
        f = nodes.focus
        label = focus_label if focus_label is not None else str(f)
        traces.append(
            go.Scattergl(
                x=xy[[f], 0], y=xy[[f], 1], customdata=np.array([f]), name="focus", mode="markers+text",
                text=[label], textposition="top center", textfont={"size": 13, "color": FOCUS},
                marker={"symbol": "circle-open", "size": _focus_ring_px(nodes.size), "color": FOCUS, "line": {"width": 3}},
                hovertemplate=f"focus: {label}<extra></extra>", showlegend=False,
            )
        )  # fmt: skip
    return traces


def node_scatter_marked(
    xy: np.ndarray,
    *,
    selected: Sequence[int] = (),
    focus: int | None = None,
    focus_label: str | None = None,
    under_marks: Sequence[dict[str, Any]] = (),
    **styling: Any,
) -> tuple[list[go.Scattergl], list[dict[str, Any]]]:
    """The nodes as traces; the selection, its dimming and the focus as layout shapes.

    Why: when any trace of a plotly.js chart changes, ``Plotly.react`` recalculates and
    redraws every trace, the whole WebGL scene (~0.1-0.5 s per chart in software GL); so
    does a new annotation (annotations take part in autoranging). Changed shapes are redrawn
    alone. Drawn this way the traces never change with the selection, and a click redraws a
    few SVG shapes. The look is that of :func:`node_scatter_traces`.

    Args:
        xy: (N, 2) positions, row i = node i.
        selected: selected node ids. When not empty, a white veil over the plot area (shape
            named "dim") dims everything under it as :data:`DIMMED` opacity would, and each
            selected node gets an outlined disc in its own color on top (a shape named
            "selected <id>"). More than :data:`MAX_SELECTION_SHAPES` are drawn as
            :func:`node_scatter_traces` does (dimmed traces, a "selected (k)" trace).
        focus: the focus node id: a ring (a shape named "focus <id>") and its label above
            (a shape named "focus label").
        focus_label: that label (default: the node id).
        under_marks: more shapes for over the veil and under the selection and focus marks
            (e.g. the focus node's edges).
        **styling: the other :func:`node_scatter_traces` arguments (color, labels, rgb, hover,
            marker_size, ...).

    Returns:
        (traces, shapes): the node traces (customdata = node ids) and the ``layout.shapes``,
        in drawing order. Marks use pixel sizes anchored at data coordinates, so they stay on
        their nodes through pan and zoom.
    """
    xy = np.asarray(xy, dtype=np.float64)
    as_shapes = _valid_ids(selected, len(xy)).size <= MAX_SELECTION_SHAPES
    nodes = _node_traces(xy, selected=selected, focus=focus, dim=not as_shapes, **styling)
    traces = list(nodes.traces)
    shapes: list[dict[str, Any]] = []
    if not as_shapes:
        traces.append(_selection_trace(xy, nodes))
    elif nodes.selected.size:
        shapes.append(
            {
                "type": "rect", "name": "dim", "xref": "paper", "yref": "paper", "x0": 0, "x1": 1, "y0": 0,
                "y1": 1, "fillcolor": f"rgba(255, 255, 255, {1 - DIMMED})", "line": {"width": 0},
                "layer": "above",
            }
        )  # fmt: skip
    shapes += under_marks
    if as_shapes:
        fills = _css_colors(nodes, nodes.selected)
        shapes += [
            _disc(xy[i], nodes.size * 1.3, name=f"selected {i}", fillcolor=c, line={"color": OUTLINE, "width": 1.5})
            for i, c in zip(nodes.selected.tolist(), fills, strict=True)
        ]  # fmt: skip
    if nodes.focus is not None:
        f = nodes.focus
        ring = _focus_ring_px(nodes.size)
        shapes.append(_disc(xy[f], ring, name=f"focus {f}", line={"color": FOCUS, "width": 3}))
        # The label rides on an invisible zero-length line at the node (plotly.js misplaces the
        # labels of pixel-sized circles): ``padding`` px above it, clear of the ring.
        shapes.append(
            {
                "type": "line", "name": "focus label", "xref": "x", "yref": "y", "xsizemode": "pixel",
                "ysizemode": "pixel", "xanchor": float(xy[f, 0]), "yanchor": float(xy[f, 1]), "x0": 0, "x1": 0,
                "y0": 0, "y1": 0, "line": {"width": 0}, "layer": "above",
                "label": {
                    "text": focus_label if focus_label is not None else str(f), "textposition": "middle",
                    "yanchor": "bottom", "padding": ring / 2 + 3, "font": {"size": 13, "color": FOCUS},
                },
            }
        )  # fmt: skip
    return traces, shapes


def _disc(center: np.ndarray, diameter: float, *, name: str, **style: Any) -> dict[str, Any]:
    """A circle shape ``diameter`` px wide centered on a data point, above the traces."""
    r = diameter / 2
    return {
        "type": "circle", "name": name, "xref": "x", "yref": "y", "xsizemode": "pixel", "ysizemode": "pixel",
        "xanchor": float(center[0]), "yanchor": float(center[1]), "x0": -r, "x1": r, "y0": -r, "y1": r,
        "layer": "above", **style,
    }  # fmt: skip


def _css_colors(nodes: _Nodes, ids: np.ndarray) -> list[str]:
    """CSS colors of nodes ``ids`` as their traces draw them (values mapped through the color scale)."""
    if not nodes.scale:
        return [str(c) for c in nodes.colors[ids]]
    values = nodes.colors[ids].astype(np.float64)
    lo, hi = nodes.scale["cmin"], nodes.scale["cmax"]
    t = np.clip((values - lo) / (hi - lo if hi > lo else 1.0), 0.0, 1.0)
    mapped = sample_colorscale(nodes.scale["colorscale"], np.nan_to_num(t).tolist())
    return [c if np.isfinite(v) else UNLABELED for c, v in zip(mapped, values, strict=True)]


def _trace(
    xy: np.ndarray,
    idx: np.ndarray,
    text: np.ndarray | None,
    name: str,
    size: float,
    opacity: float,
    *,
    color: str | None = None,
    marker: dict[str, Any] | None = None,
    value_fmt: str = "",
    showlegend: bool = True,
) -> go.Scattergl:
    """One Scattergl of the nodes ``idx`` with customdata = node ids."""
    m: dict[str, Any] = {"size": size, "opacity": opacity}
    if color is not None:
        m["color"] = color
    m.update(marker or {})
    m.setdefault("line", {"width": 0})
    if text is not None:
        hovertemplate = "%{text}" + value_fmt + "<extra></extra>"
    else:
        hovertemplate = "node %{customdata}" + value_fmt + "<extra></extra>"
    return go.Scattergl(
        x=xy[idx, 0],
        y=xy[idx, 1],
        customdata=idx,
        text=None if text is None else text[idx],
        name=name,
        mode="markers",
        marker=m,
        hovertemplate=hovertemplate,
        showlegend=showlegend,
    )


def _valid_ids(ids: Sequence[int] | np.ndarray, n: int) -> np.ndarray:
    """Unique, sorted node ids in [0, n) (others ignored)."""
    a = np.unique(np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids, dtype=np.int64).ravel())
    return a[(a >= 0) & (a < n)]


def node_ids_from_points(points: Sequence[dict[str, Any]]) -> list[int]:
    """Node ids of the points in a Streamlit plotly selection event, in order, without repeats.

    ``st.plotly_chart(fig, on_select="rerun")`` returns ``event.selection.points``: one dict
    per point (``curve_number``, ``point_index``, ``x``, ``y``, ``customdata``, ...). Our
    node points carry their id as ``customdata`` - a number, or a one-element list when
    customdata was 2D. Points without it (edges, meshes without ids) are ignored.
    """
    out: list[int] = []
    seen: set[int] = set()
    for p in points or ():
        cd = p.get("customdata") if isinstance(p, dict) else None
        if isinstance(cd, (list, tuple)):
            cd = cd[0] if cd else None
        if cd is None or isinstance(cd, bool):
            continue
        try:
            v = float(cd)
        except (TypeError, ValueError):
            continue
        if not np.isfinite(v) or v != int(v):
            continue
        i = int(v)
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out


def selection_revision(selected: Sequence[int] | np.ndarray, focus: int | None) -> str:
    """A short key that changes with the selection: plotly's ``selectionrevision``.

    When our selection changes, plotly drops its own click/box selection state (which would
    otherwise keep dimming the points it selected before the rerun), so the highlight
    always shows the app's selection and nothing else.
    """
    ids = np.unique(np.asarray(list(selected) if not isinstance(selected, np.ndarray) else selected))
    key = ids.astype(np.int64).tobytes() + str(focus).encode()
    return hashlib.blake2b(key, digest_size=6).hexdigest()


def scatter_layout(
    *,
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    selected: Sequence[int] = (),
    focus: int | None = None,
    dragmode: str = "pan",
) -> dict[str, Any]:
    """Layout shared by the 2D node views: equal aspect, no grid, click/box selection.

    ``dragmode`` is "pan" by default, not "select": Streamlit (1.67) forces
    ``clickmode="event"`` whenever the figure's dragmode is "select" or "lasso", and then a
    click on a node no longer selects it. With "pan", a click selects a node and box/lasso
    selection is one modebar button away.
    """
    show_axes = x_title is not None
    axis = {"showgrid": False, "zeroline": False, "showticklabels": False, "visible": show_axes}
    return {
        "title": {"text": title, "x": 0.01, "font": {"size": 14}} if title else None,
        "xaxis": {**axis, "title": {"text": x_title}},
        "yaxis": {**axis, "title": {"text": y_title}, "scaleanchor": "x", "scaleratio": 1},
        "dragmode": dragmode,
        "clickmode": "event+select",
        "hovermode": "closest",
        "uirevision": UIREVISION,
        "selectionrevision": selection_revision(selected, focus),
        "margin": {
            "l": 10 if not show_axes else 40,
            "r": 10,
            "t": 40 if title else 10,
            "b": 10 if not show_axes else 40,
        },
        # Legend below the plot: above it, it collides with the title and the modebar.
        "legend": {
            "orientation": "h",
            "yanchor": "top",
            "y": -0.15 if show_axes else -0.02,
            "xanchor": "left",
            "x": 0.0,
        },
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
    }
