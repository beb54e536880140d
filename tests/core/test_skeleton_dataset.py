"""Virtual cameras (projection and its inverse, the issue's ranges) and the subject-split lifting sets."""

import numpy as np
import pytest

from nodescope.core.skeleton.camera import (
    AIM_SPAN,
    Camera,
    add_noise,
    back_project,
    look_at,
    project,
    random_camera,
)
from nodescope.core.skeleton.dataset import (
    Clip,
    build_lifting_set,
    clip_camera,
    split_subjects,
    subject_of,
    subject_split,
)
from nodescope.core.skeleton.synthetic import jump, walk


def test_projection_then_back_projection_at_known_depth_recovers_the_points():
    rng = np.random.default_rng(0)
    points = rng.uniform([-2, -2, 1], [2, 2, 8], (100, 3))
    pixels = project(points, 1200.0, np.array([640.0, 360.0]))
    np.testing.assert_allclose(
        back_project(pixels, points[:, 2], 1200.0, np.array([640.0, 360.0])), points, atol=1e-12
    )


def test_opencv_axes_x_right_y_down_z_forward():
    camera = Camera(
        look_at(np.array([0.0, 1.0, -4.0]), np.array([0.0, 1.0, 0.0])),
        np.array([0.0, 1.0, -4.0]),
        1000.0,
        1000,
        1000,
    )
    # Looking along world +Z with Y up: world -X is to the camera's right, world +Y is up.
    right, up = camera.to_camera([[-1.0, 1.0, 0.0]])[0], camera.to_camera([[0.0, 2.0, 0.0]])[0]
    assert right[0] > 0 and up[1] < 0 and right[2] == pytest.approx(4.0)
    u, v = camera.project(np.array([[-1.0, 1.0, 0.0], [0.0, 2.0, 0.0]])).T
    assert u[0] > 500 and v[1] < 500


def test_random_cameras_keep_the_issue_ranges():
    rng = np.random.default_rng(1)
    for _ in range(300):
        pelvis = rng.uniform([-3, 0.7, -3], [3, 1.0, 3])
        cam = random_camera(rng, pelvis)
        offset = (cam.center - pelvis)[[0, 2]]
        assert 3.0 <= np.linalg.norm(offset) <= 6.0 and 0.5 <= cam.center[1] <= 2.0
        assert 800 <= cam.focal <= 1500
        np.testing.assert_allclose(cam.rotation @ cam.rotation.T, np.eye(3), atol=1e-12)
        assert np.linalg.det(cam.rotation) == pytest.approx(1.0)
        u, v = cam.project(pelvis)
        assert abs(u - cam.width / 2) <= AIM_SPAN / 2 * cam.width + 1e-6
        assert abs(v - cam.height / 2) <= AIM_SPAN / 2 * cam.height + 1e-6
        assert cam.to_camera(pelvis)[2] > 2.5
        assert abs(cam.rotation[0, 1]) < 0.6  # the image x axis stays near level


def test_noise_has_the_asked_spread_and_zero_is_exact():
    rng = np.random.default_rng(2)
    pixels = np.zeros((20000, 17, 2))
    assert np.std(add_noise(pixels, 5.0, rng)) == pytest.approx(5.0, rel=0.02)
    assert (add_noise(pixels, 0.0, rng) == 0).all()


def test_a_clip_camera_keeps_a_walker_in_front():
    joints = walk()
    cam = clip_camera(joints, seed=4)
    assert cam.to_camera(joints)[..., 2].min() > 2.0


def _clips():
    return [
        Clip("01_01", "01", walk(), 30.0, "walk"),
        Clip("02_01", "02", jump(), 30.0, "jump"),
        Clip("03_01", "03", walk(seconds=1.0), 30.0),
    ]


def test_lifting_set_is_root_relative_in_the_camera_frame_and_reprojects():
    data = build_lifting_set(_clips(), cameras=2, seed=5)
    n = 2 * (66 + 61 + 30)
    assert len(data) == n and data.keypoints_2d.shape == (n, 17, 2) and data.joints_3d.shape == (n, 17, 3)
    assert (data.joints_3d[:, 0] == 0).all() and data.subjects == ["01", "02", "03"]
    # The pelvis' pixel and depth put the pelvis back; every joint then reprojects to its keypoint.
    pelvis = back_project(data.keypoints_2d[:, 0], data.root_depth, data.focal, data.image_size / 2)
    camera_frame = data.joints_3d + pelvis[:, None]
    pixels = project(camera_frame, data.focal[:, None], data.image_size[:, None] / 2)
    np.testing.assert_allclose(pixels, data.keypoints_2d, atol=2e-3)
    assert data.clip_names == ("01_01", "02_01", "03_01") and data.actions == ("walk", "jump", "")
    assert (data.frame[data.clip == 1] < 61).all()


def test_lifting_set_is_deterministic_by_seed_and_clip():
    a = build_lifting_set(_clips(), cameras=2, noise_px=5.0, seed=7)
    b = build_lifting_set(_clips()[1:], cameras=2, noise_px=5.0, seed=7)
    c = build_lifting_set(_clips(), cameras=2, noise_px=5.0, seed=8)
    # The same clip gets the same cameras and noise whatever else is built with it.
    np.testing.assert_array_equal(a.keypoints_2d[a.clip >= 1], b.keypoints_2d)
    assert not np.allclose(a.keypoints_2d, c.keypoints_2d)


def test_subject_split_puts_each_subject_in_one_split():
    subjects = ["02", "07", "08", "09", "12", "13", "60"]
    for seed in range(5):
        split = split_subjects(subjects + ["02"], seed=seed)
        assert sorted(sum(split.values(), [])) == subjects
        assert len(split["val"]) == 1 and len(split["test"]) == 2
    assert split_subjects(subjects, seed=1) == split_subjects(subjects, seed=1)
    assert subject_of("path/13_42.bvh") == "13"


def test_cmu_folder_splits_by_subject_never_by_frame(shared_data):
    folder = shared_data / "mocap"
    if not folder.is_dir():
        pytest.skip(f"no CMU clips at {folder}")
    sets = subject_split(folder, stride=40, cameras=1, seed=0)
    assert set(sets) == {"train", "val", "test"}
    seen = [set(s.subjects) for s in sets.values()]
    assert sum(len(s) for s in seen) == 7 and len(set.union(*seen)) == 7
    for s in sets.values():
        assert all(subject_of(name) in s.subjects for name in s.clip_names)
    train = sets["train"]
    assert np.isfinite(train.joints_3d).all() and all(train.actions)  # actions from the folder's README
    limbs = np.linalg.norm(train.joints_3d, axis=-1).max()
    assert 0.5 < limbs < 1.2  # root-relative, metres
    with pytest.raises(ValueError, match="subject 02 is in both"):
        subject_split(folder, splits={"train": ["02", "07"], "test": ["02"]})
