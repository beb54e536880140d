"""Surfaces: a 3D mesh (cortex, mesh samples) and an equirectangular map of spherical vertices.

Both carry vertex ids as ``customdata`` on everything clickable, like the 2D node views,
and draw the selection and the focus vertex (trace ``"focus"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from nodescope.viz.colors import DIVERGING, rgb_to_hex
from nodescope.viz.images import image_data_uri
from nodescope.viz.nodes import (
    FOCUS,
    OUTLINE,
    UIREVISION,
    node_scatter_traces,
    scatter_layout,
    selection_revision,
)

#: Lighting for cortical surfaces: soft, mostly diffuse (sulci stay readable), little gloss.
CORTEX_LIGHTING = {"ambient": 0.45, "diffuse": 0.75, "specular": 0.08, "roughness": 0.8, "fresnel": 0.05}
#: Mesh color when no values or vertex colors are given.
PLAIN = "#D9D4CC"
#: Widest background image sent to the browser (px): a data URI rides along every rerun.
MAX_IMAGE_WIDTH = 1024


def _value_range(values: np.ndarray, colorscale: str) -> tuple[float, float]:
    """cmin, cmax over the finite values; symmetric around 0 for a diverging scale with both signs."""
    finite = values[np.isfinite(values)]
    if not finite.size:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if colorscale == DIVERGING and lo < 0 < hi:
        m = max(-lo, hi)
        return -m, m
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def _pick_subset(n: int, max_points: int) -> np.ndarray:
    """All vertex ids, or a deterministic sorted random subset of ``max_points`` of them."""
    if n <= max_points:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, size=max_points, replace=False))


def _valid(ids: Sequence[int] | np.ndarray, n: int) -> np.ndarray:
    a = np.unique(np.asarray(ids, dtype=np.int64).ravel())
    return a[(a >= 0) & (a < n)]


#: A camera at the center of the scene facing +x (a panorama's forward direction), z up.
INSIDE_CAMERA = {
    "eye": {"x": -0.05, "y": 0.0, "z": 0.0},
    "center": {"x": 0.0, "y": 0.0, "z": 0.0},
    "up": {"x": 0.0, "y": 0.0, "z": 1.0},
}
#: Both hemispheres from above, front up: lh on the left, rh on the right (as
#: :func:`core.geometry.hemispheres.side_by_side` lays them out).
PAIR_CAMERA = {
    "eye": {"x": 0.0, "y": -0.35, "z": 1.9},
    "center": {"x": 0.0, "y": 0.0, "z": 0.0},
    "up": {"x": 0.0, "y": 1.0, "z": 0.0},
}
#: Flat light for the inner faces: the vertex colors as they are.
INSIDE_LIGHTING = {"ambient": 1.0, "diffuse": 0.0, "specular": 0.0, "roughness": 1.0, "fresnel": 0.0}


def mesh_figure(
    pos: np.ndarray,
    faces: np.ndarray,
    *,
    values: np.ndarray | None = None,
    vertex_colors: np.ndarray | None = None,
    color_title: str = "",
    colorscale: str = DIVERGING,
    value_range: tuple[float, float] | None = None,
    selected: Sequence[int] = (),
    focus: int | None = None,
    focus_label: str | None = None,
    pickable: bool = True,
    max_pick_points: int = 20_000,
    title: str | None = None,
    inside: bool = False,
    vertex_names: Sequence[str] | None = None,
    camera: dict[str, Any] | None = None,
) -> go.Figure:
    """A triangle mesh colored per vertex, with the selection and focus vertex marked.

    Args:
        pos: (N, 3) vertex positions.
        faces: (T, 3) vertex ids per triangle.
        values: (N,) float per vertex, drawn with ``colorscale`` and a colorbar titled
            ``color_title`` (diverging scales are centered on 0); non-finite values are
            drawn at the low end.
        vertex_colors: (N, 3) uint8 or float 0..1 colors, used when ``values`` is None.
        color_title: the colorbar's title.
        colorscale: plotly color scale name for ``values``.
        value_range: (cmin, cmax) of the color scale, to share one scale between figures
            (default: from ``values``, see above).
        selected: selected vertex ids (small dark markers).
        focus: focus vertex id (large marker with a label, trace "focus").
        focus_label: that label (default: the vertex id).
        pickable: add a near-invisible point cloud of the vertices (trace "pick",
            subsampled deterministically above ``max_pick_points``) so a click lands on a
            vertex even where the mesh itself reports none.
        max_pick_points: most points of the pick cloud.
        title: figure title.
        inside: view from the center looking out, as a panorama viewer does (the camera a
            few percent of the scene from the center, facing +x with z up; dragging looks
            around), with flat ambient light so the image's colors show as they are.
        vertex_names: (N,) what hovering a vertex shows instead of "vertex <id>" (both
            hemispheres drawn as one mesh: ``"rh 12"``, see :mod:`core.geometry.hemispheres`);
            also the focus label's default.
        camera: the scene's first camera (:data:`PAIR_CAMERA` for both hemispheres); default
            plotly's, or :data:`INSIDE_CAMERA` with ``inside``.

    Returns:
        The figure: "mesh" (Mesh3d, customdata = vertex id), then "pick", "selected (k)",
        "focus" (Scatter3d, customdata = vertex id).
    """
    pos = np.asarray(pos, dtype=np.float64)
    faces = np.asarray(faces, dtype=np.int64)
    if pos.ndim != 2 or pos.shape[1] != 3:
        raise ValueError(f"pos must have shape (N, 3), not {pos.shape}")
    if faces.ndim != 2 or faces.shape[1] != 3:
        raise ValueError(f"faces must have shape (T, 3), not {faces.shape}")
    n = len(pos)
    ids = np.arange(n, dtype=np.int32)
    # float32 / int32: half the bytes sent to the browser on every rerun (a 110k-vertex cortex
    # is ~6 MB instead of ~12 MB); plotly.js draws in float32 anyway.
    xyz = np.ascontiguousarray(pos.T, dtype=np.float32)
    tri = np.ascontiguousarray(faces.T, dtype=np.int32)
    names = None if vertex_names is None else np.asarray(vertex_names, dtype=object)
    if names is not None and len(names) != n:
        raise ValueError(f"vertex_names has {len(names)} entries for {n} vertices")
    what = "%{customdata}" if names is None else "%{text}"
    mesh: dict[str, Any] = {
        "x": xyz[0], "y": xyz[1], "z": xyz[2],
        "i": tri[0], "j": tri[1], "k": tri[2],
        "customdata": ids, "name": "mesh", "flatshading": False,
        "lighting": CORTEX_LIGHTING, "lightposition": {"x": 1e5, "y": 1e5, "z": 1e5},
        "showscale": False,
    }  # fmt: skip
    if names is not None:
        mesh["text"] = names
    if inside:  # lit from outside, the inner faces would be dark
        mesh["lighting"] = INSIDE_LIGHTING
    if values is not None:
        v = np.asarray(values, dtype=np.float64).ravel()
        if len(v) != n:
            raise ValueError(f"values has {len(v)} entries for {n} vertices")
        lo, hi = _value_range(v, colorscale) if value_range is None else value_range
        mesh.update(
            intensity=np.where(np.isfinite(v), v, lo).astype(np.float32), intensitymode="vertex", colorscale=colorscale,
            cmin=lo, cmax=hi, showscale=True, colorbar={"title": {"text": color_title}, "thickness": 12, "len": 0.7},
            hovertemplate=f"vertex {what}<br>" + (color_title or "value") + ": %{intensity:.4g}<extra></extra>",
        )  # fmt: skip
    else:
        if vertex_colors is not None:
            mesh["vertexcolor"] = rgb_to_hex(vertex_colors)
        else:
            mesh["color"] = PLAIN
        mesh["hovertemplate"] = f"vertex {what}<extra></extra>"
    traces: list[Any] = [go.Mesh3d(**mesh)]

    if pickable:
        pick = _pick_subset(n, max_pick_points)
        traces.append(
            go.Scatter3d(
                x=pos[pick, 0], y=pos[pick, 1], z=pos[pick, 2], customdata=pick, name="pick", mode="markers",
                marker={"size": 2, "color": OUTLINE, "opacity": 0.02}, showlegend=False,
                text=None if names is None else names[pick], hovertemplate=f"vertex {what}<extra></extra>",
            )
        )  # fmt: skip
    sel = _valid(selected, n)
    if sel.size:
        traces.append(
            go.Scatter3d(
                x=pos[sel, 0], y=pos[sel, 1], z=pos[sel, 2], customdata=sel, name=f"selected ({sel.size})",
                mode="markers", marker={"size": 3, "color": OUTLINE}, showlegend=False,
                text=None if names is None else names[sel], hovertemplate=f"vertex {what}<extra></extra>",
            )
        )  # fmt: skip
    if focus is not None and 0 <= int(focus) < n:
        f = int(focus)
        label = focus_label if focus_label is not None else (str(f) if names is None else str(names[f]))
        traces.append(
            go.Scatter3d(
                x=pos[[f], 0], y=pos[[f], 1], z=pos[[f], 2], customdata=np.array([f]), name="focus",
                mode="markers+text", text=[label], textposition="top center",
                textfont={"size": 13, "color": FOCUS},
                marker={"size": 9, "color": FOCUS, "line": {"color": "white", "width": 2}}, showlegend=False,
                hovertemplate=f"focus: {label}<extra></extra>",
            )
        )  # fmt: skip

    hidden = {"visible": False, "showgrid": False, "zeroline": False, "showbackground": False}
    fig = go.Figure(traces)
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 14}} if title else None,
        scene={
            "aspectmode": "data",
            "xaxis": hidden,
            "yaxis": hidden,
            "zaxis": hidden,
            "uirevision": UIREVISION,
            **({"camera": INSIDE_CAMERA} if inside else {}),
            **({"camera": camera} if camera is not None else {}),
        },
        uirevision=UIREVISION,
        selectionrevision=selection_revision(sel, focus),
        margin={"l": 0, "r": 0, "t": 40 if title else 0, "b": 0},
        paper_bgcolor="white",
        showlegend=False,
    )
    return fig


def on_scale(fig: go.Figure, value_range: tuple[float, float], colorscale: str) -> go.Figure:
    """Put every continuously colored trace of ``fig`` on one scale (in place; returns ``fig``).

    So that a map beside a 3D view (:func:`sphere_map_figure` beside :func:`mesh_figure`) reads
    with the same colors, limits the user set included.

    Args:
        fig: a figure whose value-colored traces carry ``marker.cmin`` / ``marker.cmax``.
        value_range: (low, high) of the scale.
        colorscale: its plotly color scale name.
    """
    lo, hi = value_range
    fig.for_each_trace(
        lambda t: t.update(marker={"cmin": lo, "cmax": hi, "colorscale": colorscale}),
        selector=lambda t: getattr(getattr(t, "marker", None), "cmin", None) is not None,
    )
    return fig


def sphere_map_figure(
    sph: np.ndarray,
    *,
    values: np.ndarray | None = None,
    vertex_colors: np.ndarray | None = None,
    color_title: str = "",
    colorscale: str | None = None,
    selected: Sequence[int] = (),
    focus: int | None = None,
    background_image: np.ndarray | None = None,
    title: str | None = None,
    dragmode: str = "pan",
    **styling: Any,
) -> go.Figure:
    """Equirectangular map of spherical vertices: x = longitude, y = latitude, in degrees.

    Longitude runs -180..180 left to right and latitude -90..90 bottom to top, the same
    convention as an equirectangular panorama (image center looks along +X), so a
    ``background_image`` of the panorama lines up with its vertices.

    Args:
        sph: (N, 2) (latitude, longitude) in degrees, row i = vertex i.
        values: (N,) float per vertex (continuous color, colorbar titled ``color_title``).
        vertex_colors: (N, 3) colors per vertex, used when ``values`` is None.
        color_title: the colorbar's title.
        colorscale: plotly color scale name, as in :func:`viz.nodes.node_scatter_traces`.
        selected: selected vertex ids, as in :func:`viz.nodes.node_scatter_traces`.
        focus: the focus vertex id, as in :func:`viz.nodes.node_scatter_traces`.
        background_image: (H, W, 3) uint8 equirectangular image spanning the whole map,
            sent downsampled to at most 1024 px wide.
        title: figure title.
        dragmode: see :func:`viz.nodes.scatter_layout`.
        **styling: more :func:`viz.nodes.node_scatter_traces` arguments (labels, hover,
            marker_size, focus_label).

    Returns:
        The figure; every vertex point has customdata = vertex id.
    """
    sph = np.asarray(sph, dtype=np.float64)
    if sph.ndim != 2 or sph.shape[1] != 2:
        raise ValueError(f"sph must have shape (N, 2) (lat, lon), not {sph.shape}")
    lon = (sph[:, 1] + 180.0) % 360.0 - 180.0  # wrap into [-180, 180)
    xy = np.stack([lon, sph[:, 0]], 1)
    rgb = vertex_colors if values is None else None
    traces = node_scatter_traces(
        xy, color=values, color_title=color_title, colorscale=colorscale, rgb=rgb, selected=selected, focus=focus,
        **styling,
    )  # fmt: skip
    fig = go.Figure(traces)
    layout = scatter_layout(
        title=title, x_title="longitude (°)", y_title="latitude (°)", selected=selected, focus=focus,
        dragmode=dragmode,
    )  # fmt: skip
    ticks = {
        "showticklabels": True,
        "ticks": "outside",
        "showline": True,
        "linecolor": "#888",
        "mirror": True,
    }
    layout["xaxis"].update(ticks, range=[-180, 180], tickvals=list(range(-180, 181, 60)), constrain="domain")
    layout["yaxis"].update(ticks, range=[-90, 90], tickvals=list(range(-90, 91, 30)), constrain="domain")
    layout["margin"].update(l=50, b=45)
    if background_image is not None:
        rgb = np.asarray(background_image)[..., :3]
        layout["images"] = [
            {
                "source": image_data_uri(rgb, max_width=MAX_IMAGE_WIDTH), "xref": "x", "yref": "y", "x": -180, "y": 90,
                "sizex": 360, "sizey": 180, "xanchor": "left", "yanchor": "top", "sizing": "stretch",
                "layer": "below",
            }
        ]  # fmt: skip
    fig.update_layout(layout)
    return fig
