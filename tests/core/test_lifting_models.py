"""Lifting models (core/models/lifting): shapes, hop groups, normalization invariances, checkpoints."""

import numpy as np
import pytest
import torch

from nodescope.core import checkpoint
from nodescope.core.errors import LoadError
from nodescope.core.models.lifting import (
    DEFAULT_CONFIGS,
    LIFTERS,
    LIMBS,
    HopFIRLifter,
    LifterConfig,
    SemGCNLifter,
    build_lifter,
    hop_masks,
    limb_mask,
    load_lifter,
    normalize_keypoints,
    save_lifter,
)
from nodescope.core.skeleton.camera import Camera, look_at, project
from nodescope.core.skeleton.joints import JOINT_NAMES, NUM_JOINTS, hop_groups, hop_matrix, root_relative
from nodescope.core.skeleton.synthetic import walk

TINY = {
    "mlp": LifterConfig("mlp", hidden=32, layers=1),
    "gcn": LifterConfig("gcn", hidden=16, layers=2),
    "hopfir": LifterConfig("hopfir", hidden=16, layers=2, heads=2),
}


def poses(n=6, seed=0):
    """(n, 17, 3) camera-frame walk poses 4 m in front of a camera, and their pixels (f 1000, 1280x720)."""
    joints = walk()[:: max(1, 66 // n)][:n]
    camera = Camera(
        look_at(np.array([3.0, 1.2, 2.0]), joints[0, 0]), np.array([3.0, 1.2, 2.0]), 1000.0, 1280, 720
    )
    cam = camera.to_camera(joints)
    return cam, camera.project(joints)


def run(model, pixels, focal, size):
    n = len(pixels)
    with torch.no_grad():
        return model(
            torch.as_tensor(pixels, dtype=torch.float32),
            torch.full((n,), float(focal)),
            torch.tensor([size], dtype=torch.float32).expand(n, 2),
        ).numpy()


@pytest.fixture(params=list(LIFTERS))
def model(request):
    torch.manual_seed(0)
    return build_lifter(TINY[request.param]).eval()


def test_every_model_maps_pixels_to_root_relative_camera_joints(model):
    _, pixels = poses()
    out = run(model, pixels, 1000.0, (1280, 720))
    assert out.shape == (6, NUM_JOINTS, 3) and np.isfinite(out).all()
    np.testing.assert_allclose(out[:, 0], 0.0, atol=1e-6)  # the pelvis at the origin
    assert model.num_parameters() > 0


def test_shipped_configs_are_of_comparable_size():
    sizes = {k: build_lifter(c).num_parameters() for k, c in DEFAULT_CONFIGS.items()}
    assert max(sizes.values()) < 1.3 * min(sizes.values()), sizes


def test_hop_groups_of_hopfir_are_those_of_the_bone_graph():
    masks = hop_masks().numpy()
    assert masks.shape == (hop_matrix().max(), NUM_JOINTS, NUM_JOINTS)
    for joint in range(NUM_JOINTS):
        groups = hop_groups(joint)
        for k in range(masks.shape[0]):
            expected = groups[k].tolist() if k < len(groups) else []
            assert np.flatnonzero(masks[k, joint]).tolist() == expected
    layer = HopFIRLifter(TINY["hopfir"]).layers[0].hop
    off = ~np.eye(NUM_JOINTS, dtype=bool)
    assert (layer.group.numpy()[off] + 1 == hop_matrix()[off]).all()


def test_limbs_cover_every_joint_once_and_the_limb_mask_pairs_arm_with_opposite_leg():
    assert sorted(j for joints in LIMBS.values() for j in joints) == list(range(NUM_JOINTS))
    mask = limb_mask().numpy()
    left_wrist, right_ankle, left_ankle = (
        JOINT_NAMES.index(n) for n in ("left wrist", "right ankle", "left ankle")
    )
    assert mask[left_wrist, right_ankle] and not mask[left_wrist, left_ankle]
    assert mask.diagonal().all()


def test_hopfir_attention_is_a_softmax_per_hop_group_fused_by_weights_summing_to_one():
    torch.manual_seed(1)
    model = HopFIRLifter(TINY["hopfir"]).eval()
    with torch.no_grad():  # non-trivial fusion weights
        for layer in model.layers:
            layer.hop.fusion_logits.normal_()
    _, pixels = poses(3)
    maps = model.attention(
        torch.as_tensor(pixels, dtype=torch.float32),
        torch.full((3,), 1000.0),
        torch.tensor([[1280.0, 720.0]] * 3),
    )
    assert len(maps) == 2
    masks = hop_masks().numpy()
    for m in maps:
        assert m.hop.shape == (3, 2, masks.shape[0], NUM_JOINTS, NUM_JOINTS)
        sums = m.hop.sum(-1)  # (B, H, K, 17)
        nonempty = masks.any(-1)  # (K, 17)
        np.testing.assert_allclose(sums[:, :, nonempty], 1.0, atol=1e-5)
        np.testing.assert_allclose(sums[:, :, ~nonempty], 0.0, atol=1e-7)
        assert (m.hop[:, :, ~masks] == 0).all()
        np.testing.assert_allclose(m.fusion.sum(-1), 1.0, atol=1e-5)
        assert (m.fusion[:, ~nonempty.T] == 0).all()
        np.testing.assert_allclose(m.effective().sum(-1), 1.0, atol=1e-5)
        np.testing.assert_allclose(m.limb.sum(-1), 1.0, atol=1e-5)
        assert (m.limb[:, :, ~limb_mask().numpy()] == 0).all()


def test_gcn_exposes_its_fixed_and_learned_adjacency():
    model = SemGCNLifter(TINY["gcn"])
    weights = model.adjacency_weights()
    fixed, learned = weights["fixed"], weights["learned"]
    bones = (hop_matrix() <= 1).astype(float)
    np.testing.assert_allclose(fixed, bones / bones.sum(1, keepdims=True))
    assert learned.shape == (2 * 2 + 2, NUM_JOINTS, NUM_JOINTS)  # input, 2 blocks of 2, output
    np.testing.assert_allclose(
        learned, np.broadcast_to(fixed, learned.shape), atol=1e-6
    )  # logits start equal


def test_normalized_input_ignores_focal_length_image_size_and_distance_scale():
    cam, _ = poses()
    a = project(cam, 1000.0, np.array([640.0, 360.0]))
    b = project(cam, 1450.0, np.array([960.0, 540.0]))
    xa, ra = normalize_keypoints(
        torch.as_tensor(a), torch.full((6,), 1000.0), torch.tensor([[1280.0, 720.0]] * 6)
    )
    xb, rb = normalize_keypoints(
        torch.as_tensor(b), torch.full((6,), 1450.0), torch.tensor([[1920.0, 1080.0]] * 6)
    )
    torch.testing.assert_close(xa, xb)
    torch.testing.assert_close(ra, rb)
    np.testing.assert_allclose(xa.pow(2).sum(-1).mean(-1).numpy(), 1.0, atol=1e-9)  # unit RMS
    np.testing.assert_allclose(xa[:, 0].numpy(), 0.0, atol=1e-12)  # the pelvis at the centre


def test_moving_the_person_across_the_image_turns_the_prediction_by_the_same_pan(model):
    """A camera pan about its y axis moves the person horizontally in the image; the prediction
    in the panned camera is the old prediction turned by the pan, exactly (not just close)."""
    cam, _ = poses()
    angle = np.radians(17.0)
    pan = np.array([[np.cos(angle), 0, np.sin(angle)], [0, 1, 0], [-np.sin(angle), 0, np.cos(angle)]])
    principal = np.array([640.0, 360.0])
    before = run(model, project(cam, 1000.0, principal), 1000.0, (1280, 720))
    moved = project(cam @ pan.T, 1000.0, principal)
    assert np.abs(moved[:, 0, 0] - project(cam, 1000.0, principal)[:, 0, 0]).min() > 200  # far across
    after = run(model, moved, 1000.0, (1280, 720))
    np.testing.assert_allclose(after, before @ pan.T, atol=2e-5)


def test_checkpoint_round_trip_and_refusals(tmp_path, monkeypatch):
    torch.manual_seed(0)
    model = build_lifter(TINY["hopfir"]).eval()
    save_lifter(model, tmp_path / "hopfir", {"seed": 0})
    again, record = load_lifter(tmp_path / "hopfir")
    _, pixels = poses(2)
    np.testing.assert_allclose(
        run(again, pixels, 1000.0, (1280, 720)), run(model, pixels, 1000.0, (1280, 720))
    )
    assert record["config"]["model"] == "hopfir" and record["format"] == "nodescope-lifter"
    (tmp_path / "other.json").write_text('{"format": "nodescope-checkpoint"}')
    with pytest.raises(LoadError, match="not a Nodescope lifting model"):
        load_lifter(tmp_path / "other")
    # lifters shipped in assets/models/skeleton are not listed as node classifiers
    monkeypatch.setattr(checkpoint, "SHIPPED_DIR", tmp_path / "assets")
    save_lifter(model, tmp_path / "assets" / "skeleton" / "hopfir", {})
    assert checkpoint.shipped_checkpoints() == []


def test_root_relative_targets_match_what_the_models_predict():
    cam, _ = poses()
    assert np.allclose(root_relative(cam)[:, 0], 0.0)
