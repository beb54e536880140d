"""BVH parsing and forward kinematics, the 17-joint bone graph and its hops, the CMU clips."""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from nodescope.core.skeleton.bvh import parse_bvh
from nodescope.core.skeleton.joints import (
    BONES,
    JOINT_NAMES,
    bone_lengths,
    edge_index,
    hop_groups,
    hop_matrix,
)
from nodescope.core.skeleton.kinematics import bvh_positions, euler_rotation
from nodescope.core.skeleton.mapping import clip_joints, joint_map, normalize_name

J = {name: i for i, name in enumerate(JOINT_NAMES)}

TWO_BONES = """HIERARCHY
ROOT base
{
  OFFSET 0 0 0
  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
  JOINT elbow
  {
    OFFSET 0 10 0
    CHANNELS 3 Zrotation Xrotation Yrotation
    JOINT hand
    {
      OFFSET 0 5 0
      CHANNELS 3 Zrotation Xrotation Yrotation
      End Site
      {
        OFFSET 0 1 0
      }
    }
  }
}
MOTION
Frames: 2
Frame Time: 0.1
0 0 0 0 0 0 0 0 0 0 0 0
1 2 3 90 0 0 0 90 0 0 0 0
"""


def test_forward_kinematics_of_two_bones_by_hand():
    clip = parse_bvh(TWO_BONES)
    assert clip.names == ("base", "elbow", "hand") and clip.parents.tolist() == [-1, 0, 1]
    assert clip.frame_rate == pytest.approx(10.0) and clip.end_sites[2].tolist() == [0, 1, 0]
    pos = bvh_positions(clip)
    assert pos[0].tolist() == [[0, 0, 0], [0, 10, 0], [0, 15, 0]]
    # Frame 1: the root moves to (1, 2, 3) and turns 90° about Z, so the upper bone (0, 10, 0)
    # points along -X; the elbow turns 90° about X, so the lower bone (0, 5, 0) points along +Z.
    np.testing.assert_allclose(pos[1], [[1, 2, 3], [-9, 2, 3], [-9, 2, 8]], atol=1e-12)


@pytest.mark.parametrize("order", ["XYZ", "XZY", "YXZ", "YZX", "ZXY", "ZYX", "ZX", "Y"])
def test_channel_order_is_the_order_of_the_rotation_product(order):
    angles = np.random.default_rng(3).uniform(-180, 180, (5, len(order)))
    expected = Rotation.from_euler(order, angles, degrees=True).as_matrix()  # upper case: intrinsic
    np.testing.assert_allclose(euler_rotation(angles, order), expected, atol=1e-12)


@pytest.mark.parametrize(
    ("channels", "expected"), [("Xrotation Yrotation", [0, 0, 5]), ("Yrotation Xrotation", [5, 0, 0])]
)
def test_a_file_rotates_in_its_channel_order(channels, expected):
    text = TWO_BONES.replace(
        "CHANNELS 3 Zrotation Xrotation Yrotation\n    JOINT", f"CHANNELS 2 {channels}\n    JOINT"
    )
    text = text.replace("1 2 3 90 0 0 0 90 0 0 0 0", "0 0 0 0 0 0 90 90 0 0 0")
    text = text.replace("0 0 0 0 0 0 0 0 0 0 0 0", "0 0 0 0 0 0 0 0 0 0 0")
    pos = bvh_positions(parse_bvh(text))
    np.testing.assert_allclose(pos[1, 2] - pos[1, 1], expected, atol=1e-12)


def test_bone_graph_has_sixteen_bones_both_ways():
    ei = edge_index()
    assert ei.shape == (2, 32) and len(BONES) == 16
    assert {tuple(e) for e in ei.T.tolist()} == {(p, c) for p, c in BONES} | {(c, p) for p, c in BONES}


def test_hops_on_the_seventeen_joints():
    hops = hop_matrix()
    assert (hops == hops.T).all() and (np.diag(hops) == 0).all()
    assert hops[J["left wrist"], J["right wrist"]] == 6  # wrist, elbow, shoulder, thorax, ...
    assert hops[J["left wrist"], J["pelvis"]] == 5  # ..., thorax, spine, pelvis
    assert hops[J["head"], J["right ankle"]] == 7
    assert hops[J["left hip"], J["right hip"]] == 2
    groups = [g.tolist() for g in hop_groups(J["thorax"])]
    assert groups == [[7, 9, 11, 14], [0, 10, 12, 15], [1, 4, 13, 16], [2, 5], [3, 6]]


@pytest.mark.parametrize(
    ("name", "normalized"),
    [("mixamorig:LeftUpLeg", "leftupleg"), ("Bip01 R Thigh", "rthigh"), ("L_Shoulder", "lshoulder")],
)
def test_joint_names_are_compared_without_prefixes_case_or_separators(name, normalized):
    assert normalize_name(name) == normalized


def test_mixamo_names_map_the_upper_arm_not_the_collarbone_to_the_shoulder():
    names = ["Hips", "Spine", "Spine1", "Spine2", "Neck", "Head", "LeftShoulder", "LeftArm", "LeftForeArm"]
    names += ["LeftHand", "RightShoulder", "RightArm", "RightForeArm", "RightHand", "LeftUpLeg", "LeftLeg"]
    names += ["LeftFoot", "RightUpLeg", "RightLeg", "RightFoot"]
    index = joint_map([f"mixamorig:{n}" for n in names])
    got = {JOINT_NAMES[k]: names[i] for k, i in enumerate(index)}
    assert got["left shoulder"] == "LeftArm" and got["thorax"] == "Spine2" and got["spine"] == "Spine"
    assert got["right knee"] == "RightLeg" and got["pelvis"] == "Hips"


# ---------------------------------------------------------------- the CMU clips
@pytest.fixture(scope="module")
def mocap(shared_data):
    folder = shared_data / "mocap"
    if not folder.is_dir():
        pytest.skip(f"no CMU clips at {folder}")
    return folder


def test_cmu_clip_gives_seventeen_joints_in_metres_with_the_t_pose_dropped(mocap):
    clip = parse_bvh((mocap / "02_01.bvh").read_text(), "02_01.bvh")
    assert clip.num_frames == 344 and len(clip.names) == 43 and clip.motion.shape[1] == 132
    joints, notices = clip_joints(clip, "02_01.bvh")
    kept, _ = clip_joints(clip, "02_01.bvh", drop_rest=False)
    assert joints.shape == (343, 17, 3) and kept.shape == (344, 17, 3)
    np.testing.assert_array_equal(joints, kept[1:])
    assert notices == [
        "Units read as cm (the rest-pose leg is 0.82 m).",
        "Dropped frame 0: a rest pose (T-pose) the converter added before the motion.",
    ]
    # The README's figures, in metres: in the T-pose the head is 1.411 above the ankles.
    assert kept[0, J["head"], 1] - kept[0, J["left ankle"], 1] == pytest.approx(1.411, abs=1e-3)
    lengths = bone_lengths(joints)
    assert np.ptp(lengths, axis=0).max() < 1e-9  # rigid bones
    bone = {JOINT_NAMES[c]: lengths[0, k] for k, (_, c) in enumerate(BONES)}
    assert bone["right knee"] == pytest.approx(0.368, abs=1e-3)  # thigh
    assert bone["right ankle"] == pytest.approx(0.454, abs=1e-3)  # shank
    assert bone["left elbow"] == pytest.approx(0.282, abs=1e-3)  # upper arm
    assert bone["left wrist"] == pytest.approx(0.237, abs=1e-3)  # forearm


def test_every_cmu_clip_maps_with_a_plausible_pelvis_height(mocap):
    paths = sorted(mocap.glob("*.bvh"))
    assert len(paths) == 21
    for path in paths:
        clip = parse_bvh(path.read_text(), path.name)
        joints, notices = clip_joints(clip, path.name)
        assert joints.shape == (clip.num_frames - 1, 17, 3), path.name
        assert any("Dropped frame 0" in n for n in notices), path.name
        pelvis = np.median(joints[:, J["pelvis"], 1])
        assert 0.6 < pelvis < 1.0, (path.name, pelvis)  # 08_07 sits ~0.2 m low (README)
        assert np.abs(joints[:, J["pelvis"]] - joints[:, J["left hip"]]).max() < 0.15
