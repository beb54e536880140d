"""Cortical registration: move a subject's sphere onto fsaverage5 (either hemisphere) and see where every vertex lands."""

import numpy as np
import streamlit as st

from nodescope.app import components as ui
from nodescope.app import registration_data as rd
from nodescope.app import state
from nodescope.app.plotly_view import latest_event
from nodescope.core.errors import LoadError
from nodescope.core.export import npy_bytes
from nodescope.core.geometry.resample import Landing, landing
from nodescope.core.geometry.sphere import xyz_to_latlon
from nodescope.core.registration.io import Subject, hemi_of, sphere_bytes
from nodescope.core.registration.pipeline import RegistrationResult, overall_progress
from nodescope.core.registration.subjects import file_stem
from nodescope.explain.registration_report import RUN_COLORINGS
from nodescope.viz.nodes import node_ids_from_points
from nodescope.viz.registration_view import registration_map_figure, surface_figure

SYNTHETIC, UPLOAD = "Synthetic warp of fsaverage5", "Upload FreeSurfer / GIfTI files"
VIEWS = ("reg_moving", "reg_fixed", "reg_registered", "reg_map")
HEIGHT = 430
#: Every view: large traces (meshes, the map's points) go to the browser once, and WebGL draws at
#: the screen's resolution, so that a click moves the marks in all views within a second.
LINKED = {"send_once": True, "config": {"plotGlPixelRatio": "device"}}


def choose_moving(source: str, hemi: str) -> Subject | None:
    """The moving hemisphere the widgets describe, or None before a first successful upload."""
    if source == SYNTHETIC:
        c1, c2, c3 = st.columns(3)
        seed = c1.number_input("Seed", 0, 1_000_000, 0, key="reg_seed")
        magnitude = c2.slider("Warp: mean displacement (°)", 0.0, 20.0, 10.0, 1.0, key="reg_magnitude")
        rotation = c3.slider("Rotation (°)", 0.0, 40.0, 20.0, 5.0, key="reg_rotation")
        return rd.synthetic_hemisphere(int(seed), float(magnitude), float(rotation), hemi)
    with st.form("reg_upload"):
        c1, c2, c3, c4 = st.columns(4)
        files = {
            "sphere": c1.file_uploader("Native sphere (lh.sphere, .surf.gii)", key="reg_up_sphere"),
            "sulc": c2.file_uploader("Sulcal depth (lh.sulc, .shape.gii)", key="reg_up_sulc"),
            "curv": c3.file_uploader("Curvature (optional)", key="reg_up_curv"),
            "surface": c4.file_uploader("Surface to show (optional: lh.smoothwm, ...)", key="reg_up_surface"),
        }
        if st.form_submit_button("Load files"):
            rd.try_upload(files)
    if rd.upload_error():
        st.error(rd.upload_error())
    moving = rd.uploaded_hemisphere()
    if moving is None:
        st.info("Upload a native sphere and its sulcal depth (FreeSurfer or GIfTI) to register them.")
    elif moving.hemi != hemi and hemi_of(moving.name) is not None:
        st.warning(
            f"{moving.name} is named as {moving.hemi}: it registers onto the atlas's {hemi} as chosen."
        )
    return moving


def take_events(moving: Subject, fixed: Subject, positions: np.ndarray, pos_key: str) -> None:
    """Turn each view's newest click into the picked moving vertex (before any view is drawn)."""
    registered_on_sphere = st.session_state.get("reg_surface_registered", "sphere") == "sphere"
    for view in VIEWS:
        event = latest_event(view)
        if event is None or not state.is_new_event(view, event["event_id"]):
            continue
        ids = node_ids_from_points(event["points"])
        if not ids:
            continue
        if view == "reg_fixed" or (view == "reg_registered" and not registered_on_sphere):
            if 0 <= ids[0] < len(fixed.sphere):  # a fixed vertex: the moving vertex landing nearest
                st.session_state[rd.FOCUS] = rd.moving_vertex_at(pos_key, positions, fixed, ids[0])
        elif 0 <= ids[0] < len(moving.sphere):
            st.session_state[rd.FOCUS] = ids[0]


def run_controls(moving: Subject, fixed: Subject) -> tuple[str, RegistrationResult | None]:
    """The run options and button; returns the run key and its result (None before a run)."""
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    refine = int(c1.number_input("Refinement steps", 0, 200, 0, step=10, key="reg_refine"))
    rigid_only = c2.toggle("Rigid only", key="reg_rigid_only")
    key = rd.run_key(moving, fixed, rigid_only, refine)
    # The progress bar's place exists on every run: a bar inserted only while registering would
    # shift every later element by one, and Streamlit remounts a shifted chart (a new WebGL plot,
    # seconds per 3D view) on that run and again on the next.
    slot = st.empty()
    if c3.button("Register", type="primary", key="reg_run", width="stretch"):
        bar = slot.progress(0.0, text="Registering…")

        def report(stage: str, fraction: float) -> None:
            value, text = overall_progress(stage, fraction)
            bar.progress(value, text=f"Registering: {text}")

        rd.run(moving, fixed, rigid_only, refine, progress=report)
        slot.empty()
    return key, rd.result(key)


def render(moving: Subject, fixed: Subject) -> None:
    key, out = run_controls(moving, fixed)
    registered = None if out is None else out.registered
    # Moving vertices in the fixed frame: registered after a run, native before.
    positions, pos_key = (moving.sphere, moving.key) if registered is None else (registered, key)
    take_events(moving, fixed, positions, pos_key)
    focus = st.session_state.get(rd.FOCUS)
    focus = focus if focus is not None and 0 <= focus < len(moving.sphere) else None

    colors = [*moving.maps] + ([] if out is None else list(RUN_COLORINGS))
    c_color, c_note = st.columns([1, 3])
    color = c_color.selectbox("Color by", colors, key="reg_color")
    values = rd.coloring(key, color, moving, registered)
    with c_note:
        st.caption(
            "Click a vertex in any view (or on the map below): the moving and registered views mark it, "
            "the fixed view marks where it lands. A click on the fixed surface picks the moving vertex "
            "that lands nearest. Areal distortion: mean |log2 area ratio| of a vertex's triangles; "
            "folds: how many of them flipped."
        )
    fixed_values = fixed.maps.get(color)
    if fixed_values is None and registered is not None:  # distortion, folds: the moving map on the atlas
        fixed_values = rd.on_fixed(key, color, values, moving, registered, fixed)
    land = landing(fixed.sphere, fixed.faces, positions[focus]) if focus is not None else None

    c_moving, c_fixed, c_registered = st.columns(3)
    with c_moving:
        surface = ui.one_of(
            st, "selectbox", "Show moving on", list(moving.surfaces), key="reg_surface_moving"
        )
        fig = surface_figure(
            moving.surfaces[surface], moving.faces, values=values, color_title=color, focus=focus,
            title=f"Moving: {moving.name}",
        )  # fmt: skip
        ui.chart(fig, "reg_moving", moving.key, height=HEIGHT, **LINKED)
    with c_fixed:
        surface = ui.one_of(st, "selectbox", "Show fixed on", list(fixed.surfaces), key="reg_surface_fixed")
        fig = surface_figure(
            fixed.surfaces[surface], fixed.faces, values=fixed_values, color_title=color,
            landing=None if land is None else land.on(fixed.surfaces[surface], fixed.faces),
            landing_vertex=None if land is None else land.nearest, landing_label=f"{focus} lands here",
            title=f"Fixed: {fixed.name}",
        )  # fmt: skip
        ui.chart(fig, "reg_fixed", fixed.key, height=HEIGHT, **LINKED)
    with c_registered:
        surface = ui.one_of(
            st, "selectbox", "Show registered on", list(fixed.surfaces), key="reg_surface_registered"
        )
        if registered is None:
            st.info("Press **Register** to see the moving surface in the fixed frame.")
        elif surface == "sphere":
            fig = surface_figure(
                registered, moving.faces, values=values, color_title=color, focus=focus,
                title="Registered sphere",
            )  # fmt: skip
            ui.chart(fig, "reg_registered", key, height=HEIGHT, **LINKED)
        else:  # the moving map carried onto the fixed anatomy
            fig = surface_figure(
                fixed.surfaces[surface], fixed.faces, color_title=color,
                values=rd.on_fixed(key, color, values, moving, registered, fixed),
                landing=None if land is None else land.on(fixed.surfaces[surface], fixed.faces),
                landing_vertex=None if land is None else land.nearest, landing_label=str(focus),
                title=f"Registered, on the fixed {surface}",
            )  # fmt: skip
            ui.chart(fig, "reg_registered", key, height=HEIGHT, **LINKED)

    left, right = st.columns([3, 2])
    with left:
        where = "registered" if registered is not None else "native (not registered yet)"
        fig = registration_map_figure(
            positions, values=values, color_title=color, focus=focus, native=None if registered is None else moving.sphere,
            title=f"Moving vertices at their {where} positions",
        )  # fmt: skip
        ui.chart(fig, "reg_map", pos_key, height=HEIGHT, **LINKED)
    with right:
        focus_facts(moving, fixed, positions, focus, land)
    if out is not None:
        results(key, moving, fixed, out)


def focus_facts(
    moving: Subject,
    fixed: Subject,
    positions: np.ndarray,
    focus: int | None,
    land: Landing | None,
) -> None:
    if focus is None or land is None:
        st.info("Click a vertex on the map or in a 3D view to follow it.", icon=":material/touch_app:")
        return
    (lat0, lon0), (lat1, lon1) = xyz_to_latlon(np.stack([moving.sphere[focus], positions[focus]]))
    facts = {
        "native lat, lon (°)": f"{lat0:.2f}, {lon0:.2f}",
        "lands at lat, lon (°)": f"{lat1:.2f}, {lon1:.2f}",
        "nearest fixed vertex": str(land.nearest),
        "moving sulc": f"{moving.maps['sulc'][focus]:.3f}",
        "fixed sulc there": f"{land.weights @ fixed.maps['sulc'][fixed.faces[land.tri]]:.3f}",
    }
    st.markdown(f"#### Moving vertex {focus}")
    st.table({"value": facts})


def results(key: str, moving: Subject, fixed: Subject, out: RegistrationResult) -> None:
    st.subheader("Metrics")
    for line in out.warnings:
        st.warning(f"Warning: {line}.")
    st.dataframe(rd.metrics_table(key, moving, fixed, out), width="stretch")
    st.caption(
        "Sulc correlation: the moving sulc resampled through the registration onto the fixed vertices, "
        "against the fixed sulc. Distortion: mean |log2 ratio| of triangle areas and edge lengths against "
        "the native sphere."
        + (
            " Geodesic error: mean distance to the known warp's true position."
            if moving.truth is not None
            else ""
        )
        + f" Rigid score (sulc correlation after the rigid stage): {out.rigid_score:.2f}."
        + " Time: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in out.timings.items())
        + "."
    )
    st.subheader("Downloads")
    stem = file_stem(moving)
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button(
        "Registered sphere (FreeSurfer)",
        lambda: sphere_bytes(out.registered, moving.faces, "freesurfer", moving.volume_info),
        file_name=f"{stem}.sphere.reg",
        mime="application/octet-stream",
        on_click="ignore",
    )
    c2.download_button(
        "Registered sphere (GIfTI)",
        lambda: sphere_bytes(out.registered, moving.faces, "gifti"),
        file_name=f"{stem}.sphere.reg.surf.gii",
        mime="application/octet-stream",
        on_click="ignore",
    )
    maps = rd.resampled_maps(key, moving, fixed, out.registered)
    c3.download_button(
        "Maps on the fixed vertices (CSV)",
        lambda: maps.to_csv(index=False).encode(),
        file_name=f"{stem}-on-{fixed.name}.csv",
        mime="text/csv",
        on_click="ignore",
    )
    c4.download_button(
        "Maps on the fixed vertices (.npy)",
        lambda: npy_bytes(maps),
        file_name=f"{stem}-on-{fixed.name}.npy",
        mime="application/octet-stream",
        help="float64 array, one row per fixed vertex; columns: " + ", ".join(maps.columns),
        on_click="ignore",
    )


st.title("Cortical registration")
st.caption(
    "Register a subject's spherical surface (moving) onto an atlas (fixed): a rigid rotation, then a smooth "
    "non-rigid warp from coarse to fine, so that sulcal depth agrees. Follow any vertex to where it lands."
)
c_fixed, c_hemi, c_moving = st.columns([2, 1, 2])
fixed_name = c_fixed.selectbox(
    "Fixed surface", list(rd.FIXED_CHOICES), format_func=rd.FIXED_CHOICES.get, key="reg_fixed_name"
)
hemi = c_hemi.radio(
    "Hemisphere", list(rd.HEMI_CHOICES), format_func=rd.HEMI_CHOICES.get, horizontal=True, key="reg_hemi"
)
moving_source = c_moving.radio("Moving surface", [SYNTHETIC, UPLOAD], horizontal=True, key="reg_source")
try:
    fixed_hemi = rd.fixed_hemisphere(fixed_name, hemi)
except LoadError as exc:  # fsaverage6: SUGAR's files missing, or asked for a right hemisphere
    st.error(str(exc))
    st.stop()
moving_hemi = choose_moving(moving_source, hemi)
if moving_hemi is not None:
    render(moving_hemi, fixed_hemi)
