"""Figures of a cortical surface registration: moving, fixed and registered surfaces, and a 2D map.

A registration moves each vertex ``i`` of the moving (subject) sphere to ``registered[i]`` on
the fixed (atlas) sphere. The views share one picked moving vertex: the moving and registered
views mark that vertex, the fixed view marks the point where it lands (any point of the
fixed surface, not necessarily a vertex: see :func:`surface_figure`'s ``landing``), and the
2D map marks it at its registered longitude/latitude, with its native position beside it.

The meshes and the map are :mod:`viz.surface_view`'s; this module adds the color scales of
the per-vertex colorings a registration needs (areal distortion and folds, computed by
:mod:`explain.registration`) and the correspondence marks.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nodescope.core.geometry.hemispheres import join, pair_ids, pair_names
from nodescope.core.geometry.sphere import xyz_to_latlon
from nodescope.viz.colors import DIVERGING
from nodescope.viz.limits import color_limits
from nodescope.viz.nodes import FOCUS, OUTLINE
from nodescope.viz.surface_view import PAIR_CAMERA, mesh_figure, sphere_map_figure

#: Color scale of each per-vertex coloring the page offers.
COLOR_SCALES = {"sulc": DIVERGING, "curv": DIVERGING, "areal distortion": "Viridis", "folds": "Reds"}


def _marker(point: np.ndarray, vertex: int, label: str, name: str, color: str, size: int) -> go.Scatter3d:
    return go.Scatter3d(
        x=[point[0]], y=[point[1]], z=[point[2]], customdata=np.array([vertex]), name=name,
        mode="markers+text", text=[label], textposition="top center", textfont={"size": 13, "color": color},
        marker={"size": size, "color": color, "line": {"color": "white", "width": 2}}, showlegend=False,
        hovertemplate=f"{label}<extra></extra>",
    )  # fmt: skip


def _facing(pos: np.ndarray, point: np.ndarray, distance: float = 1.9) -> dict:
    """Scene settings whose camera looks at the surface from the side of ``point``.

    The eye lies along the direction from the surface's center to ``point``, in plotly's scene
    units (the data box scaled to about [-1, 1], ``aspectmode`` "data"). The scene's
    ``uirevision`` is tied to the point, so plotly applies this camera when the point moves and
    keeps the user's rotation otherwise.
    """
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    center, half = (lo + hi) / 2, (hi - lo).max() / 2
    direction = (point - center) / half
    norm = float(np.linalg.norm(direction))
    eye = direction / norm * distance if norm > 1e-9 else np.array([distance, 0.0, 0.0])
    return {
        "camera": {"eye": dict(zip("xyz", eye.tolist(), strict=True)), "center": {"x": 0, "y": 0, "z": 0}},
        "uirevision": "mark " + " ".join(f"{v:.3f}" for v in point),
    }


def surface_figure(
    pos: np.ndarray,
    faces: np.ndarray,
    *,
    values: np.ndarray | None = None,
    color_title: str = "",
    focus: int | None = None,
    focus_label: str | None = None,
    landing: np.ndarray | None = None,
    landing_vertex: int | None = None,
    landing_label: str = "",
    title: str | None = None,
    turn_to_mark: bool = True,
    value_range: tuple[float, float] | None = None,
    colorscale: str | None = None,
    vertex_names: list[str] | None = None,
    camera: dict | None = None,
) -> go.Figure:
    """One surface of a registration (moving, fixed or registered), with the picked vertex marked.

    Args:
        pos: (N, 3) vertex positions of the surface drawn (sphere, inflated, pial, ...), mm.
        faces: (T, 3) its triangles.
        values: (N,) coloring; its color scale comes from :data:`COLOR_SCALES` by ``color_title``
            (diverging otherwise).
        color_title: the coloring's name ("sulc", "curv", "areal distortion", "folds").
        focus: a vertex of this surface to mark (trace "focus"), for the moving and
            registered views.
        focus_label: its label (default: the vertex id).
        landing: (3,) a point on this surface to mark instead of a vertex, for the fixed view:
            where the picked moving vertex lands (trace "focus", customdata = ``landing_vertex``).
        landing_vertex: the surface's vertex nearest to ``landing`` (what a click there picks).
        landing_label: the landing mark's text.
        title: figure title.
        turn_to_mark: point the camera at the marked vertex or point, from outside the surface,
            once per mark (the user's own rotation is kept until the mark moves).
        value_range: (low, high) of the color scale (default: from ``values``), to share one
            scale over both hemispheres (:func:`viz.limits.color_limits`).
        colorscale: the color scale (default: from ``color_title``, see ``values``).
        vertex_names: (N,) hover names of the vertices (both hemispheres: ``"rh 12"``).
        camera: the first camera (see :func:`viz.surface_view.mesh_figure`).

    Returns:
        :func:`viz.surface_view.mesh_figure`'s figure ("mesh", "focus"), without its pick cloud:
        plotly reports a click on the mesh as the nearest vertex of the triangle under the
        pointer (customdata = vertex id), and the cloud's 10k transparent markers took most of
        each redraw in software WebGL (about 3x the mesh's own).
    """
    fig = mesh_figure(
        pos, faces, values=values, color_title=color_title,
        colorscale=colorscale or COLOR_SCALES.get(color_title, DIVERGING), value_range=value_range,
        focus=focus if landing is None else None, focus_label=focus_label, title=title, pickable=False,
        vertex_names=vertex_names, camera=camera,
    )  # fmt: skip
    marked = None
    if landing is not None:
        marked = np.asarray(landing, dtype=np.float64).reshape(3)
        vertex = -1 if landing_vertex is None else int(landing_vertex)
        fig.add_trace(_marker(marked, vertex, landing_label, "focus", FOCUS, 9))
    elif focus is not None and 0 <= int(focus) < len(pos):
        marked = np.asarray(pos, dtype=np.float64)[int(focus)]
    if turn_to_mark and marked is not None:
        fig.update_layout(scene=_facing(np.asarray(pos, dtype=np.float64), marked))
    return fig


def hemispheres_figure(
    lh: tuple[np.ndarray, np.ndarray],
    rh: tuple[np.ndarray, np.ndarray],
    *,
    values: tuple[np.ndarray, np.ndarray] | None = None,
    color_title: str = "",
    value_range: tuple[float, float] | None = None,
    colorscale: str | None = None,
    focus: tuple[str, int] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Both hemispheres in one 3D view: lh on the left, rh on the right, one color scale.

    The meshes are joined by :func:`core.geometry.hemispheres.join`: customdata is the pair's
    vertex id (lh first, rh shifted by the lh's vertex count; :func:`core.geometry.hemispheres.split_id`
    turns it back), hover names say the hemisphere (``"rh 12"``).

    Args:
        lh: ``(positions (N, 3) mm, triangles (T, 3))`` of the left hemisphere's surface.
        rh: the same for the right hemisphere (M vertices).
        values: ``((N,), (M,))`` maps of each, drawn on one scale.
        color_title: the map's name.
        value_range: (low, high) of that scale (default: :func:`viz.limits.color_limits` of both).
        colorscale: the scale (default: :func:`viz.limits.color_limits`'s, diverging for signed maps).
        focus: ``(hemi, vertex id in that hemisphere)`` to mark.
        title: figure title.

    Returns:
        :func:`surface_figure`'s figure of the pair, seen from above (:data:`viz.surface_view.PAIR_CAMERA`).
    """
    n_lh, n_rh = len(lh[0]), len(rh[0])
    pos, faces = join(lh[0], lh[1], rh[0], rh[1])
    joined = None
    if values is not None:
        lo, hi, scale = color_limits(*values)
        value_range, colorscale = value_range or (lo, hi), colorscale or scale
        joined = np.concatenate([np.asarray(v, dtype=np.float64).ravel() for v in values])
    mark = None if focus is None else int(pair_ids(focus[0], [focus[1]], n_lh)[0])
    return surface_figure(
        pos, faces, values=joined, color_title=color_title, focus=mark, value_range=value_range,
        colorscale=colorscale, vertex_names=pair_names(n_lh, n_rh), turn_to_mark=False, title=title,
        camera=PAIR_CAMERA,
    )  # fmt: skip


def registration_map_figure(
    registered: np.ndarray,
    *,
    values: np.ndarray | None = None,
    color_title: str = "",
    focus: int | None = None,
    native: np.ndarray | None = None,
    title: str | None = None,
) -> go.Figure:
    """Equirectangular map of the moving vertices at their registered positions (atlas space).

    Every point is a moving vertex (customdata = its id), so a click picks it. The picked
    vertex (``focus``) is the focus mark at its registered position; with ``native``, a
    hollow mark "before" shows where it was on the native sphere.

    Args:
        registered: (V, 3) registered sphere (any radius).
        values: (V,) coloring, as in :func:`surface_figure`.
        color_title: the coloring's name.
        focus: the picked moving vertex.
        native: (V, 3) native sphere, for the "before" mark.
        title: figure title.

    Returns:
        :func:`viz.surface_view.sphere_map_figure`'s figure, plus trace "before" when asked.
    """
    registered = np.asarray(registered, dtype=np.float64)
    fig = sphere_map_figure(
        xyz_to_latlon(registered), values=values, color_title=color_title,
        colorscale=COLOR_SCALES.get(color_title, DIVERGING), focus=focus, title=title,
    )  # fmt: skip
    n = len(registered)
    if native is not None and focus is not None and 0 <= int(focus) < n:
        lat, lon = xyz_to_latlon(np.asarray(native, dtype=np.float64)[int(focus)])[0]
        fig.add_trace(
            go.Scattergl(
                x=[lon], y=[lat], customdata=np.array([int(focus)]), name="before", mode="markers+text",
                text=["before"], textposition="bottom center", textfont={"size": 11, "color": OUTLINE},
                marker={"size": 12, "symbol": "circle-open", "color": OUTLINE, "line": {"width": 2}},
                showlegend=False, hovertemplate="native position of vertex %{customdata}<extra></extra>",
            )
        )  # fmt: skip
    return fig
