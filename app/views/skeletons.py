"""Skeletons: 2D keypoints lifted to 3D by HopFIR, SemGCN or an MLP, and where each joint looks."""

import numpy as np
import streamlit as st

from nodescope.app import components as ui
from nodescope.app import skeleton_data as sd
from nodescope.app import state
from nodescope.core.models.lifting import TITLES
from nodescope.core.sample import Sample
from nodescope.core.skeleton.joints import JOINT_NAMES
from nodescope.viz.skeleton_view import (
    error_curve_figure,
    fusion_bars_figure,
    pose_2d_figure,
    pose_3d_figure,
    pose_animation_figure,
    skeleton_weights_figure,
)

#: The joint in focus before the user picks one: a wrist, one of the hard joints.
DEFAULT_JOINT = JOINT_NAMES.index("left wrist")
MODELS = ("hopfir", "gcn", "mlp")
#: The animation shows at most this many frames (every k-th of a longer clip).
MAX_ANIMATED = 300

s = state.sample()
fp = state.fingerprint(s)

st.title("Skeletons")
st.caption(
    "A lifting model turns a pose's 2D keypoints (pixels) into 3D joints (metres, in the camera's "
    "frame, pelvis at the origin). Pick a joint in the 2D or 3D view: every view marks it, and the "
    "panel below shows where it looks, hop by hop along the bones."
)


def render(s: Sample, fp: str, available: list[str]) -> None:
    """The page for a skeleton sample with at least one shipped lifter (no st.stop: the sidebar comes after)."""
    c_model, c_noise, c_camera = st.columns([2, 2, 1])
    key = c_model.radio("Model", available, format_func=lambda k: TITLES[k], horizontal=True, key="sk_model")
    noise = float(
        c_noise.slider(
            "2D noise σ (px)", 0, 20, 0, key="sk_noise",
            help="Gaussian noise added to every keypoint, per axis, as a keypoint detector's error.",
        )
    )  # fmt: skip
    has_world = s.frames_3d is not None and "world" in s.units.get("joints_3d", "")
    camera_seed = (
        int(c_camera.number_input("Camera", 0, 999, 0, key="sk_camera", help="Seed of the virtual camera."))
        if has_world
        else 0
    )
    v = sd.view(fp, camera_seed, s)
    for notice in v.notices:
        st.caption(f"ℹ️ {notice}")
    clip = sd.lifted(fp, key, noise, camera_seed, s)

    for chart in ("sk_2d", "sk_3d", "sk_hops", "sk_gcn"):
        ui.take_chart_event(chart)
    sel = state.selection()
    joint = sel.focus if sel.focus is not None else DEFAULT_JOINT

    frames = v.num_frames
    frame = int(st.slider("Frame", 0, frames - 1, 0, key="sk_frame")) if frames > 1 else 0
    frame = min(frame, frames - 1)
    model = sd.lifter(key)
    summary = f"{TITLES[key]} ({model.num_parameters() / 1000:.0f} k parameters)"  # type: ignore[union-attr]
    if clip.errors is not None:
        error_max = float(np.percentile(clip.errors, 99))
        st.caption(
            f"{summary} on {frames} frame(s), 2D noise σ = {noise:.0f} px: MPJPE **{clip.mpjpe:.0f} mm**, "
            f"P-MPJPE {clip.p_mpjpe:.0f} mm (after the best rotation and scale). "
            f"{JOINT_NAMES[joint]}: {clip.errors[:, joint].mean():.0f} mm over the clip."
        )
    else:
        error_max = None
        st.caption(f"{summary}: the file has no 3D joints, so there are no errors to show.")

    errors = None if clip.errors is None else clip.errors[frame]
    left, right = st.columns(2)
    with left:
        fig = pose_2d_figure(
            clip.keypoints_2d[frame], v.image_size, errors=errors, error_max=error_max, focus=joint,
            window=(*clip.keypoints_2d.min((0, 1)), *clip.keypoints_2d.max((0, 1))),
            title=f"2D input, frame {frame} (focal {v.focal:.0f} px, image {v.image_size[0]:.0f}×{v.image_size[1]:.0f})",
        )  # fmt: skip
        ui.chart(fig, "sk_2d", fp, height=460)
    with right:
        truth = None if clip.truth_3d is None else clip.truth_3d[frame]
        shown = [clip.pred_3d] + ([] if clip.truth_3d is None else [clip.truth_3d])
        extent = 1.05 * max(float(np.abs(a).max()) for a in shown)  # fixed over the clip
        fig = pose_3d_figure(
            clip.pred_3d[frame], truth, errors=errors, error_max=error_max, focus=joint, extent=extent,
            title=f"3D: {TITLES[key]} (color: error) beside the truth (gray)",
        )  # fmt: skip
        ui.chart(fig, "sk_3d", fp, height=460)

    if clip.per_frame is not None and frames > 1:
        fig = error_curve_figure(
            clip.per_frame, frame=frame, frame_rate=s.frame_rate, joint_errors=clip.errors[:, joint],  # type: ignore[index]
            joint_name=JOINT_NAMES[joint], title="Error over the clip",
        )  # fmt: skip
        ui.plot(fig, "sk_error_curve")
    if frames > 1 and st.toggle("Play the clip (3D animation)", key="sk_play"):
        stride = -(-frames // MAX_ANIMATED)
        fig = pose_animation_figure(
            clip.pred_3d, clip.truth_3d, frame_rate=s.frame_rate, frames=range(0, frames, stride),
            title=f"{TITLES[key]} over the clip" + ("" if stride == 1 else f" (every {stride}th frame)"),
        )  # fmt: skip
        ui.plot(fig, "sk_animation")

    st.subheader(f"Where the {JOINT_NAMES[joint]} looks")
    layers = sd.lifter("hopfir").config.layers if "hopfir" in available else 0  # type: ignore[union-attr]
    if layers:
        c_layer, c_note = st.columns([1, 3])
        layer = int(
            c_layer.radio("HopFIR layer", list(range(1, layers + 1)), index=layers - 1, horizontal=True, key="sk_layer")
        ) - 1  # fmt: skip
        c_note.caption(
            "HopFIR groups the other joints by their hop distance along the bones; each head attends "
            "within each group (line widths: the attention, summing to 1 per group), then fuses the "
            "groups with learned weights (bars). The attention changes with the frame and the 2D noise."
        )
        w = sd.hops(fp, noise, camera_seed, frame, joint, layer, s)
        heads = w.attention.shape[0]
        xy = clip.keypoints_2d[frame]
        panels = w.attention.reshape(heads * len(w.hops), -1)
        titles = [f"hop {k}" if h == 0 else "" for h in range(heads) for k in w.hops]
        fig = skeleton_weights_figure(
            xy, joint, panels, titles, cols=len(w.hops), row_titles=[f"head {h + 1}" for h in range(heads)],
            title=f"HopFIR layer {layer + 1}: attention from the {JOINT_NAMES[joint]}, per head and hop",
        )  # fmt: skip
        ui.chart(fig, "sk_hops", fp, height=fig.layout.height)
        c_bars, c_gcn = st.columns([1, 2])
        with c_bars:
            fig = fusion_bars_figure(
                w.fusion,
                w.hops.tolist(),
                title=f"Fusion across hops ({JOINT_NAMES[joint]}, layer {layer + 1})",
            )
            ui.plot(fig, "sk_fusion")
        with c_gcn:
            if "gcn" in available:
                rows, titles = sd.gcn(joint)
                fig = skeleton_weights_figure(
                    xy, joint, rows, titles, cols=5,
                    title=f"SemGCN for contrast: what the {JOINT_NAMES[joint]} takes from its bone neighbors",
                )  # fmt: skip
                ui.chart(fig, "sk_gcn", fp, height=fig.layout.height)
                st.caption(
                    "SemGCN's weights are fixed after training (the same for every pose) and never reach past "
                    "hop 1; a plain GCN averages uniformly. HopFIR's change with the pose and reach every joint."
                )
    else:
        st.caption("HopFIR's weights are not shipped, so there is no attention to show.")


available = [k for k in MODELS if sd.lifter(k) is not None]
if available:
    render(s, fp, available)
else:
    st.info(
        "No shipped lifting weights: train them with `nodescope train skeleton`.",
        icon=":material/model_training:",
    )
