"""The Panoramas page's "Depth super-resolution" section: a generated room's depth seen by a coarse sensor, upsampled.

The section draws the compressed low-resolution input, the shipped network's output, the
barycentric and joint bilateral baselines and the truth on one color scale, each method's error
map, and a zoom on the region around the page's picked vertex (or, before any pick, where
barycentric upsampling errs most). A click in any of its maps moves the page's pick
(:func:`take_pick`). The maps live on the super-resolution's output level; the page's pick is a
vertex of the spherical U-Net's coarser level, which keeps its id there (nested levels).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from nodescope.app import components as ui
from nodescope.app import panorama_data as pdata
from nodescope.app import state
from nodescope.app.plotly_view import latest_event
from nodescope.core.geometry.fsaverage import num_vertices
from nodescope.core.models.panorama.superres_room import (
    METHODS,
    ZOOM_RADIUS_DEG,
    SuperResRoom,
    vertex_on_level,
)
from nodescope.viz.nodes import node_ids_from_points
from nodescope.viz.superres_view import DEPTH_MAPS, SUPERRES_TITLES

#: The scales offered (linear upsampling factors), each a shipped network.
SCALES = (4, 8)
#: Session key of the chosen scale.
SCALE_KEY = "pano_sr_scale"
#: Every chart of the section, by its figure's name.
CHARTS = [
    f"pano_sr_{n}"
    for n in (*DEPTH_MAPS, *(f"error_{m}" for m in METHODS), *(f"zoom_{n}" for n in DEPTH_MAPS))
]


def _scale() -> int:
    return int(st.session_state.get(SCALE_KEY, SCALES[0]))


def take_pick(network_level: int) -> int | None:
    """A new click in one of the section's maps, as a vertex of the page's network (its level), or None."""
    net = pdata.superres_network(_scale())
    if net is None:
        return None
    level = net[0].config.level
    for chart in CHARTS:
        event = latest_event(chart)
        if event is not None and state.is_new_event(chart, event["event_id"]):
            ids = [i for i in node_ids_from_points(event["points"]) if 0 <= i < num_vertices(level)]
            if ids:
                return int(vertex_on_level(np.array(ids[:1]), level, network_level)[0])
    return None


def _words(room: SuperResRoom) -> list[str]:
    """One sentence per map: its RMSE overall, near depth edges and elsewhere, and against the baselines."""
    n_in = len(room.coarse)
    lines = [
        f"**{SUPERRES_TITLES['input']}**: {n_in:,} vertices (level {room.in_level}), depth stored as 8-bit "
        f"inverse depth; that coding alone is off by {room.input_rmse:.3f} m RMSE at those vertices."
    ]
    for m in METHODS:
        sc = room.scores[m]
        line = (
            f"**{SUPERRES_TITLES[m]}**: RMSE {sc['rmse']:.3f} m over the sphere; {sc['rmse_edges']:.3f} m "
            f"within 2 vertices of a depth edge ({100 * sc['edge_share']:.1f} % of the sphere), "
            f"{sc['rmse_flat']:.3f} m elsewhere"
        )
        if m == "model":
            changes = [
                (100 * (sc["rmse"] / room.scores[b]["rmse"] - 1), SUPERRES_TITLES[b].lower())
                for b in METHODS[1:]
            ]
            line += (
                " (RMSE "
                + ", ".join(f"{abs(c):.0f} % {'below' if c < 0 else 'above'} {name}" for c, name in changes)
                + "; the target is 30 % below both)"
            )
        lines.append(line + ".")
    return lines


def render(room: tuple[str, int] | None, pick: int | None, network_level: int, fp: str) -> None:
    """The section for generated room ``(split, seed)``; for an image without depth (None), one line.

    Args:
        room: the generated room's split and seed, or None (an uploaded or loaded image).
        pick: the page's picked vertex (the network's level), or None.
        network_level: the fsaverage level of the page's network.
        fp: the chart key the zoom of the page's charts is kept for.
    """
    st.subheader("Depth super-resolution")
    if room is None:
        st.caption(
            "Not available for this image: super-resolution upsamples a depth map from a coarse depth "
            "sensor, and a photo brings no depth (only generated rooms, whose true depth is known)."
        )
        return
    c1, c2 = st.columns([1, 3])
    scale = ui.one_of(
        c1, "radio", "Scale", list(SCALES), key=SCALE_KEY, horizontal=True, format_func=lambda s: f"×{s}"
    )
    net = pdata.superres_network(scale)
    if net is None:
        c2.info(
            f"No ×{scale} network ships with this copy (assets/models/panorama/depth-superres-x{scale}); "
            "`python examples/train_panorama_superres.py` trains one.",
            icon=":material/model_training:",
        )
        return
    split, seed = room
    record = net[1]
    test = record.get("scores", {}).get("test", {})
    bary = record.get("barycentric", {}).get("test", {})
    c2.caption(
        f"The room's true depth, sampled at {net[0].config.scale}× coarser vertex spacing and coded as a "
        "compressed sensor would, is upsampled with the full-resolution colors as a guide: the shipped "
        f"network ({record.get('params', 0):,} parameters; on {test.get('rooms', '?')} test rooms RMSE "
        f"{test.get('rmse', float('nan')):.3f} m against barycentric {bary.get('rmse', float('nan')):.3f} m), "
        "beside barycentric and joint bilateral upsampling. One color scale for every depth map, another "
        "for the errors (upsampled − truth)."
    )
    result = pdata.superres(seed, split, scale)
    focus = None if pick is None else int(vertex_on_level(np.array([pick]), network_level, result.level)[0])
    figures = pdata.superres_maps(seed, split, scale, focus)
    key = f"{fp}-sr{scale}"
    top = st.columns(3)
    for col, name in zip(top, ("input", "truth"), strict=False):
        with col:
            ui.chart(figures[name], f"pano_sr_{name}", key, height=300)
    top[2].markdown("\n".join(f"- {line}" for line in _words(result)))
    for row in (list(METHODS), [f"error_{m}" for m in METHODS]):
        for col, name in zip(st.columns(3), row, strict=True):
            with col:
                ui.chart(figures[name], f"pano_sr_{name}", key, height=300)
    where = "the picked vertex" if focus is not None else "the vertex where barycentric upsampling errs most"
    st.caption(
        f"Zoom on the vertices within {ZOOM_RADIUS_DEG:.0f}° of {where} (pick a vertex in any map to move "
        "it), on the depth maps' color scale. The error maps' colors saturate at the 99th percentile of "
        "the errors' size."
    )
    for col, name in zip(st.columns(len(DEPTH_MAPS)), DEPTH_MAPS, strict=True):
        with col:
            ui.chart(figures[f"zoom_{name}"], f"pano_sr_zoom_{name}", key, height=260)
