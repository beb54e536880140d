"""``nodescope lift`` on a .npz: keypoints under ``kp2d`` (or the only array), the camera read from it."""

import numpy as np
import pytest

from nodescope.cli.main import main
from nodescope.core.skeleton.dataset import clip_camera
from nodescope.core.skeleton.synthetic import walk


@pytest.fixture(scope="module")
def view():
    joints = walk()[::6]
    camera = clip_camera(joints, 3)
    return camera, camera.project(joints)


def _lift(path, out, *extra):
    return main(["lift", str(path), *extra, "--model", "mlp", "--out", str(out)])


def test_a_npz_with_its_camera_lifts_like_the_npy_with_options(tmp_path, view):
    camera, pixels = view
    size = np.array([camera.width, camera.height])
    np.savez(
        tmp_path / "clip.npz",
        kp2d=pixels,
        focal=camera.focal,
        image_size=size,
        gt3d=np.zeros((len(pixels), 17, 3)),
    )
    np.save(tmp_path / "kp.npy", pixels)
    assert _lift(tmp_path / "clip.npz", tmp_path / "a.npy") == 0
    options = ["--focal", str(camera.focal), "--size", str(camera.width), str(camera.height)]
    assert _lift(tmp_path / "kp.npy", tmp_path / "b.npy", *options) == 0
    a, b = np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy")
    assert a.shape == (len(pixels), 17, 3)
    np.testing.assert_allclose(a, b)


def test_the_only_array_of_a_npz_is_the_keypoints_and_options_give_the_camera(tmp_path, view):
    camera, pixels = view
    np.savez(tmp_path / "one.npz", pixels)
    options = ["--focal", str(camera.focal), "--size", str(camera.width), str(camera.height)]
    assert _lift(tmp_path / "one.npz", tmp_path / "c.npy", *options) == 0
    assert np.load(tmp_path / "c.npy").shape == (len(pixels), 17, 3)


def test_a_npz_without_named_keypoints_or_camera_exits_2_with_one_line(tmp_path, capsys, view):
    _, pixels = view
    np.savez(tmp_path / "two.npz", a=pixels, b=pixels)
    assert _lift(tmp_path / "two.npz", tmp_path / "o.npy") == 2
    err = capsys.readouterr().err
    assert "'keypoints_2d'" in err and err.count("\n") == 1
    np.savez(tmp_path / "bare.npz", kp2d=pixels)
    assert _lift(tmp_path / "bare.npz", tmp_path / "o.npy") == 2
    err = capsys.readouterr().err
    assert "needs --focal" in err and err.count("\n") == 1
