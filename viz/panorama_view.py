"""Panorama predictions: per-vertex maps on the longitude/latitude plane and the room as a point cloud.

The maps are :func:`viz.surface_view.sphere_map_figure` with one field each (colors,
values or class ids); the point cloud puts each vertex at its direction times its depth.
Every point carries its vertex id as ``customdata`` and the picked vertex is marked
(trace ``"focus"``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nodescope.core.geometry.sphere import xyz_to_latlon
from nodescope.core.models.panorama.single import MAP_FIELDS, PanoramaPrediction
from nodescope.core.panorama.classes import CLASS_NAMES, LAYOUT_NAMES
from nodescope.viz.colors import rgb_to_hex
from nodescope.viz.nodes import FOCUS
from nodescope.viz.surface_view import sphere_map_figure


def normal_rgb(normal: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 colors of (N, 3) unit normals: each component mapped from [-1, 1] to 0..255."""
    n = np.clip(np.asarray(normal, np.float64), -1.0, 1.0)
    return np.round((n + 1.0) * 127.5).astype(np.uint8)


def panorama_map_figure(
    sph: np.ndarray,
    *,
    rgb: np.ndarray | None = None,
    values: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    label_names: Sequence[str] | None = None,
    color_title: str = "",
    colorscale: str | None = None,
    value_range: tuple[float, float] | None = None,
    focus: int | None = None,
    title: str | None = None,
    ids: np.ndarray | None = None,
) -> go.Figure:
    """One per-vertex field on the longitude/latitude plane (SVG traces), the picked vertex marked.

    Args:
        sph: (N, 2) (latitude, longitude) of the vertices, degrees.
        rgb: (N, 3) colors (uint8, or float in [0, 1]): the image, normals as colors.
        values: (N,) floats (depth in metres, errors) with a colorbar titled ``color_title``.
        labels: (N,) int class ids, one legend entry per class named by ``label_names``.
        label_names: the class names.
        color_title: the colorbar's title.
        colorscale: plotly color scale for ``values`` (default from their signs).
        value_range: (cmin, cmax) of that scale, to share it between maps (default: the values').
        focus: the picked vertex's row in ``sph``, or None.
        title: figure title.
        ids: (N,) vertex ids of the rows, when they are a part of a sphere (a zoomed region):
            the points' ``customdata`` and the focus label (default: the row numbers).
    """
    colors = None if rgb is None else np.asarray(rgb)
    fig = sphere_map_figure(
        sph, values=values, vertex_colors=colors, color_title=color_title, colorscale=colorscale,
        focus=focus, title=title, labels=labels, label_names=label_names,
    )  # fmt: skip
    # SVG, not WebGL: a page of 13 maps and 2 point clouds would pass Chromium's 16 WebGL
    # contexts, and the oldest charts would go blank.
    svg = [go.Scatter({k: v for k, v in t.to_plotly_json().items() if k != "type"}) for t in fig.data]
    out = go.Figure(svg, fig.layout)
    if value_range is not None:
        out.update_traces(marker_cmin=value_range[0], marker_cmax=value_range[1], selector={"name": "nodes"})
    out.update_layout(legend={"orientation": "h", "y": -0.25, "font": {"size": 10}})
    if ids is not None:
        ids = np.asarray(ids, np.int64)
        for t in out.data:
            if t.customdata is not None:
                t.customdata = ids[np.asarray(t.customdata, np.int64).ravel()]
            if t.name == "focus" and focus is not None:
                t.text, t.hovertemplate = [str(ids[focus])], f"focus: {ids[focus]}<extra></extra>"
    return out


def point_cloud_figure(
    points: np.ndarray,
    rgb: np.ndarray,
    *,
    focus: int | None = None,
    extent: float | None = None,
    title: str | None = None,
) -> go.Figure:
    """A room as a colored point cloud seen from its camera, the picked vertex marked.

    Args:
        points: (N, 3) metres, camera at the origin, z up (direction times depth).
        rgb: (N, 3) colors (uint8 or float in [0, 1]).
        focus: the picked vertex id, or None.
        extent: half-width of the cube drawn, metres (the same for the prediction and the
            truth so they compare), or None (this cloud's).
        title: figure title.
    """
    p = np.asarray(points, np.float64)
    fig = go.Figure()
    fig.add_scatter3d(
        x=p[:, 0], y=p[:, 1], z=p[:, 2], mode="markers", name="points", customdata=np.arange(len(p)),
        marker={"size": 2.5, "color": rgb_to_hex(np.asarray(rgb))}, hovertemplate="vertex %{customdata}<extra></extra>",
        showlegend=False,
    )  # fmt: skip
    if focus is not None and 0 <= focus < len(p):
        fig.add_scatter3d(
            x=p[[focus], 0], y=p[[focus], 1], z=p[[focus], 2], mode="markers+text", name="focus",
            customdata=[focus], marker={"size": 9, "color": FOCUS, "opacity": 0.6}, text=[str(focus)],
            hoverinfo="skip", showlegend=False,
        )  # fmt: skip
    r = float(extent) if extent is not None else float(np.abs(p).max()) * 1.05 + 0.05
    axis = {"range": [-r, r], "showspikes": False}
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 14}} if title else None,
        scene={
            "xaxis": {**axis, "title": "x (m)"},
            "yaxis": {**axis, "title": "y (m)"},
            "zaxis": {**axis, "title": "up (m)"},
            "aspectmode": "cube",
            "camera": {"eye": {"x": 0.0, "y": 0.0, "z": 2.2}, "up": {"x": 1, "y": 0, "z": 0}},
        },
        margin={"t": 40, "b": 0, "l": 0, "r": 0},
    )
    return fig


#: Title of each field's maps, and of its error map.
TITLES = {"depth": "Depth", "class": "Visible class", "layout": "Layout (no furniture)", "normal": "Normal"}
ERROR_TITLES = {
    "depth": "Depth error (prediction − truth, m)",
    "class": "Class: wrong vertices",
    "layout": "Layout: wrong vertices",
    "normal": "Normal error (°)",
}


def _colors(name: str, values: np.ndarray, *, error: bool = False) -> dict:
    """:func:`panorama_map_figure`'s color arguments for field ``name`` (a prediction, truth or error)."""
    if name == "depth":
        return {"values": values, "color_title": "m", "colorscale": "RdBu_r" if error else "Viridis_r"}
    if name in ("class", "layout"):
        if error:
            return {"labels": np.asarray(values, np.int64), "label_names": ["right", "wrong"]}
        return {"labels": values, "label_names": CLASS_NAMES if name == "class" else LAYOUT_NAMES}
    if error:
        return {"values": values, "color_title": "°", "colorscale": "Viridis"}
    return {"rgb": normal_rgb(values)}


def panorama_figures(result: PanoramaPrediction, focus: int | None = None) -> dict[str, go.Figure]:
    """Every view of one panorama's predictions, the picked vertex marked in each.

    Args:
        result: :class:`core.models.panorama.single.PanoramaPrediction`.
        focus: the picked vertex id, or None.

    Returns:
        ``image`` (the input at the vertices), ``cloud_pred`` (the room from predicted depth),
        and per field of ``depth``, ``class``, ``layout``, ``normal``: ``<field>_pred``; with
        the truth also ``cloud_truth`` (on the same scale), ``<field>_truth`` and ``<field>_error``.
    """
    sph = xyz_to_latlon(np.asarray(result.directions, np.float64))
    clouds = {"pred": result.directions * result.pred["depth"][:, None]}
    if result.truth is not None:
        clouds["truth"] = result.directions * result.truth["depth"][:, None]
    extent = 1.05 * max(float(np.abs(c).max()) for c in clouds.values())
    out = {
        "image": panorama_map_figure(sph, rgb=result.rgb, focus=focus, title="Input: image at the vertices")
    }
    words = {"pred": "predicted", "truth": "true"}
    for k, c in clouds.items():
        out[f"cloud_{k}"] = point_cloud_figure(
            c, result.rgb, focus=focus, extent=extent, title=f"Room from {words[k]} depth"
        )
    depths = [result.pred["depth"]] + ([result.truth["depth"]] if result.truth is not None else [])
    shared = {"value_range": (float(min(d.min() for d in depths)), float(max(d.max() for d in depths)))}
    for name in MAP_FIELDS:
        scale = shared if name == "depth" else {}
        out[f"{name}_pred"] = panorama_map_figure(
            sph, focus=focus, title=f"{TITLES[name]}: prediction", **_colors(name, result.pred[name]), **scale
        )
        if result.truth is not None and result.errors is not None:
            out[f"{name}_truth"] = panorama_map_figure(
                sph, focus=focus, title=f"{TITLES[name]}: truth", **_colors(name, result.truth[name]), **scale
            )
            out[f"{name}_error"] = panorama_map_figure(
                sph, focus=focus, title=ERROR_TITLES[name], **_colors(name, result.errors[name], error=True)
            )
    return out
