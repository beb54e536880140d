"""Skeleton loaders: BVH and NPZ/NPY keypoints through load(), the built-ins, bad input in one line."""

import numpy as np
import pytest

from nodescope.core.errors import LoadError
from nodescope.core.loaders import BUILTINS, load
from nodescope.core.loaders.skeleton import MAX_GAP
from nodescope.core.skeleton.joints import JOINT_NAMES, PARENTS
from nodescope.core.skeleton.synthetic import REST_OFFSETS

#: CMU (DAZ release) names of the 17 joints, in Human3.6M order.
CMU = ["hip", "rThigh", "rShin", "rFoot", "lThigh", "lShin", "lFoot", "abdomen", "chest", "neck", "head"]
CMU += ["lShldr", "lForeArm", "lHand", "rShldr", "rForeArm", "rHand"]


def bvh_text(names=CMU, frames=3, rows=None, scale=100.0):
    """A BVH of the 17-joint tree (rest offsets in centimetres), ``frames`` rows of small rotations."""
    children = {i: [c for c, p in enumerate(PARENTS) if p == i] for i in range(17)}
    lines = ["HIERARCHY"]

    def block(i, depth):
        pad = "  " * depth
        lines.append(f"{pad}{'ROOT' if i == 0 else 'JOINT'} {names[i]}")
        lines.append(pad + "{")
        x, y, z = REST_OFFSETS[i] * scale
        lines.append(f"{pad}  OFFSET {x:g} {y:g} {z:g}")
        chans = (
            "6 Xposition Yposition Zposition Zrotation Yrotation Xrotation"
            if i == 0
            else "3 Zrotation Xrotation Yrotation"
        )
        lines.append(f"{pad}  CHANNELS {chans}")
        for c in children[i]:
            block(c, depth + 1)
        if not children[i]:
            lines.extend([f"{pad}  End Site", pad + "  {", f"{pad}    OFFSET 0 -5 0", pad + "  }"])
        lines.append(pad + "}")

    block(0, 0)
    rng = np.random.default_rng(0)
    rows = (
        rows
        if rows is not None
        else [" ".join(f"{v:.3f}" for v in rng.uniform(-5, 5, 54)) for _ in range(frames)]
    )
    lines.extend(["MOTION", f"Frames: {frames}", "Frame Time: 0.0333333", *rows])
    return "\n".join(lines) + "\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


# ---------------------------------------------------------------- BVH
def test_bvh_with_cmu_names_loads_as_a_skeleton(tmp_path):
    s = load(write(tmp_path, "clip.bvh", bvh_text()))
    assert s.kind == "skeleton" and s.num_nodes == 17 and s.num_edges == 16
    assert s.node_names == list(JOINT_NAMES) and s.frame_rate == pytest.approx(30.0, rel=1e-5)
    assert s.frames_3d.shape == (3, 17, 3) and s.frames_2d is None and s.num_frames == 3
    assert s.data.joints_3d.shape == (17, 3, 3)  # node-first on the Data
    np.testing.assert_allclose(s.data.pos.numpy(), s.frames_3d[0])
    assert s.notices == ["Units read as cm (the rest-pose leg is 0.86 m)."]  # no T-pose: nothing dropped
    assert s.units["joints_3d"] == "m (world, Y up)"
    assert 0.8 < s.frames_3d[0, 0, 1] < 1.0  # the pelvis, metres


def test_bvh_with_mixamo_names_and_metres_loads(tmp_path):
    names = [
        "Hips",
        "RightUpLeg",
        "RightLeg",
        "RightFoot",
        "LeftUpLeg",
        "LeftLeg",
        "LeftFoot",
        "Spine",
        "Spine2",
    ]
    names += ["Neck", "Head", "LeftArm", "LeftForeArm", "LeftHand", "RightArm", "RightForeArm", "RightHand"]
    s = load(write(tmp_path, "m.bvh", bvh_text([f"mixamorig:{n}" for n in names], scale=1.0)))
    assert s.notices == ["Units read as m (the rest-pose leg is 0.86 m)."]
    cm = load(write(tmp_path, "c.bvh", bvh_text()))
    # Same rotations, same bones: the same pose (the root's position channels are file units).
    np.testing.assert_allclose(
        s.frames_3d - s.frames_3d[:, :1], cm.frames_3d - cm.frames_3d[:, :1], atol=1e-5
    )


def test_an_added_t_pose_frame_is_dropped_with_a_notice(tmp_path):
    rows = [
        "0 90 0 0 0 0 " + " ".join(["0 0 0"] * 11 + ["0 90 0"] + ["0 0 0"] * 2 + ["0 -90 0"] + ["0 0 0"] * 1)
    ]
    rows += ["0 90 0 " + " ".join(["1 2 3"] * 17)] * 2
    s = load(write(tmp_path, "t.bvh", bvh_text(frames=3, rows=rows)))
    assert s.num_frames == 2 and any("Dropped frame 0" in n for n in s.notices)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("JOINT rShin\n    {", "JOINT rShin\n", 1),
            r"clip\.bvh, line 12: expected '\{', found 'OFFSET'",
        ),
        (
            lambda t: t.replace(
                "CHANNELS 3 Zrotation Xrotation Yrotation", "CHANNELS 3 Zrotation Xrotation Wrotation", 1
            ),
            r"line 9: unknown channel 'Wrotation' of joint 'rThigh'",
        ),
        (
            lambda t: t.replace("OFFSET 0 -43 0", "OFFSET 0 -43", 1),
            r"line 13: expected an OFFSET z, found 'CHANNELS'",
        ),
        (lambda t: t.replace("HIERARCHY", "HIERARCY"), r"line 1: expected 'HIERARCHY'"),
        (lambda t: t.rsplit("}", 1)[0] + "}\n}\n" + t.rsplit("}", 1)[1], r"unexpected '\}' after the ROOT"),
        (
            lambda t: t.replace("Frames: 3", "Frames: 4"),
            "the header says Frames: 4 but 3 rows of motion follow",
        ),
        (
            lambda t: t.rsplit(" ", 1)[0] + "\n",
            r"line \d+ \(frame 2\): 53 values but the hierarchy has 54 channels",
        ),
        (
            lambda t: t.replace("Frame Time: 0.0333333", "Frame Time: soon"),
            "'Frame Time:' needs a positive number",
        ),
        (lambda t: t.split("MOTION")[0], "has no MOTION section"),
        (lambda t: t.rsplit(" ", 1)[0] + " nan\n", r"line \d+ \(frame 2\): NaN or infinite"),
        (lambda t: t.rsplit(" ", 1)[0] + " 1.2.3\n", r"line \d+: '1\.2\.3' is not a number"),
        (lambda t: "   \n\n", "is empty"),
        (
            lambda t: t.replace("lShin", "lCalfBone").replace("rHand", "rPalm"),
            r"lacks joints for 2 of the 17 skeleton joints: left knee \(lshin/leftleg/leftknee\), right wrist",
        ),
    ],
    ids=[
        "no-brace",
        "channel",
        "offset",
        "header",
        "extra-brace",
        "frames",
        "row-length",
        "frame-time",
        "no-motion",
        "nan",
        "non-number",
        "blank",
        "missing-joints",
    ],
)
def test_bad_bvh_is_refused_with_one_line(tmp_path, edit, message):
    with pytest.raises(LoadError, match=message) as err:
        load(write(tmp_path, "clip.bvh", edit(bvh_text())))
    assert "\n" not in str(err.value)


def test_an_empty_bvh_file_is_refused(tmp_path):
    with pytest.raises(LoadError, match="clip.bvh is empty"):
        load(write(tmp_path, "clip.bvh", ""))


# ---------------------------------------------------------------- keypoint files
def test_npy_keypoints_load_as_two_dimensional_frames(tmp_path):
    kp = np.random.default_rng(0).uniform(0, 1000, (8, 17, 2))
    np.save(tmp_path / "kp.npy", kp)
    s = load(tmp_path / "kp.npy")
    assert s.frames_2d.shape == (8, 17, 2) and s.frames_3d is None and s.feature_names == ["u", "v"]
    np.testing.assert_allclose(s.frames_2d, kp, rtol=1e-6)
    np.save(tmp_path / "one.npy", kp[0])  # (17, 2): one frame
    assert load(tmp_path / "one.npy").num_frames == 1


def test_npz_with_what_lift_writes(tmp_path):
    rng = np.random.default_rng(1)
    gt, pred, kp = rng.normal(size=(5, 17, 3)), rng.normal(size=(5, 17, 3)), rng.uniform(0, 900, (5, 17, 2))
    np.savez(
        tmp_path / "x.npz", gt3d=gt, pred3d=pred, kp2d=kp, focal=1100.0, image_size=[1280, 720], frame_rate=50
    )
    s = load(tmp_path / "x.npz")
    np.testing.assert_allclose(s.frames_3d, gt, rtol=1e-6)
    assert s.camera == {"focal": 1100.0, "width": 1280.0, "height": 720.0} and s.frame_rate == 50.0
    assert s.notices == ["Read 'gt3d' as the 3D joints; 'pred3d' (a model's prediction) was left out."]


def test_short_nan_gaps_are_interpolated_with_a_notice(tmp_path):
    kp = np.tile(np.arange(10.0)[:, None, None], (1, 17, 2))  # every coordinate = the frame index
    kp[3:5, 13] = np.nan  # the left wrist missing in frames 3-4
    kp[0, 2, 1] = np.nan  # one coordinate of the right knee in frame 0
    np.save(tmp_path / "kp.npy", kp)
    s = load(tmp_path / "kp.npy")
    np.testing.assert_allclose(s.frames_2d[:, 13, 0], np.arange(10.0))
    assert s.frames_2d[0, 2].tolist() == [1.0, 1.0]  # a gap at the start repeats the nearest frame
    assert s.notices == [
        f"Filled 3 missing (NaN) joint position(s) in the array (2 joint(s)) by linear interpolation between "
        f"the neighboring frames (gaps of at most {MAX_GAP} frames; a gap at the start or end repeats the "
        "nearest frame)."
    ]


def _long_gap():
    kp = np.zeros((20, 17, 2))
    kp[2 : 3 + MAX_GAP, 16] = np.nan
    return kp


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.zeros((4, 16, 2)), r"the array is \(4, 16, 2\); expected \(frames, 17, 2\) pixel keypoints"),
        (
            np.zeros((4, 17, 4)),
            r"expected \(frames, 17, 3\) 3D joints in metres, the 17 joints in Human3.6M order",
        ),
        (
            _long_gap(),
            rf"right wrist missing \(NaN\) in {MAX_GAP + 1} frames in a row \(frames 2-{2 + MAX_GAP}\)",
        ),
        (np.full((3, 17, 2), np.inf), r"infinite value \(pelvis, frame 0\)"),
        (np.full((1, 17, 2), np.nan), "missing"),
        (np.array([["a"] * 2] * 17), "holds <U1 values"),
    ],
    ids=["16-joints", "4-d", "long-gap", "inf", "all-nan", "strings"],
)
def test_bad_keypoints_are_refused_with_one_line(tmp_path, array, message):
    np.save(tmp_path / "kp.npy", array)
    with pytest.raises(LoadError, match=message):
        load(tmp_path / "kp.npy")


def test_npz_surprises_are_refused(tmp_path):
    np.savez(tmp_path / "a.npz", values=np.zeros((5, 3)), other=np.zeros(3))
    with pytest.raises(LoadError, match="put \\(frames, 17, 2\\) pixel keypoints under 'keypoints_2d'"):
        load(tmp_path / "a.npz")
    np.savez(tmp_path / "b.npz", kp2d=np.zeros((5, 17, 2)), joints_3d=np.zeros((4, 17, 3)))
    with pytest.raises(LoadError, match="5 frames of 2D keypoints but 4 of 3D joints"):
        load(tmp_path / "b.npz")
    np.savez(tmp_path / "c.npz", kp2d=np.zeros((5, 17, 2), dtype=object))
    with pytest.raises(LoadError, match="Python objects"):
        load(tmp_path / "c.npz")
    np.savez(tmp_path / "d.npz", kp2d=np.zeros((5, 17, 2)), focal=-3.0)
    with pytest.raises(LoadError, match="'focal' must be one positive number"):
        load(tmp_path / "d.npz")


# ---------------------------------------------------------------- built-ins
@pytest.mark.parametrize("key", ["skeleton-walk", "skeleton-jump"])
def test_procedural_built_ins_load_offline_with_a_2d_view(key):
    assert BUILTINS[key].kind == "skeleton"
    s = load(key)
    frames = s.num_frames
    assert s.frames_3d.shape == (frames, 17, 3) and s.frames_2d.shape == (frames, 17, 2) and frames > 50
    width, height = s.camera["width"], s.camera["height"]
    assert ((s.frames_2d >= 0) & (s.frames_2d <= (width, height))).all()  # the whole motion in view
    assert 800 <= s.camera["focal"] <= 1500 and s.frame_rate == 30.0
    ankles = s.frames_3d[:, [3, 6], 1].min(1)
    assert ankles.min() == pytest.approx(0.07, abs=1e-6)  # standing on the floor


def test_jump_leaves_the_floor_and_walk_moves_forward():
    jump, walk = load("skeleton-jump").frames_3d, load("skeleton-walk").frames_3d
    assert jump[:, [3, 6], 1].min(1).max() > 0.15  # both feet up in flight
    assert walk[-1, 0, 2] - walk[0, 0, 2] > 2.0
