"""3D & sphere: a mesh, cortical surface or panorama in 3D beside its longitude/latitude map."""

import numpy as np
import streamlit as st

from nodescope.app import components as ui
from nodescope.app import hemispheres, permalink, state
from nodescope.core.geometry.sphere import xyz_to_latlon
from nodescope.core.loaders.hemispheres import is_pair
from nodescope.core.sample import Sample
from nodescope.viz.surface_view import PAIR_CAMERA, mesh_figure, on_scale, sphere_map_figure


@st.cache_data(show_spinner=False, max_entries=16)
def map_coords(fp: str, _pos: np.ndarray, _sph: np.ndarray | None) -> np.ndarray:
    """(N, 2) latitude/longitude: the sample's own, or directions from the mesh centroid."""
    if _sph is not None:
        return _sph
    return xyz_to_latlon(_pos - _pos.mean(0)).astype(np.float32)


def render(s: Sample, fp: str) -> None:
    """Both views of a sample with 3D geometry (no st.stop: the sidebar is drawn after the page)."""
    ui.take_chart_event("surface3d")
    ui.take_chart_event("spheremap")
    sel = state.selection()

    surfaces = dict(s.surfaces) or {"surface": s.data.pos.numpy()}
    if s.kind == "cortex":
        hemispheres.toggle(s, fp)
    c1, c2 = st.columns(2)
    with c1:  # a choice only where there is one (a cortex: sphere, pial, white, inflated)
        surface = ui.one_of(st, "selectbox", "Surface", list(surfaces), key=f"surface_{fp}", index=0)
    with c2:
        options = (
            (["image color"] if s.kind == "panorama" else [])
            + list(s.feature_names)
            + (["class"] if s.data.get("y") is not None else [])
        )
        permalink.choose("c", f"surface_color_{fp}", options)  # a copied link's coloring, once
        color = st.selectbox("Color by", options, key=f"surface_color_{fp}")
        permalink.note("c", color)

    style: dict = {"selected": sel.nodes, "focus": sel.focus}
    if color == "image color":
        style["vertex_colors"] = (s.data.x[:, :3].numpy() * 255).astype(np.uint8)
    elif color == "class":
        style["values"], style["color_title"] = s.data.y.numpy().astype(float), "class"
    else:
        j = s.feature_names.index(color)
        style["values"], style["color_title"] = s.data.x[:, j].numpy(), color
    mesh_style: dict = {}  # a cortex's map: one color scale over both hemispheres, limits the user can set
    if s.kind == "cortex" and color != "class":
        lo, hi, colorscale = hemispheres.limits_inputs(style["values"], key=f"clim_{fp}_{color}")
        mesh_style = {"value_range": (lo, hi), "colorscale": colorscale}
    if is_pair(s):  # both hemispheres, seen from above: lh left, rh right
        mesh_style["camera"] = PAIR_CAMERA

    sph = map_coords(fp, s.data.pos.numpy(), s.data.sph.numpy() if s.is_spherical else None)
    left, right = st.columns([1, 1])
    with left:
        fig3d = mesh_figure(
            surfaces[surface],
            s.faces,
            inside=s.kind == "panorama",
            vertex_names=s.node_names,
            **style,
            **mesh_style,
        )
        ui.chart(fig3d, "surface3d", fp, height=560)
    with right:
        fig2d = sphere_map_figure(sph, background_image=s.image if color == "image color" else None, **style)
        if "value_range" in mesh_style:  # the map on the 3D view's scale and limits
            on_scale(fig2d, mesh_style["value_range"], mesh_style["colorscale"])
        ui.chart(fig2d, "spheremap", fp, height=420)
        st.caption(
            "Longitude/latitude of each vertex"
            + ("" if s.is_spherical else " (directions from the mesh's centroid)")
            + (" on its own hemisphere's sphere (both hemispheres overlap here)" if is_pair(s) else "")
            + ". Click or box-select here; the 3D view highlights the same vertices."
        )
    ui.node_detail(s, fp)


s = state.sample()
st.title("3D & sphere")
if s.data.get("pos") is None or s.faces is None:
    st.info(
        f"**{s.name}** is a plain graph with no 3D geometry. Load a mesh, a cortical surface or a "
        "panorama in the sidebar (for example *fsaverage5* or *Indoor room*).",
        icon=":material/public:",
    )
else:
    render(s, state.fingerprint(s))
