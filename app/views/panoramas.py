"""Panoramas: the shipped spherical U-Net's depth, class, layout and normal maps, with truth and errors."""

import numpy as np
import streamlit as st

from nodescope.app import components as ui
from nodescope.app import panorama_data as pdata
from nodescope.app import panorama_superres as superres
from nodescope.app import sidebar, state
from nodescope.app.plotly_view import latest_event
from nodescope.core.geometry.sphere import xyz_to_latlon
from nodescope.core.models.panorama.single import DEFAULT_CAMERA_HEIGHT_M, MAP_FIELDS
from nodescope.core.models.panorama.unet import SphericalUNet
from nodescope.core.panorama.classes import CLASS_NAMES, LAYOUT_NAMES
from nodescope.core.sample import Sample
from nodescope.viz.nodes import node_ids_from_points
from nodescope.viz.panorama_view import panorama_figures

_PICK = "pano_pick"  # the picked vertex of the network's sphere (its own ids, not the sample's nodes)
_ROOM = "Generated room"
_UPLOADED = "Uploaded: "  # the source's prefix before the uploaded file's name
_UPLOADER = "pano_upload"


def _on_upload() -> None:
    """Read the file just chosen; show it when it loads, else keep everything as it was (one line says why)."""
    f = st.session_state.get(_UPLOADER)
    if f is not None and pdata.try_upload(f.name, f.getvalue()):
        st.session_state["pano_source"] = _UPLOADED + f.name


def render(s: Sample, fp: str, model: SphericalUNet, record: dict) -> None:
    """The page for the loaded sample ``s`` (fingerprint ``fp``), the network and its JSON record."""
    upload = pdata.uploaded()
    sources = (
        [_ROOM]
        + ([f"Loaded: {s.name}"] if s.image is not None else [])
        + ([_UPLOADED + upload[0]] if upload is not None else [])
    )
    c1, c2, c3 = st.columns([2, 1, 1])
    source = ui.one_of(c1, "radio", "Panorama", sources, key="pano_source", horizontal=True)
    st.file_uploader(
        "Your own panorama (equirectangular PNG/JPEG, width = 2 × height)",
        type=["png", "jpg", "jpeg"],
        key=_UPLOADER,
        on_change=_on_upload,
        help=f"Up to {sidebar.MAX_UPLOAD_MB} MB and 8192×4096 pixels. There is no ground truth for an "
        "uploaded image: the page shows predictions only, with depths scaled so that the predicted floor "
        f"lies {DEFAULT_CAMERA_HEIGHT_M} m below the camera.",
    )
    if pdata.upload_error():  # right under the uploader; the page below stays as it was
        st.error(pdata.upload_error(), icon=":material/error:")
    if source == _ROOM:
        split = c2.selectbox(
            "Rooms", ["test", "ood"], key="pano_split",
            format_func=lambda k: {"test": "test (as trained)", "ood": "out of distribution"}[k],
        )  # fmt: skip
        seed = int(c3.number_input("Seed", 0, 9999, 0, key="pano_seed"))
        result, key = pdata.room(seed, split), f"room-{split}-{seed}"
    elif source.startswith(_UPLOADED) and upload is not None:
        result, key = pdata.loaded(upload[2], upload[1]), upload[2]
    else:
        result, key = pdata.loaded(fp, s.image), f"loaded-{fp}"
    no_truth = "uploaded" if source.startswith(_UPLOADED) else "loaded"

    sph = xyz_to_latlon(result.directions.astype(np.float64))
    charts = [f"pano_{k}" for k in ("image", "cloud_pred", "cloud_truth")] + [
        f"pano_{f}_{c}" for f in MAP_FIELDS for c in ("pred", "truth", "error")
    ]
    for chart in charts:  # events first, then every view draws the new pick
        event = latest_event(chart)
        if event is not None and state.is_new_event(chart, event["event_id"]):
            ids = [i for i in node_ids_from_points(event["points"]) if 0 <= i < len(sph)]
            if ids:
                st.session_state[_PICK] = ids[0]
    sr_pick = superres.take_pick(model.config.level) if source == _ROOM else None
    if sr_pick is not None:  # a click in a super-resolution map, as the network's vertex
        st.session_state[_PICK] = sr_pick
    pick = st.session_state.get(_PICK)

    level = model.config.level
    test = record.get("scores", {}).get("test", {})
    st.caption(
        f"Level {level} ({len(sph):,} vertices), {record.get('params', 0):,} parameters, trained on "
        f"{record.get('recipe', {}).get('train', '?')} rooms. On {test.get('rooms', '?')} test rooms: depth "
        f"AbsRel {test.get('depth_abs_rel', float('nan')):.3f}, δ<1.25 {test.get('depth_delta1', float('nan')):.3f}, "
        f"mIoU {test.get('class_miou', float('nan')):.3f}, layout accuracy {test.get('layout_accuracy', float('nan')):.3f} "
        f"(band oracle {test.get('oracle_layout_accuracy', float('nan')):.3f}), normals "
        f"{test.get('normal_median_deg', float('nan')):.1f}° median (the targets: AbsRel ≤ 0.05, layout ≥ 0.97)."
    )
    if result.scores is not None:
        sc = result.scores
        m = st.columns(5)
        m[0].metric("Depth AbsRel", f"{sc['depth_abs_rel']:.3f}")
        m[1].metric("Depth δ<1.25", f"{sc['depth_delta1']:.3f}")
        m[2].metric("Class mIoU", f"{sc['class_miou']:.3f}")
        m[3].metric(
            "Layout accuracy", f"{sc['layout_accuracy']:.3f}",
            delta=f"{sc['layout_accuracy'] - sc['oracle_layout_accuracy']:+.3f} vs band oracle",
        )  # fmt: skip
        m[4].metric("Normal error (median)", f"{sc['normal_median_deg']:.1f}°")
        st.caption(
            f"This room, vertices weighted by area. The band oracle (floor below, ceiling above, both "
            f"latitudes chosen on this room's own truth) scores {sc['oracle_layout_accuracy']:.3f} on layout."
        )
    else:
        st.caption(
            f"An image without ground truth: predictions only. Depths are scaled so that the predicted floor "
            f"lies {result.camera_height_m or DEFAULT_CAMERA_HEIGHT_M} m below the camera "
            + (
                f"(×{result.scale:.2f} the network's own metres)."
                if result.camera_height_m
                else "(no floor predicted: the network's own metres)."
            )
        )
    figures = panorama_figures(result, focus=pick)
    rows = [["image", "cloud_pred", "cloud_truth"]] + [
        [f"{f}_{c}" for c in ("pred", "truth", "error")] for f in MAP_FIELDS
    ]
    for row in rows:
        for col, name in zip(st.columns(3), row, strict=True):
            if name in figures:
                with col:
                    ui.chart(figures[name], f"pano_{name}", key, height=300)
            elif name.endswith(("_truth", "_error")):
                col.caption(
                    f"No ground truth for {'an' if no_truth == 'uploaded' else 'a'} {no_truth} image."
                )

    if pick is None:
        st.caption("Click a vertex in any map or 3D view to see its values here.")
    else:
        lat, lon = sph[pick]
        p = result.pred
        parts = [
            f"**Vertex {pick}** (latitude {lat:.1f}°, longitude {lon:.1f}°): depth {p['depth'][pick]:.2f} m, "
            f"class {CLASS_NAMES[p['class'][pick]]}, layout {LAYOUT_NAMES[p['layout'][pick]]}"
        ]
        if result.truth is not None and result.errors is not None:
            t, e = result.truth, result.errors
            parts.append(
                f"truth: depth {t['depth'][pick]:.2f} m, class {CLASS_NAMES[t['class'][pick]]}, layout "
                f"{LAYOUT_NAMES[t['layout'][pick]]}; normal off by {e['normal'][pick]:.1f}°"
            )
        st.markdown("; ".join(parts) + ".")
    superres.render((split, seed) if source == _ROOM else None, pick, level, key)


s = state.sample()
fp = state.fingerprint(s)
st.title("Panoramas")
st.caption(
    "A spherical U-Net (GATv2 blocks on the icosphere, a shared encoder and five task decoders with "
    "cross-task attention) predicts depth, the visible class, the room layout without furniture and "
    "surface normals at every vertex. Pick a vertex in any map: every map and the 3D views mark it."
)
net = pdata.network()
if net is None:  # no st.stop: the sidebar, drawn after the page, must still come
    st.info(
        "No spherical U-Net ships with this copy (assets/models/panorama/spherical-unet); "
        "`python examples/train_panorama.py --ship` trains one.",
        icon=":material/model_training:",
    )
else:
    render(s, fp, *net)
