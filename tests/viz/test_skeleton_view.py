"""viz.skeleton_view: poses in 2D and 3D with joint ids and the focus, weights as line widths."""

import numpy as np

from nodescope.core.skeleton.joints import BONES, NUM_JOINTS
from nodescope.viz.nodes import node_ids_from_points
from nodescope.viz.skeleton_view import (
    error_curve_figure,
    fusion_bars_figure,
    pose_2d_figure,
    pose_3d_figure,
    skeleton_weights_figure,
)

RNG = np.random.default_rng(0)
KP = RNG.uniform(100, 400, (NUM_JOINTS, 2))
J3 = RNG.normal(0, 0.3, (NUM_JOINTS, 3))


def _trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_pose_2d_draws_every_bone_and_joint_ids_and_marks_the_focus():
    errors = np.arange(NUM_JOINTS, dtype=float)
    fig = pose_2d_figure(KP, (1000, 800), errors=errors, focus=5, window=(100, 100, 400, 400))
    bones = _trace(fig, "bones")
    assert np.isnan(np.asarray(bones.x, dtype=float)).sum() == len(BONES)
    joints = _trace(fig, "joints")
    assert list(joints.customdata) == list(range(NUM_JOINTS))
    assert list(joints.marker.color) == errors.tolist()
    assert list(_trace(fig, "focus").customdata) == [5]
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]  # v points down
    points = [{"customdata": c} for c in joints.customdata[[3, 7]]]
    assert node_ids_from_points(points) == [3, 7]


def test_pose_3d_shows_up_as_up_and_the_truth_beside_the_prediction():
    fig = pose_3d_figure(J3, J3 + 0.1, errors=np.ones(NUM_JOINTS), focus=2, extent=1.0)
    joints = _trace(fig, "joints")
    np.testing.assert_allclose(joints.z, -J3[:, 1])  # camera y points down
    np.testing.assert_allclose(joints.y, J3[:, 2])  # depth
    assert {t.name for t in fig.data} >= {"truth", "prediction", "joints", "focus"}
    assert list(fig.layout.scene.zaxis.range) == [-1.0, 1.0]


def test_error_curve_has_the_clip_and_the_focus_joint():
    fig = error_curve_figure(
        np.ones(30), frame=3, frame_rate=30.0, joint_errors=np.zeros(30), joint_name="head"
    )
    assert [t.name for t in fig.data] == ["MPJPE (all joints)", "head"]
    assert fig.layout.shapes[0].x0 == 0.1


def test_weights_are_drawn_as_line_widths_from_the_focus_one_panel_each():
    weights = np.zeros((3, NUM_JOINTS))
    weights[0, [1, 2]] = [0.25, 0.75]
    weights[1, 4] = 1.0
    weights[2, 0] = 1.0  # the focus itself: a ring
    fig = skeleton_weights_figure(KP, 0, weights, ["a", "b", "c"], cols=2, max_width=10.0)
    lines = [t for t in fig.data if t.mode == "lines" and t.hovertext]
    assert sorted(round(t.line.width, 2) for t in lines) == [3.0, 8.0, 10.5]
    assert all(t.x[0] == KP[0, 0] for t in lines)
    assert len([t for t in fig.data if t.name == "focus"]) == 3
    assert "yaxis3" in fig.layout and fig.layout.yaxis3.scaleanchor == "x3"


def test_fusion_bars_one_bar_per_head_and_hop():
    fig = fusion_bars_figure(np.full((4, 5), 0.2), [1, 2, 3, 4, 5])
    assert len(fig.data) == 4 and list(fig.data[0].x) == [f"hop {k}" for k in range(1, 6)]


def test_the_animation_has_one_frame_per_shown_frame_and_a_play_button():
    from nodescope.viz.skeleton_view import pose_animation_figure

    clip = RNG.normal(0, 0.3, (10, NUM_JOINTS, 3))
    fig = pose_animation_figure(clip, clip, frame_rate=10.0, frames=range(0, 10, 2))
    assert [f.name for f in fig.frames] == ["0", "2", "4", "6", "8"]
    assert [t.name for t in fig.frames[1].data] == ["truth", "prediction"]
    assert fig.layout.updatemenus[0].buttons[0].args[1]["frame"]["duration"] == 200.0  # 2 frames at 10 fps
    assert [s.label for s in fig.layout.sliders[0].steps][:2] == ["0.00", "0.20"]
