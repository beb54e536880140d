"""Figures of the Skeletons page: a 2D pose, a 3D pose beside its truth, errors over time, weights.

Every figure takes arrays (keypoints, joints, errors and attention computed in ``core`` and
``explain``) and draws them; nothing is measured here. Joints are in Human3.6M order
(:data:`core.skeleton.joints.JOINT_NAMES`); every joint point carries its index as
``customdata``, so a click maps back to a joint (:func:`viz.nodes.node_ids_from_points`), and
the focus joint is drawn by a trace named ``focus``.

3D joints are in the camera frame (OpenCV axes: x right, y down, z forward, metres); the 3D view
draws them with up as up: plot axes (x, z, -y).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nodescope.core.skeleton.joints import BONES, JOINT_NAMES
from nodescope.viz.colors import PALETTE
from nodescope.viz.nodes import FOCUS

#: Bone and joint colors: the prediction, the truth, bones behind attention.
PREDICTION = PALETTE[0]
TRUTH = "#7F7F7F"
FAINT = "#C8C8C8"
#: Per-joint error color scale (millimetres, from 0).
ERROR_SCALE = "YlOrRd"


def _bone_lines(points: np.ndarray) -> list[np.ndarray]:
    """Per coordinate, the bones' end points separated by NaN (one line trace for every bone)."""
    parent, child = np.array(BONES).T
    seg = np.stack([points[parent], points[child], np.full_like(points[parent], np.nan)], 1)
    return [seg[..., d].ravel() for d in range(points.shape[-1])]


def _joint_hover(errors: np.ndarray | None) -> list[str]:
    if errors is None:
        return [f"{i} · {n}" for i, n in enumerate(JOINT_NAMES)]
    return [
        f"{i} · {n}<br>error {e:.0f} mm" for i, (n, e) in enumerate(zip(JOINT_NAMES, errors, strict=True))
    ]


def _error_marker(errors: np.ndarray | None, cmax: float | None, size: float, color: str) -> dict:
    if errors is None:
        return {"size": size, "color": color}
    return {
        "size": size,
        "color": np.asarray(errors, dtype=np.float64),
        "colorscale": ERROR_SCALE,
        "cmin": 0.0,
        "cmax": float(cmax if cmax is not None else max(float(np.max(errors)), 1.0)),
        "showscale": True,
        "colorbar": {"title": {"text": "error (mm)"}, "thickness": 12, "len": 0.7},
        "line": {"width": 1, "color": "#444444"},
    }


def pose_2d_figure(
    keypoints: np.ndarray,
    image_size: tuple[float, float],
    *,
    errors: np.ndarray | None = None,
    error_max: float | None = None,
    focus: int | None = None,
    window: tuple[float, float, float, float] | None = None,
    title: str | None = None,
) -> go.Figure:
    """One pose's 2D keypoints in its image, bones drawn, joints colored by their 3D error.

    Args:
        keypoints: (17, 2) pixels (u right, v down).
        image_size: (width, height) pixels: the image frame drawn around the pose.
        errors: (17,) the 3D error of each joint, millimetres, or None (one color).
        error_max: top of the error color scale (keep it fixed over a clip), or None (this pose's).
        focus: the joint to mark, or None.
        window: ``(u0, v0, u1, v1)`` pixels, the part of the image shown (keep it fixed over a
            clip: its keypoints' box), padded by 10 %; None: the whole image and the pose.
        title: figure title.
    """
    kp = np.asarray(keypoints, dtype=np.float64)
    u, v = _bone_lines(kp)
    fig = go.Figure()
    fig.add_scatter(x=u, y=v, mode="lines", line={"color": PREDICTION, "width": 3}, hoverinfo="skip",
                    name="bones", showlegend=False)  # fmt: skip
    fig.add_scatter(
        x=kp[:, 0], y=kp[:, 1], mode="markers", name="joints", customdata=np.arange(len(kp)),
        marker=_error_marker(errors, error_max, 11, PREDICTION), hovertext=_joint_hover(errors),
        hoverinfo="text", showlegend=False,
    )  # fmt: skip
    if focus is not None:
        fig.add_scatter(
            x=kp[[focus], 0], y=kp[[focus], 1], mode="markers+text", name="focus", customdata=[focus],
            marker={"size": 20, "color": "rgba(0,0,0,0)", "line": {"width": 3, "color": FOCUS}},
            text=[JOINT_NAMES[focus]], textposition="top center", hoverinfo="skip", showlegend=False,
        )  # fmt: skip
    w, h = image_size
    fig.add_shape(type="rect", x0=0, y0=0, x1=w, y1=h, line={"color": FAINT, "dash": "dot"}, layer="below")
    if window is None:
        u0, v0 = min(0.0, kp[:, 0].min()), min(0.0, kp[:, 1].min())
        u1, v1 = max(w, kp[:, 0].max()), max(h, kp[:, 1].max())
    else:
        u0, v0, u1, v1 = window
    pad = 0.1 * max(u1 - u0, v1 - v0) + 5.0
    fig.update_xaxes(range=[u0 - pad, u1 + pad], title="u (px)", constrain="domain")
    fig.update_yaxes(range=[v1 + pad, v0 - pad], title="v (px)", scaleanchor="x", scaleratio=1)
    fig.update_layout(title=title, margin={"t": 50, "b": 10, "l": 60, "r": 10}, dragmode="pan",
                      plot_bgcolor="white")  # fmt: skip
    return fig


def _up(points: np.ndarray) -> np.ndarray:
    """Camera-frame (x, y down, z forward) to plot axes (x, z, up)."""
    return np.stack([points[..., 0], points[..., 2], -points[..., 1]], -1)


def pose_3d_figure(
    pred: np.ndarray,
    truth: np.ndarray | None = None,
    *,
    errors: np.ndarray | None = None,
    error_max: float | None = None,
    focus: int | None = None,
    extent: float | None = None,
    title: str | None = None,
) -> go.Figure:
    """A predicted 3D pose beside its truth, bones drawn, joints colored by their error.

    Args:
        pred: (17, 3) metres, camera frame, pelvis at the origin.
        truth: (17, 3) the same for the truth, or None.
        errors: (17,) millimetres per joint, or None.
        error_max: top of the error color scale, or None (this pose's).
        focus: the joint to mark, or None.
        extent: half-width of the cube drawn, metres (keep it fixed over a clip), or None.
        title: figure title.
    """
    p = _up(np.asarray(pred, dtype=np.float64))
    fig = go.Figure()
    if truth is not None:
        t = _up(np.asarray(truth, dtype=np.float64))
        x, y, z = _bone_lines(t)
        fig.add_scatter3d(x=x, y=y, z=z, mode="lines", name="truth", line={"color": TRUTH, "width": 6},
                          hoverinfo="skip")  # fmt: skip
        fig.add_scatter3d(x=t[:, 0], y=t[:, 1], z=t[:, 2], mode="markers", name="truth joints",
                          marker={"size": 3, "color": TRUTH}, hoverinfo="skip", showlegend=False)  # fmt: skip
    x, y, z = _bone_lines(p)
    fig.add_scatter3d(x=x, y=y, z=z, mode="lines", name="prediction", line={"color": PREDICTION, "width": 6},
                      hoverinfo="skip")  # fmt: skip
    fig.add_scatter3d(
        x=p[:, 0], y=p[:, 1], z=p[:, 2], mode="markers", name="joints", customdata=np.arange(len(p)),
        marker=_error_marker(errors, error_max, 6, PREDICTION), hovertext=_joint_hover(errors),
        hoverinfo="text", showlegend=False,
    )  # fmt: skip
    if focus is not None:
        fig.add_scatter3d(
            x=p[[focus], 0], y=p[[focus], 1], z=p[[focus], 2], mode="markers+text", name="focus",
            customdata=[focus], marker={"size": 11, "color": FOCUS, "opacity": 0.5},
            text=[JOINT_NAMES[focus]], hoverinfo="skip", showlegend=False,
        )  # fmt: skip
    r = float(extent) if extent is not None else float(np.abs(p).max()) * 1.1 + 0.05
    axis = {"range": [-r, r], "showspikes": False}
    fig.update_layout(
        title=title,
        scene={
            "xaxis": {**axis, "title": "x (m)"},
            "yaxis": {**axis, "title": "depth (m)"},
            "zaxis": {**axis, "title": "up (m)"},
            "aspectmode": "cube",
            "camera": {"eye": {"x": 0.2, "y": -1.9, "z": 0.5}, "up": {"x": 0, "y": 0, "z": 1}},
        },
        legend={"orientation": "h", "y": 1.02},
        margin={"t": 50, "b": 0, "l": 0, "r": 0},
    )
    return fig


def error_curve_figure(
    per_frame: np.ndarray,
    *,
    frame: int,
    frame_rate: float | None = None,
    joint_errors: np.ndarray | None = None,
    joint_name: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """MPJPE per frame over the clip, the focus joint's error beside it, the current frame marked.

    Args:
        per_frame: (F,) millimetres.
        frame: the frame shown (0-based).
        frame_rate: frames per second (the x axis in seconds), or None (frames).
        joint_errors: (F,) the focus joint's error, millimetres, or None.
        joint_name: its name (legend).
        title: figure title.
    """
    n = len(per_frame)
    t = np.arange(n) / frame_rate if frame_rate else np.arange(n, dtype=np.float64)
    fig = go.Figure()
    fig.add_scatter(x=t, y=per_frame, mode="lines", name="MPJPE (all joints)", line={"color": PREDICTION})
    if joint_errors is not None:
        fig.add_scatter(x=t, y=joint_errors, mode="lines", name=joint_name or "focus joint",
                        line={"color": FOCUS, "dash": "dot"})  # fmt: skip
    fig.add_vline(x=float(t[frame]), line={"color": "#444444", "width": 1})
    fig.update_layout(
        title=title, xaxis_title="time (s)" if frame_rate else "frame", yaxis_title="error (mm)",
        yaxis_rangemode="tozero", legend={"orientation": "h", "y": 1.0, "x": 1.0, "xanchor": "right",
                                          "yanchor": "bottom"}, margin={"t": 60, "b": 10},
    )  # fmt: skip
    return fig


def skeleton_weights_figure(
    xy: np.ndarray,
    focus: int,
    weights: np.ndarray,
    titles: Sequence[str],
    *,
    cols: int,
    row_titles: Sequence[str] | None = None,
    title: str | None = None,
    max_width: float = 10.0,
) -> go.Figure:
    """Small skeletons, one per panel: lines from ``focus`` to each joint, as wide as its weight.

    Args:
        xy: (17, 2) a 2D layout of the joints (pixels: v down), the same in every panel.
        focus: the joint whose weights are drawn.
        weights: (P, 17) one row per panel, in [0, 1]: how much ``focus`` takes from each joint
            (its own weight is drawn as a ring around it).
        titles: P panel titles.
        cols: panels per row (rows fill left to right).
        row_titles: one title per row, or None.
        title: figure title.
        max_width: line width (px) of a weight of 1.
    """
    weights = np.asarray(weights, dtype=np.float64)
    xy = np.asarray(xy, dtype=np.float64)
    panels = len(weights)
    rows = -(-panels // cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=list(titles), row_titles=row_titles,
                        horizontal_spacing=0.01, vertical_spacing=0.06)  # fmt: skip
    u, v = _bone_lines(xy)
    ids = np.arange(len(xy))
    for p in range(panels):
        r, c = p // cols + 1, p % cols + 1
        fig.add_scatter(x=u, y=v, mode="lines", line={"color": FAINT, "width": 2}, hoverinfo="skip",
                        showlegend=False, row=r, col=c)  # fmt: skip
        for j in np.flatnonzero(weights[p] > 0):
            w = float(weights[p, j])
            if j == focus:
                fig.add_scatter(
                    x=[xy[j, 0]], y=[xy[j, 1]], mode="markers", showlegend=False, hoverinfo="text",
                    hovertext=f"{JOINT_NAMES[j]} (itself): {w:.2f}",
                    marker={"size": 8 + 3 * max_width * w, "color": "rgba(0,0,0,0)",
                            "line": {"width": 2, "color": PREDICTION}},
                    row=r, col=c,
                )  # fmt: skip
                continue
            fig.add_scatter(
                x=[xy[focus, 0], xy[j, 0]], y=[xy[focus, 1], xy[j, 1]], mode="lines", showlegend=False,
                line={"color": PREDICTION, "width": 0.5 + max_width * w}, opacity=0.35 + 0.65 * min(w, 1.0),
                hoverinfo="text", hovertext=f"{JOINT_NAMES[focus]} → {JOINT_NAMES[j]}: {w:.2f}", row=r, col=c,
            )  # fmt: skip
        fig.add_scatter(
            x=xy[:, 0], y=xy[:, 1], mode="markers", customdata=ids, showlegend=False, hoverinfo="text",
            hovertext=[f"{i} · {n}: {weights[p, i]:.2f}" for i, n in enumerate(JOINT_NAMES)],
            marker={"size": 6, "color": np.where(weights[p] > 0, PREDICTION, FAINT)}, row=r, col=c,
        )  # fmt: skip
        fig.add_scatter(
            x=[xy[focus, 0]], y=[xy[focus, 1]], mode="markers", name="focus", customdata=[focus],
            marker={"size": 10, "color": FOCUS}, hoverinfo="skip", showlegend=False, row=r, col=c,
        )  # fmt: skip
    span = np.ptp(xy, axis=0).max() * 0.08 + 1.0
    x_range = [xy[:, 0].min() - span, xy[:, 0].max() + span]
    y_range = [xy[:, 1].max() + span, xy[:, 1].min() - span]
    for p in range(panels):
        suffix = "" if p == 0 else str(p + 1)
        fig.update_layout(
            {
                f"xaxis{suffix}": {"visible": False, "range": x_range},
                f"yaxis{suffix}": {"visible": False, "range": y_range, "scaleanchor": f"x{suffix}"},
            }
        )
    fig.update_annotations(font_size=11)
    fig.update_layout(title=title, margin={"t": 70, "b": 5, "l": 5, "r": 30}, plot_bgcolor="white",
                      height=150 + 190 * rows)  # fmt: skip
    return fig


def fusion_bars_figure(fusion: np.ndarray, hops: Sequence[int], *, title: str | None = None) -> go.Figure:
    """Each head's weight of each hop group (HopFIR's fusion across hops), grouped by hop.

    Args:
        fusion: (H, K) weights (each head's row sums to 1).
        hops: K hop distances (1, 2, ...).
        title: figure title.
    """
    fusion = np.asarray(fusion, dtype=np.float64)
    fig = go.Figure()
    labels = [f"hop {k}" for k in hops]
    for h in range(fusion.shape[0]):
        fig.add_bar(x=labels, y=fusion[h], name=f"head {h + 1}", marker_color=PALETTE[h % len(PALETTE)])
    fig.add_hline(y=1.0 / max(len(hops), 1), line={"color": TRUTH, "dash": "dot", "width": 1},
                  annotation_text="equal", annotation_position="top right")  # fmt: skip
    fig.update_layout(
        title=title, barmode="group", yaxis={"title": "fusion weight", "rangemode": "tozero"},
        legend={"orientation": "h", "y": 1.15}, margin={"t": 70, "b": 10},
    )  # fmt: skip
    return fig


def pose_animation_figure(
    pred: np.ndarray,
    truth: np.ndarray | None = None,
    *,
    frame_rate: float | None = None,
    frames: Sequence[int] | None = None,
    title: str | None = None,
) -> go.Figure:
    """The 3D prediction (and truth) over a clip as a plotly animation with Play and a slider.

    Args:
        pred: (F, 17, 3) metres, camera frame, pelvis at the origin.
        truth: (F, 17, 3) the same for the truth, or None.
        frame_rate: frames per second (the playback speed and the slider's labels), or None (30).
        frames: the frame indices to animate (e.g. every 4th of a long clip), or None (all).
        title: figure title.
    """
    pred = np.asarray(pred, dtype=np.float64)
    shown = list(range(len(pred))) if frames is None else [int(f) for f in frames]
    fps = float(frame_rate or 30.0)
    step = (shown[1] - shown[0]) if len(shown) > 1 else 1
    extent = 1.05 * max(float(np.abs(pred).max()), 0.0 if truth is None else float(np.abs(truth).max()))

    def traces(f: int) -> list[go.Scatter3d]:
        out = []
        for name, poses, color in (("truth", truth, TRUTH), ("prediction", pred, PREDICTION)):
            if poses is None:
                continue
            x, y, z = _bone_lines(_up(np.asarray(poses[f], dtype=np.float64)))
            out.append(go.Scatter3d(x=x, y=y, z=z, mode="lines+markers", name=name, hoverinfo="skip",
                                    line={"color": color, "width": 6}, marker={"size": 3, "color": color}))  # fmt: skip
        return out

    fig = go.Figure(data=traces(shown[0]), frames=[go.Frame(data=traces(f), name=str(f)) for f in shown])
    duration = 1000.0 * step / fps
    play = {
        "frame": {"duration": duration, "redraw": True},
        "fromcurrent": True,
        "transition": {"duration": 0},
    }
    fig.update_layout(
        title=title,
        updatemenus=[{
            "type": "buttons", "x": 0.0, "y": 0.0, "xanchor": "left", "yanchor": "top", "direction": "left",
            "buttons": [
                {"label": "▶ Play", "method": "animate", "args": [None, play]},
                {"label": "❚❚ Pause", "method": "animate",
                 "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}]},
            ],
        }],
        sliders=[{
            "x": 0.2, "len": 0.8, "y": 0.0, "yanchor": "top", "currentvalue": {"prefix": "t = ", "suffix": " s"},
            "steps": [
                {"label": f"{f / fps:.2f}", "method": "animate",
                 "args": [[str(f)], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}]}
                for f in shown
            ],
        }],
        scene={
            "xaxis": {"range": [-extent, extent], "title": "x (m)"},
            "yaxis": {"range": [-extent, extent], "title": "depth (m)"},
            "zaxis": {"range": [-extent, extent], "title": "up (m)"},
            "aspectmode": "cube",
            "camera": {"eye": {"x": 0.2, "y": -1.9, "z": 0.5}, "up": {"x": 0, "y": 0, "z": 1}},
        },
        legend={"orientation": "h", "y": 1.02},
        margin={"t": 50, "b": 60, "l": 0, "r": 0},
    )  # fmt: skip
    return fig
