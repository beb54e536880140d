"""Depth super-resolution of one room: input, upsampled maps, truth, their errors and a zoom, as SVG maps.

Every map is :func:`viz.panorama_view.panorama_map_figure` (SVG: the Panoramas page draws too
many maps for Chromium's WebGL contexts). The depth maps share one color scale, the error maps
another, symmetric around 0 and saturating at the 99th percentile of the errors' size
(:func:`viz.limits.color_limits`); every point's ``customdata`` is
its vertex id on the output level, and the picked vertex is marked wherever it is drawn.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nodescope.core.geometry.sphere import xyz_to_latlon
from nodescope.core.models.panorama.superres_room import METHODS, SuperResRoom, zoom_vertices
from nodescope.viz.limits import color_limits
from nodescope.viz.panorama_view import panorama_map_figure

#: Every depth map of the section, in the order it is drawn: the input, the methods, the truth.
DEPTH_MAPS = ("input", *METHODS, "truth")
#: The title of each.
SUPERRES_TITLES = {
    "input": "Input: compressed low-resolution depth",
    "model": "Guided super-resolution (GDNet-style)",
    "barycentric": "Barycentric upsampling",
    "bilateral": "Joint bilateral upsampling",
    "truth": "Truth",
}
#: Percentile of the errors' size where the error maps' colors saturate.
ERROR_PERCENTILE = 99.0
#: The zoom's short titles.
ZOOM_TITLES = {"input": "input", "model": "super-resolution", "barycentric": "barycentric",
               "bilateral": "joint bilateral", "truth": "truth"}  # fmt: skip
_DEPTH_SCALE = "Viridis_r"  # near bright, as the page's other depth maps


def _depths(room: SuperResRoom) -> dict[str, np.ndarray]:
    """Every depth map by name; the input's values sit at vertices 0..V_in-1."""
    return {"input": room.coarse, **room.maps, "truth": room.truth}


def superres_figures(
    room: SuperResRoom, focus: int | None = None, zoom_center: int | None = None
) -> dict[str, go.Figure]:
    """The section's maps: ``<name>`` and ``zoom_<name>`` per :data:`DEPTH_MAPS`, ``error_<method>`` per method.

    Args:
        room: :class:`core.models.panorama.superres_room.SuperResRoom`.
        focus: the picked vertex id on the output level, or None.
        zoom_center: the vertex the zoom is centered on (default: ``focus``, else
            :meth:`~core.models.panorama.superres_room.SuperResRoom.hardest_vertex`).

    Returns:
        Figures by name; depths in metres on one color scale, errors (upsampled - truth, m) on another.
    """
    sph = xyz_to_latlon(room.directions)
    depths = _depths(room)
    lo, hi, _ = color_limits(*depths.values())
    errors = room.errors()
    # The errors' colors saturate at the 99th percentile of their size: a few vertices at depth
    # edges are off by metres and would wash out every other error.
    size = float(np.percentile(np.abs(np.concatenate(list(errors.values()))), ERROR_PERCENTILE))
    elo, ehi, escale = color_limits(np.array([-size, size]))
    out: dict[str, go.Figure] = {}
    for name, values in depths.items():
        n = len(values)
        out[name] = panorama_map_figure(
            sph[:n], values=values, color_title="m", colorscale=_DEPTH_SCALE, value_range=(lo, hi),
            focus=focus if focus is not None and focus < n else None, title=SUPERRES_TITLES[name],
        )  # fmt: skip
    for name, values in errors.items():
        out[f"error_{name}"] = panorama_map_figure(
            sph, values=values, color_title="m", colorscale=escale, value_range=(elo, ehi), focus=focus,
            title=f"{SUPERRES_TITLES[name]}: error (m)",
        )  # fmt: skip
    center = zoom_center if zoom_center is not None else focus if focus is not None else room.hardest_vertex()
    region = zoom_vertices(room.directions, center)
    window = _window(sph, region, center)
    for name, values in depths.items():
        ids = region[region < len(values)]
        rows = {int(v): i for i, v in enumerate(ids)}
        fig = panorama_map_figure(
            sph[ids], values=values[ids], color_title="m", colorscale=_DEPTH_SCALE, value_range=(lo, hi),
            focus=rows.get(focus) if focus is not None else None, ids=ids, title=f"Zoom: {ZOOM_TITLES[name]}",
        )  # fmt: skip
        for t in fig.data:  # a region across the ±180° seam stays whole
            t.x = _unwrap(np.asarray(t.x, np.float64), sph[center, 1])
        fig.update_layout(
            xaxis={"range": window[0], "tickvals": None}, yaxis={"range": window[1], "tickvals": None}
        )
        marker = 7 if name != "input" else min(3.5 * room.scale, 24)  # the input's vertices are sparse
        fig.update_traces(marker_size=marker, marker_showscale=False, selector={"name": "nodes"})
        out[f"zoom_{name}"] = fig
    return out


def _unwrap(lon: np.ndarray, lon0: float) -> np.ndarray:
    """Longitudes (degrees) moved by whole turns to within 180° of ``lon0``."""
    return lon0 + (lon - lon0 + 180.0) % 360.0 - 180.0


def _window(sph: np.ndarray, region: np.ndarray, center: int) -> tuple[list[float], list[float]]:
    """The (longitude, latitude) axis ranges, degrees, that frame ``region`` around ``center``."""
    lon, lat = _unwrap(sph[region, 1], sph[center, 1]), sph[region, 0]
    pad = 2.0
    return [float(lon.min()) - pad, float(lon.max()) + pad], [float(lat.min()) - pad, float(lat.max()) + pad]
