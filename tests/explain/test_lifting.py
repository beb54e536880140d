"""explain.lifting: lifting a clip with 2D noise, HopFIR's attention per hop, SemGCN's weights."""

import numpy as np
import pytest
import torch

from nodescope.core.loaders import load
from nodescope.core.loaders.skeleton import skeleton_sample
from nodescope.core.models.lifting import LifterConfig, build_lifter
from nodescope.core.skeleton.joints import JOINT_NAMES, NUM_JOINTS, hop_matrix
from nodescope.core.skeleton.scene import DEFAULT_FOCAL_PX, lifting_view
from nodescope.explain.lifting import gcn_weights, hop_attention, lift_clip


@pytest.fixture(scope="module")
def walk():
    return load("skeleton-walk")


@pytest.fixture(scope="module")
def hopfir():
    torch.manual_seed(0)
    return build_lifter(LifterConfig("hopfir", hidden=16, layers=2, heads=2)).eval()


def test_a_builtins_view_reproduces_its_own_2d_and_puts_the_truth_in_the_camera_frame(walk):
    view = lifting_view(walk)
    np.testing.assert_allclose(view.keypoints_2d, walk.frames_2d, atol=1e-3)  # float32 storage
    assert view.truth_3d.shape == (walk.num_frames, NUM_JOINTS, 3)
    np.testing.assert_allclose(view.truth_3d[:, 0], 0.0)  # pelvis at the origin
    assert (view.image_size[0], view.image_size[1]) == (walk.camera["width"], walk.camera["height"])
    assert not view.notices


def test_2d_only_input_without_a_camera_gets_one_assumed_and_says_so():
    pixels = np.random.default_rng(0).uniform(100, 300, (3, NUM_JOINTS, 2))
    view = lifting_view(skeleton_sample(name="kp", source="x", keypoints_2d=pixels))
    assert view.truth_3d is None and view.focal == DEFAULT_FOCAL_PX and len(view.notices) == 2
    lo, hi = pixels.reshape(-1, 2).min(0), pixels.reshape(-1, 2).max(0)
    np.testing.assert_allclose(np.array(view.image_size) / 2, (lo + hi) / 2)


def test_lift_clip_scores_every_joint_and_frame_and_noise_moves_the_2d(walk, hopfir):
    view = lifting_view(walk)
    exact, noisy = lift_clip(hopfir, view, 0.0), lift_clip(hopfir, view, 5.0)
    np.testing.assert_array_equal(exact.keypoints_2d, view.keypoints_2d)
    shift = np.linalg.norm(noisy.keypoints_2d - view.keypoints_2d, axis=-1)
    assert 4.0 < shift.mean() < 8.0  # 5 px per axis: mean 2D shift 5 sqrt(pi / 2) ≈ 6.3 px
    assert exact.errors.shape == (walk.num_frames, NUM_JOINTS) and np.all(exact.errors[:, 0] < 1e-3)
    assert exact.mpjpe == pytest.approx(exact.per_frame.mean())
    assert exact.p_mpjpe <= exact.mpjpe
    assert not np.allclose(exact.pred_3d, noisy.pred_3d)


def test_hop_attention_sums_to_one_in_each_hop_group_and_fusion_over_hops(walk, hopfir):
    view = lifting_view(walk)
    wrist = JOINT_NAMES.index("left wrist")
    w = hop_attention(hopfir, view.keypoints_2d[10], view, wrist, layer=-1)
    hops = hop_matrix()[wrist]
    assert w.layer == 1 and w.hops.tolist() == list(range(1, hops.max() + 1))
    assert w.attention.shape == (2, hops.max(), NUM_JOINTS) and w.fusion.shape == (2, hops.max())
    for k in w.hops:
        inside = hops == k
        np.testing.assert_allclose(w.attention[:, k - 1, inside].sum(-1), 1.0, rtol=1e-5)
        assert np.all(w.attention[:, k - 1, ~inside] == 0)
    np.testing.assert_allclose(w.fusion.sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(w.effective.sum(-1), 1.0, rtol=1e-5)
    other = hop_attention(hopfir, view.keypoints_2d[40], view, wrist, layer=-1)
    assert not np.allclose(w.attention, other.attention)  # attention follows the pose
    np.testing.assert_allclose(w.fusion, other.fusion)  # fusion weights are learned constants


def test_gcn_weights_are_a_mean_over_bone_neighbors_that_never_pass_hop_1():
    torch.manual_seed(0)
    gcn = build_lifter(LifterConfig("gcn", hidden=8, layers=1))
    thorax = JOINT_NAMES.index("thorax")
    rows, titles = gcn_weights(gcn, thorax)
    assert rows.shape == (1 + len(gcn.convolutions()), NUM_JOINTS) and len(titles) == len(rows)
    np.testing.assert_allclose(rows.sum(1), 1.0, rtol=1e-5)
    assert np.all(rows[:, hop_matrix()[thorax] > 1] == 0)
    np.testing.assert_allclose(rows[0][rows[0] > 0], 1 / 5)  # thorax, spine, neck, both shoulders
