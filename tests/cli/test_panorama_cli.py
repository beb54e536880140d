"""``nodescope panorama``: the files per image, their shapes, dtypes and ids, the folder layout, exit 2 cases."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from nodescope.cli.main import main
from nodescope.core.geometry.sphere import latlon_to_xyz, pixel_to_latlon
from nodescope.core.models.panorama.files import FILE_NAMES
from nodescope.core.panorama.classes import CLASS_NAMES
from nodescope.core.panorama.render import render_panorama
from nodescope.core.panorama.scene import sample_scene

H, W = 128, 256  # small inputs: the files come out at the input's resolution


@pytest.fixture(scope="module")
def room_png(tmp_path_factory) -> str:
    torch.set_num_threads(1)
    rgb = render_panorama(sample_scene(1, "test"), W, H).rgb
    path = tmp_path_factory.mktemp("in") / "room.png"
    Image.fromarray((np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)).save(path)
    return str(path)


@pytest.fixture(scope="module")
def one(room_png, tmp_path_factory):
    out = tmp_path_factory.mktemp("one")
    assert main(["panorama", room_png, "--out", str(out)]) == 0
    return out


def test_one_image_writes_every_file_straight_into_the_folder(one):
    assert sorted(p.name for p in one.iterdir()) == sorted(FILE_NAMES)


def test_depths_are_float32_metres_and_the_png_holds_millimetres(one):
    depth = np.load(one / "depth.npy")
    assert depth.shape == (H, W) and depth.dtype == np.float32
    assert np.isfinite(depth).all() and (depth > 0.1).all() and (depth < 30).all()
    png = Image.open(one / "depth.png")
    assert png.mode.startswith("I;16") or png.mode == "I"
    mm = np.asarray(png).astype(np.int64)
    assert mm.shape == (H, W)
    assert np.abs(mm - np.rint(depth * 1000)).max() <= 1
    layout_depth = np.load(one / "layout_depth.npy")
    assert layout_depth.shape == (H, W) and layout_depth.dtype == np.float32 and (layout_depth > 0).all()


def test_class_and_layout_ids_and_their_names(one):
    names = json.loads((one / "classes.json").read_text())
    assert names["class"] == {str(i): n for i, n in enumerate(CLASS_NAMES)}
    assert names["layout"] == {"0": "floor", "1": "wall", "2": "ceiling"}
    assert names["camera_height_m"] == 1.5 and names["scale"] > 0
    classes = np.asarray(Image.open(one / "class.png"))
    layout = np.asarray(Image.open(one / "layout.png"))
    assert classes.shape == layout.shape == (H, W) and classes.dtype == layout.dtype == np.uint8
    assert classes.max() < len(CLASS_NAMES) and set(np.unique(layout)) <= {0, 1, 2}
    # the layout is floor at the bottom row and ceiling at the top row of a room
    assert (layout[-1] == 0).mean() > 0.9 and (layout[0] == 2).mean() > 0.9


def test_normals_are_unit_vectors_in_the_sphere_convention(one):
    normals = np.load(one / "normals.npy")
    assert normals.shape == (H, W, 3) and normals.dtype == np.float32
    assert np.allclose(np.linalg.norm(normals, axis=-1), 1, atol=1e-4)
    # the floor (bottom rows) faces up (+z), the ceiling (top rows) down
    assert normals[-3:, :, 2].mean() > 0.8 and normals[:3, :, 2].mean() < -0.8


def test_the_point_cloud_is_a_binary_ply_of_every_pixel_at_its_depth(one):
    blob = (one / "points.ply").read_bytes()
    end = blob.index(b"end_header\n") + len(b"end_header\n")
    header = blob[:end].decode("ascii").splitlines()
    assert header[:2] == ["ply", "format binary_little_endian 1.0"]
    assert f"element vertex {H * W}" in header
    assert [h for h in header if h.startswith("property")] == [
        "property float x", "property float y", "property float z",
        "property uchar red", "property uchar green", "property uchar blue",
    ]  # fmt: skip
    record = np.dtype([("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("r", "u1"), ("g", "u1"), ("b", "u1")])
    body = np.frombuffer(blob[end:], dtype=record)
    assert len(body) == H * W
    xyz = np.stack([body["x"], body["y"], body["z"]], axis=1)
    depth = np.load(one / "depth.npy").reshape(-1)
    assert np.allclose(np.linalg.norm(xyz, axis=1), depth, rtol=1e-4)
    lat, lon = pixel_to_latlon(np.arange(W)[None, :], np.arange(H)[:, None], W, H)
    assert np.allclose(xyz / depth[:, None], latlon_to_xyz(lat, lon), atol=1e-4)


def test_the_camera_height_sets_the_scale(one, room_png, tmp_path):
    assert main(["panorama", room_png, "--out", str(tmp_path), "--camera-height", "3"]) == 0
    ratio = np.load(tmp_path / "depth.npy") / np.load(one / "depth.npy")
    assert np.allclose(ratio, 2.0, rtol=1e-4)


def test_several_images_go_to_a_folder_each_and_the_bad_ones_are_named(room_png, tmp_path, capsys):
    wide = tmp_path / "wide.png"
    Image.new("RGB", (300, 100)).save(wide)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    huge = tmp_path / "huge.png"
    Image.new("1", (10000, 5000)).save(huge)  # small on disk, too many pixels
    out = tmp_path / "out"
    code = main(["panorama", room_png, str(wide), str(broken), str(huge), room_png, "--out", str(out)])
    assert code == 2
    assert sorted(p.name for p in out.iterdir()) == ["room", "room-2"]
    assert sorted(p.name for p in (out / "room-2").iterdir()) == sorted(FILE_NAMES)
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.startswith("nodescope:")]
    assert any("wide.png" in line and "twice the height" in line for line in lines)
    assert any("broken.jpg" in line for line in lines)
    assert any("huge.png" in line and "8192x4096" in line for line in lines)
    assert lines[-1] == "nodescope: 3 of 5 images failed: wide.png, broken.jpg, huge.png"
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert [w["out"] for w in summary["written"]] == [str(out / "room"), str(out / "room-2")]
    assert len(summary["failed"]) == 3


def test_one_bad_image_exits_2_with_one_line(tmp_path, capsys):
    wide = tmp_path / "wide.png"
    Image.new("RGB", (300, 100)).save(wide)
    assert main(["panorama", str(wide), "--out", str(tmp_path / "out")]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("nodescope:")]
    assert (
        len(err) == 2 and "twice the height" in err[0] and err[1].endswith("1 of 1 images failed: wide.png")
    )


@pytest.mark.parametrize(
    ("option", "value"), [("--camera-height", "-1"), ("--camera-height", "nan"), ("--threads", "0")]
)
def test_a_bad_option_is_one_line(room_png, tmp_path, capsys, option, value):
    assert main(["panorama", room_png, "--out", str(tmp_path), option, value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and option in err[0]
    assert not any(tmp_path.iterdir())


def test_help_says_the_default_camera_height(capsys):
    with pytest.raises(SystemExit):
        main(["panorama", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "default 1.5 m" in text and "predicted floor" in text
