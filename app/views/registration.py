"""Cortical registration: move a subject's sphere onto fsaverage5 (either hemisphere) and see where every vertex lands."""

import numpy as np
import streamlit as st

from nodescope.app import components as ui
from nodescope.app import hemispheres, state
from nodescope.app import registration_data as rd
from nodescope.app.plotly_view import latest_event
from nodescope.core.errors import LoadError
from nodescope.core.export import npy_bytes
from nodescope.core.geometry.hemispheres import split_id
from nodescope.core.geometry.resample import Landing, landing
from nodescope.core.geometry.sphere import xyz_to_latlon
from nodescope.core.registration.io import Subject, hemi_of, sphere_bytes
from nodescope.core.registration.pipeline import RegistrationResult, overall_progress
from nodescope.core.registration.subjects import file_stem
from nodescope.explain.registration_report import RUN_COLORINGS
from nodescope.viz.nodes import node_ids_from_points
from nodescope.viz.registration_view import hemispheres_figure, registration_map_figure, surface_figure

SYNTHETIC, UPLOAD = "Synthetic warp of fsaverage5", "Upload FreeSurfer / GIfTI files"
VIEWS = ("reg_moving", "reg_fixed", "reg_registered", "reg_map")
HEIGHT = 430
#: Every view: large traces (meshes, the map's points) go to the browser once, and WebGL draws at
#: the screen's resolution, so that a click moves the marks in all views within a second.
LINKED = {"send_once": True, "config": {"plotGlPixelRatio": "device"}}
BOTH_VIEW = "reg_both_view"
_NEXT_HEMI = "reg_hemi_next"  # session: the hemisphere a pick on the pair view switches to


def pair_of(moving: Subject) -> tuple[Subject, Subject, bool] | None:
    """(lh, rh, whether both are real) when "Both hemispheres" is on, else None."""
    if not st.session_state.get("reg_both"):
        return None
    ss = st.session_state
    synthetic = ss.get("reg_source", SYNTHETIC) == SYNTHETIC
    warp = (int(ss["reg_seed"]), float(ss["reg_magnitude"]), float(ss["reg_rotation"])) if synthetic else None
    other, real = rd.other_hemisphere(moving, warp)
    return (moving, other, real) if moving.hemi == "lh" else (other, moving, real)


def take_pair_event(moving: Subject, pair: tuple[Subject, Subject, bool]) -> None:
    """Turn the pair view's newest pick into the page's focus (before any view is drawn).

    A vertex of the page's hemisphere is focused; one of the other, real hemisphere switches the
    page to it (and focuses it there); one of a mirror stand-in focuses the moving vertex it mirrors.
    """
    event = latest_event(BOTH_VIEW)
    if event is None or not state.is_new_event(BOTH_VIEW, event["event_id"]):
        return
    ids = node_ids_from_points(event["points"])
    lh, rh, real = pair
    if not ids or not 0 <= ids[0] < len(lh.sphere) + len(rh.sphere):
        return
    hemi, vertex = split_id(ids[0], len(lh.sphere))
    st.session_state[rd.FOCUS] = vertex
    if hemi != moving.hemi and real:
        st.session_state[_NEXT_HEMI] = hemi
        st.rerun()


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
        c1, c2, _ = st.columns([1, 1, 2])  # the other hemisphere: "Both hemispheres" shows it (else a mirror)
        files["other_sphere"] = c1.file_uploader(
            "Other hemisphere's sphere (optional: rh.sphere)", key="reg_up_other_sphere"
        )
        files["other_sulc"] = c2.file_uploader(
            "Other hemisphere's sulc (optional: rh.sulc)", key="reg_up_other_sulc"
        )
        if st.form_submit_button("Load files"):
            rd.try_upload(files)
    if rd.upload_error():
        st.error(rd.upload_error())
    moving = rd.uploaded_hemisphere(hemi)
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
    pair = pair_of(moving)
    if pair is not None:
        take_pair_event(moving, pair)
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
    st.toggle(
        "Both hemispheres",
        key="reg_both",
        help="The moving subject's lh and rh side by side, one color scale.",
    )
    if pair is not None:
        both_view(moving, pair, color, focus)
    if out is not None:
        results(key, moving, fixed, out)


def both_view(moving: Subject, pair: tuple[Subject, Subject, bool], color: str, focus: int | None) -> None:
    """The moving subject's two hemispheres in one 3D view (lh left, rh right), one color scale."""
    lh, rh, real = pair
    shared = [k for k in lh.surfaces if k in rh.surfaces]
    c_surface, c_note = st.columns([1, 3])
    surface = ui.one_of(c_surface, "selectbox", "Show both on", shared, key="reg_surface_both")
    name = color if color in lh.maps and color in rh.maps else "sulc"
    lo, hi, scale = hemispheres.limits_inputs(lh.maps[name], rh.maps[name], key=f"reg_clim_{name}")
    fig = hemispheres_figure(
        (lh.surfaces[surface], lh.faces), (rh.surfaces[surface], rh.faces), values=(lh.maps[name], rh.maps[name]),
        color_title=name, value_range=(lo, hi), colorscale=scale,
        focus=None if focus is None else (moving.hemi, focus), title=f"Both hemispheres: {lh.name} | {rh.name}",
    )  # fmt: skip
    ui.chart(fig, BOTH_VIEW, f"{lh.key}|{rh.key}|{surface}", height=HEIGHT, **LINKED)
    other = rh if moving is lh else lh
    c_note.caption(
        f"lh on the left, rh on the right, colored by {name} on one scale; vertex names say their hemisphere "
        "(rh 12). "
        + (
            f"A click on the {other.hemi} switches the page to that hemisphere."
            if real
            else f"The {other.hemi} is a stand-in: the mirror image of the uploaded {moving.hemi} "
            f"(no {other.hemi} was uploaded with it); a click on it follows the {moving.hemi} vertex it mirrors."
        )
    )


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
    quality(key, moving, fixed, out)
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


def quality(key: str, moving: Subject, fixed: Subject, out: RegistrationResult) -> None:
    """QC in plain words against the reference ranges, and the registered sulc on the atlas's inflated surface."""
    st.subheader("Quality control")
    flags, summary = rd.quality(key, moving, fixed, out)
    (st.warning if flags else st.success)(summary)
    st.caption(rd.QC_SOURCE)
    if "inflated" not in fixed.surfaces:
        st.info(
            f"{fixed.name} has no inflated surface here (its sphere only): the registered sulc is drawn above."
        )
        return
    c_subject, c_atlas = st.columns(2)
    inflated = fixed.surfaces["inflated"]
    with c_subject:
        fig = surface_figure(
            inflated, fixed.faces, values=rd.on_fixed(key, "sulc", moving.sulc, moving, out.registered, fixed),
            color_title="sulc", title=f"{moving.name}'s sulc registered onto {fixed.name}'s inflated {fixed.hemi}",
        )  # fmt: skip
        ui.chart(fig, "reg_qc_registered", key, height=HEIGHT, **LINKED)
    with c_atlas:
        fig = surface_figure(
            inflated, fixed.faces, values=fixed.maps["sulc"], color_title="sulc",
            title=f"{fixed.name}'s own sulc, inflated {fixed.hemi}",
        )  # fmt: skip
        ui.chart(fig, "reg_qc_fixed", fixed.key, height=HEIGHT, **LINKED)


st.title("Cortical registration")
st.caption(
    "Register a subject's spherical surface (moving) onto an atlas (fixed): a rigid rotation, then a smooth "
    "non-rigid warp from coarse to fine, so that sulcal depth agrees. Follow any vertex to where it lands."
)
if _NEXT_HEMI in st.session_state:  # a pick on the other hemisphere (before the radio is drawn)
    st.session_state["reg_hemi"] = st.session_state.pop(_NEXT_HEMI)
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
