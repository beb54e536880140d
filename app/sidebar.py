"""The sidebar every page shares: choose the data (built-in, Planetoid or upload) and see the device."""

from __future__ import annotations

import os

import streamlit as st

from nodescope.app import session, state
from nodescope.core.device import describe
from nodescope.core.loaders import BUILTINS, supported_extensions
from nodescope.core.loaders.planetoid import PLANETOID
from nodescope.core.paths import data_dir
from nodescope.core.sample import Sample

#: Upload limit in MB; Streamlit's own limit (--server.maxUploadSize, cli/app.py) is set to match.
MAX_UPLOAD_MB = int(os.environ.get("NODESCOPE_MAX_UPLOAD_MB", "200"))
#: The sidebar's tabs: where a sample can come from.
MODES = ("Built-in", "Planetoid", "Upload")


def render(page: str | None = None) -> None:
    """Draw the sidebar: the source pickers (opened on the loaded sample), its summary, the session, the device.

    Args:
        page: the page drawn this run (its URL path; None for Home), recorded in a saved session.
    """
    s = state.sample()
    _init_pickers(s)
    state.remember_source()
    with st.sidebar:
        st.markdown("### Data")
        mode = st.radio(
            "Source",
            MODES,
            horizontal=True,
            key="source_mode",
            label_visibility="collapsed",
        )
        if mode == "Built-in":
            _builtin_picker(s)
        elif mode == "Planetoid":
            _planetoid_picker()
        else:
            _upload_picker(s)
        if mode != "Upload":  # the upload picker shows its error under its Load button
            _load_error()
        s = state.sample()
        st.markdown(f"**{s.name}**")
        if s.kind == "timeseries":
            st.caption(
                f"time series · {s.num_nodes:,} series · {s.data.x.shape[1]:,} steps · "
                + (f"known graph of {s.num_edges:,} edges" if s.num_edges else "no known graph")
            )
        elif s.kind == "skeleton":
            has = [w for w, k in (("3D", "joints_3d"), ("2D", "keypoints_2d")) if s.data.get(k) is not None]
            st.caption(f"skeleton · {s.num_nodes} joints · {s.num_frames:,} frames · {' and '.join(has)}")
        else:
            st.caption(
                f"{s.kind} · {s.num_nodes:,} nodes · {s.num_edges:,} edges · {s.data.x.shape[1]} features"
                + (f" · {s.num_classes} classes" if s.data.get("y") is not None else "")
            )
        for notice in s.notices:
            st.caption(f"ℹ️ {notice}")
        sel = state.selection()
        if sel.nodes:
            st.caption(f"Selected: {len(sel.nodes)} node(s); focus {sel.focus}")
            if st.button("Clear selection", key="clear_selection"):
                state.select([])
                st.rerun()
        st.divider()
        session.render(page)
        st.divider()
        st.caption(f"Device: **{describe()}**")


def _init_pickers(s: Sample) -> None:
    """Open the sidebar on where ``s`` came from, once per session, before its widgets exist.

    ``NODESCOPE_SOURCE=cora`` opens the Planetoid tab on Cora, a built-in opens its entry in the
    Built-in list, a file opens the Upload tab (which names the file).
    """
    if "source_mode" in st.session_state:
        return
    prefix, _, key = s.source.partition(":")
    if prefix == "planetoid" and key in PLANETOID:
        st.session_state["source_mode"] = "Planetoid"
        st.session_state["planetoid_name"] = key
    elif prefix == "builtin" and key in BUILTINS and BUILTINS[key].kind in state.APP_KINDS:
        st.session_state["source_mode"] = "Built-in"
        st.session_state["builtin_key"] = key
    else:
        st.session_state["source_mode"] = "Upload"


def _builtin_picker(current: Sample) -> None:
    keys = [k for k, b in BUILTINS.items() if b.kind in state.APP_KINDS]
    if "builtin_key" not in st.session_state:
        loaded = current.source.removeprefix("builtin:")
        st.session_state["builtin_key"] = loaded if loaded in BUILTINS else keys[0]
    key = st.selectbox(
        "Built-in sample",
        keys,
        format_func=lambda k: f"{BUILTINS[k].kind} · {BUILTINS[k].title}",
        key="builtin_key",
        on_change=_load_builtin,
    )
    st.caption(BUILTINS[key].description)
    if BUILTINS[key].kind == "panorama":
        _level_slider(on_change=_load_builtin)


def _load_builtin() -> None:
    key = st.session_state["builtin_key"]
    level = st.session_state.get("ico_level") if BUILTINS[key].kind == "panorama" else None
    state.try_load(key, level=level)


def _level_slider(on_change=None) -> int:
    return st.slider(
        "Icosphere level",
        3,
        7,
        5,
        key="ico_level",
        on_change=on_change,
        help="Subdivisions of the icosahedron: level 5 = 10,242 nodes, level 7 = 163,842.",
    )


def _planetoid_picker() -> None:
    name = st.selectbox("Dataset", list(PLANETOID), format_func=lambda k: PLANETOID[k], key="planetoid_name")
    folder = st.text_input(
        "Data folder",
        str(data_dir()),
        key="planetoid_dir",
        help="PyG's raw layout: <folder>/Cora/raw/ind.cora.x ...",
    )
    if st.button("Load", key="load_planetoid", type="primary") and state.try_load(name, data_dir=folder):
        st.rerun()


def _upload_picker(current: Sample) -> None:
    if not current.source.startswith(("builtin:", "planetoid:", "upload:")):  # a file given at start
        st.caption(f"Loaded from `{current.source}`")
    # The "Time series" box is drawn under the Load button (below), so that a load error right
    # under the button stays in view on a short screen; its value is read here first.
    series = bool(st.session_state.get("upload_series"))
    main = st.file_uploader(
        "Time series" if series else "Graph, mesh, surface or panorama",
        key="upload_main",
        help="Edge lists (CSV/TSV), GraphML/GML/GEXF, meshes (PLY/OBJ/STL/VTK/VTP/OFF), FreeSurfer or GIfTI "
        f"surfaces, equirectangular PNG/JPEG, skeletons (BVH clips, .npy/.npz keypoints). Up to {MAX_UPLOAD_MB} MB.",
    )
    # Optional, so folded: the Load button (and an error under it) stays in view on short screens.
    with st.expander("Companion files (optional)", expanded=bool(st.session_state.get("upload_extra"))):
        extra = st.file_uploader(
            "Overlays or node tables",
            accept_multiple_files=True,
            key="upload_extra",
            help="Overlays for a surface (lh.sulc, lh.curv, .annot, .func.gii) or node features/labels "
            "for an edge list.",
        )
    level = (
        _level_slider()
        if main is not None and main.name.lower().endswith((".png", ".jpg", ".jpeg"))
        else None
    )
    if main is not None and st.button("Load file", key="load_upload", type="primary"):
        files = [(main.name, main.getvalue())] + [(f.name, f.getvalue()) for f in extra or []]
        if state.try_load_upload(files, level=level, max_bytes=MAX_UPLOAD_MB << 20, series=series):
            st.rerun()
    _load_error()  # right under the button the user just pressed, not below the formats list
    st.checkbox(
        "Time series",
        key="upload_series",
        help="A table of series (rows = time steps, columns = series; text/CSV, .gz or NPZ) for the "
        "Time series page; a companion file is then its known graph (.npy adjacency or edge-list CSV).",
    )
    st.caption("Formats: " + " ".join(supported_extensions()))


def _load_error() -> None:
    """The last failed load's one-line message, if any (the previous sample stays loaded)."""
    error = state.load_error()
    if error:
        st.error(error, icon=":material/error:")
