"""Panoramas: the procedural room, equirectangular images -> icosphere graphs, and bad files."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nodescope.core.errors import LoadError
from nodescope.core.geometry.sphere import latlon_to_xyz
from nodescope.core.loaders.panorama import (
    BUILTINS,
    READERS,
    load_earth,
    panorama_to_sample,
    read_panorama,
    sample_bilinear,
    with_level,
)
from nodescope.core.loaders.room import CEILING, FLOOR, OBJECT, ROOM, WALL, RoomRender, render_room

ROOM_DIAGONAL = float(np.linalg.norm(ROOM))

# demo_equirec.png paints py360convert's cube faces in solid colors (with white text labels).
REFERENCE = {
    "red": (252, 1, 7),
    "green": (113, 245, 22),
    "yellow": (255, 255, 10),
    "blue": (27, 42, 250),
    "magenta": (220, 59, 254),
    "cyan": (33, 255, 255),
    "white": (255, 255, 255),
}


@pytest.fixture(scope="module")
def room() -> RoomRender:
    return render_room(1024, 512, seed=0)


def _png(path: Path, array: np.ndarray, mode: str | None = None) -> Path:
    Image.fromarray(array, mode).save(path) if mode else Image.fromarray(array).save(path)
    return path


# ---------------------------------------------------------------- orientation


@pytest.mark.parametrize(
    ("axis", "color"),
    [
        ((1, 0, 0), "red"),  # image center, py360convert's +Z
        ((0, 1, 0), "green"),  # lon +90, py360convert's +X
        ((0, -1, 0), "yellow"),  # lon -90, py360convert's -X
        ((-1, 0, 0), "blue"),  # the image's left/right edges, py360convert's -Z
        ((0, 0, 1), "magenta"),  # top
        ((0, 0, -1), "cyan"),  # bottom
    ],
)
def test_orientation_matches_py360convert_cube_faces(
    shared_data: Path, axis: tuple[int, int, int], color: str
) -> None:
    sample = with_level(read_panorama(shared_data / "panorama" / "demo_equirec.png", []), 4)
    assert sample.num_nodes == 2562
    pos = sample.data.pos.numpy()
    rgb = sample.data.x[:, :3].numpy() * 255
    # The nodes nearest the axis: all within 35 degrees, well inside its 90-degree cube face.
    # Each face carries a white text label, so judge the face by its majority color.
    near = pos @ np.asarray(axis, float) > np.cos(np.radians(35))
    names = list(REFERENCE)
    ref = np.array([REFERENCE[n] for n in names], float)
    nearest = np.linalg.norm(rgb[near, None, :] - ref[None], axis=2).argmin(1)
    counts = np.bincount(nearest, minlength=len(names))
    assert names[int(counts.argmax())] == color
    assert counts[names.index(color)] > 0.7 * near.sum()
    np.testing.assert_allclose(np.median(rgb[near], axis=0), REFERENCE[color], atol=12)


def test_left_half_black_right_half_white() -> None:
    image = np.zeros((64, 128, 3), np.uint8)
    image[:, 64:] = 255
    s = panorama_to_sample(image, name="halves", source="test", level=3)
    lon = s.data.sph[:, 1].numpy()
    brightness = s.data.x[:, :3].numpy().mean(1)
    assert np.all(brightness[(lon > 3) & (lon < 177)] == pytest.approx(1.0))
    assert np.all(brightness[(lon < -3) & (lon > -177)] == pytest.approx(0.0))
    np.testing.assert_allclose(s.data.x[:, 3:].numpy(), s.data.sph.numpy())


def test_bilinear_sampling_wraps_in_longitude_and_clamps_at_poles() -> None:
    grid = np.zeros((4, 8))
    grid[:, 0], grid[:, -1] = 10.0, 30.0
    # u = -0.5 and u = W - 0.5 are both lon +-180: halfway between the last and first columns.
    out = sample_bilinear(grid, np.array([-0.5, 7.5, 0.0, 7.0]), np.array([1.0, 1.0, -0.5, 3.5]))
    np.testing.assert_allclose(out, [20.0, 20.0, 10.0, 30.0])


def test_graph_structure_and_attributes(room: RoomRender) -> None:
    s = panorama_to_sample(
        room.image,
        name="room",
        source="test",
        level=3,
        pixel_maps={"label": room.label, "depth": room.depth},
        label_names=room.label_names,
    )
    d = s.data
    assert s.kind == "panorama" and s.feature_names == ["r", "g", "b", "lat", "lon"]
    assert d.x.shape == (642, 5) and d.pos.shape == (642, 3) and d.sph.shape == (642, 2)
    assert d.face.shape == (3, 1280) and s.num_edges == 1920
    np.testing.assert_allclose(d.pos.norm(dim=1).numpy(), 1.0, atol=1e-6)
    np.testing.assert_allclose(latlon_to_xyz(d.sph[:, 0], d.sph[:, 1]), d.pos.numpy(), atol=1e-5)
    assert float(d.x[:, :3].min()) >= 0 and float(d.x[:, :3].max()) <= 1
    assert s.image is room.image and set(s.pixel_maps) == {"label", "depth"}
    assert s.units == {"depth": "m"} and s.label_names == ["floor", "wall", "ceiling", "object"]
    y, lat, depth = d.y.numpy(), d.sph[:, 0].numpy(), d.depth.numpy()
    assert set(np.unique(y)) == {FLOOR, WALL, CEILING, OBJECT}
    assert np.all(lat[y == FLOOR] < 0) and np.all(lat[y == CEILING] > 0)
    assert depth.shape == (642,) and float(depth.min()) > 0.5 and float(depth.max()) < ROOM_DIAGONAL
    # Straight down is the floor 1.5 m below the camera.
    south = int(lat.argmin())
    assert y[south] == FLOOR and depth[south] == pytest.approx(1.5, rel=0.01)


def test_labels_outside_the_names_become_unlabeled() -> None:
    image = np.zeros((32, 64, 3), np.uint8)
    label = np.full((32, 64), 255, np.uint8)
    label[16:] = 1
    s = panorama_to_sample(
        image, name="x", source="t", level=2, pixel_maps={"label": label}, label_names=["a", "b"]
    )
    y, lat = s.data.y.numpy(), s.data.sph[:, 0].numpy()
    assert np.all(y[lat > 3] == -1) and np.all(y[lat < -3] == 1)


def test_maps_must_match_the_image() -> None:
    image = np.zeros((32, 64, 3), np.uint8)
    with pytest.raises(LoadError, match="'depth' map is .* must match"):
        panorama_to_sample(image, name="x", source="t", level=1, pixel_maps={"depth": np.ones((16, 32))})
    with pytest.raises(LoadError, match="RGB image"):
        panorama_to_sample(image[..., 0], name="x", source="t")
    with pytest.raises(LoadError, match="level"):
        panorama_to_sample(image, name="x", source="t", level=9)


def test_with_level_resamples_and_keeps_maps(room: RoomRender) -> None:
    s = panorama_to_sample(
        room.image, name="room", source="builtin:room", level=2, pixel_maps={"label": room.label}
    )
    assert with_level(s, 2) is s
    s3 = with_level(s, 3)
    assert s3.num_nodes == 642 and s3.data.y.shape == (642,) and s3.source == "builtin:room"
    with pytest.raises(LoadError, match="level"):
        with_level(s, 12)


# ---------------------------------------------------------------- the room


def test_room_render_shapes_classes_and_depth(room: RoomRender) -> None:
    assert room.image.shape == (512, 1024, 3) and room.image.dtype == np.uint8
    assert room.depth.shape == (512, 1024) and room.depth.dtype == np.float32
    assert room.label.shape == (512, 1024) and room.label.dtype == np.uint8
    assert room.label_names == ["floor", "wall", "ceiling", "object"]
    assert set(np.unique(room.label)) == {FLOOR, WALL, CEILING, OBJECT}
    assert float(room.depth.min()) > 0 and float(room.depth.max()) < ROOM_DIAGONAL
    rows = np.arange(512)[:, None] * np.ones((1, 1024), int)
    assert np.all(rows[room.label == FLOOR] >= 256)  # floor below the horizon
    assert np.all(rows[room.label == CEILING] < 256)  # ceiling above it
    # Straight up and straight down: ceiling 1.3 m above, floor 1.5 m below the camera.
    assert np.all(room.label[0] == CEILING) and np.all(room.label[-1] == FLOOR)
    np.testing.assert_allclose(room.depth[0], 2.8 - 1.5, rtol=1e-3)
    np.testing.assert_allclose(room.depth[-1], 1.5, rtol=1e-3)
    # The image center looks along +X: it meets the far wall at x = 6 m (or the cabinet at 5.5 m).
    target = 6.0 - room.camera[0] if room.label[255, 512] == WALL else 5.5 - room.camera[0]
    assert room.depth[255, 512] == pytest.approx(target, abs=0.03)
    # Distinct surfaces get distinct colors, and the image is not flat.
    means = [room.image[room.label == c].mean(0) for c in range(4)]
    assert min(np.abs(a - b).sum() for i, a in enumerate(means) for b in means[i + 1 :]) > 10
    assert room.image.std() > 20


def test_room_is_deterministic_by_seed() -> None:
    a = render_room(1024, 512, seed=3)
    b = render_room(1024, 512, seed=3)
    c = render_room(256, 128, seed=4)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.depth, b.depth)
    assert np.array_equal(a.label, b.label)
    assert not np.array_equal(a.camera, c.camera)
    assert not np.array_equal(render_room(256, 128, seed=3).image, c.image)


# ---------------------------------------------------------------- builtins and readers


def test_registry_entries() -> None:
    assert [b.key for b in BUILTINS] == ["room", "earth"]
    assert all(b.kind == "panorama" for b in BUILTINS)
    assert BUILTINS[0].title == "Indoor room (procedural)"
    assert READERS[0].kind == "panorama" and READERS[0].extensions == (".png", ".jpg", ".jpeg")


def test_room_builtin_has_labels_and_depth() -> None:
    s = BUILTINS[0].load()
    assert s.num_nodes == 10242 and s.source == "builtin:room"
    assert s.data.y.shape == (10242,) and s.data.depth.shape == (10242,)
    assert s.pixel_maps["depth"].shape == (512, 1024)


def test_earth_builtin_is_oriented() -> None:
    s = load_earth(level=4)
    assert s.image.shape == (1024, 2048, 3)
    pos, rgb = s.data.pos.numpy(), s.data.x[:, :3].numpy()

    def color(lat: float, lon: float) -> np.ndarray:
        return rgb[int(np.argmax(pos @ latlon_to_xyz(lat, lon)[0]))]

    for lat, lon in [(0, -30), (0, -150), (-40, 80)]:  # Atlantic, Pacific, Indian Ocean
        r, _, b = color(lat, lon)
        assert b > r + 0.1
    for lat, lon in [(23, 10), (-25, 135)]:  # Sahara, Australia
        r, _, b = color(lat, lon)
        assert r > b + 0.1


def test_read_png_greyscale_rgba_and_companions(tmp_path: Path) -> None:
    gray = np.tile(np.linspace(0, 255, 64, dtype=np.uint8), (32, 1))
    s = read_panorama(_png(tmp_path / "gray.png", gray), [])
    assert s.name == "gray" and s.source.endswith("gray.png") and s.image.shape == (32, 64, 3)
    x = s.data.x.numpy()
    np.testing.assert_allclose(x[:, 0], x[:, 1]) and np.testing.assert_allclose(x[:, 1], x[:, 2])
    rgba = np.zeros((32, 63, 4), np.uint8)  # 63 = 2 * 32 - 1 is within the 1-pixel tolerance
    s = read_panorama(_png(tmp_path / "rgba.png", rgba), [tmp_path / "gray.png"])
    assert s.image.shape == (32, 63, 3)
    assert any("companion" in n for n in s.notices)
    jpg = tmp_path / "photo.jpeg"
    Image.fromarray(np.full((32, 64, 3), 128, np.uint8)).save(jpg)
    assert read_panorama(jpg, []).num_nodes == 10242


def _png_header(width: int, height: int) -> bytes:
    """A tiny PNG that declares ``width x height``: Pillow reads the size before any pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(bytes(100))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.png", b"", "empty"),
        ("noise.png", bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)), "not an image"),
        ("huge.png", _png_header(10000, 5000), "up to 8192x4096"),
        ("bomb.png", _png_header(14000, 7000), "decompression bomb"),  # Pillow warns
        ("bigger_bomb.png", _png_header(100000, 50000), "decompression bomb"),  # Pillow refuses
    ],
    ids=["empty", "random-bytes", "too-large", "bomb-warning", "bomb-error"],
)
def test_bad_files_raise_one_line_errors(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=words) as info:
        read_panorama(path, [])
    assert "\n" not in str(info.value) and name in str(info.value)


def test_truncated_png(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (64, 128, 3), dtype=np.uint8)).save(buf, format="PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(LoadError, match="corrupt or truncated"):
        read_panorama(path, [])


def test_wrong_aspect_and_data_images(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="300x200 pixels, not an equirectangular panorama.*twice"):
        read_panorama(_png(tmp_path / "wide.png", np.zeros((200, 300, 3), np.uint8)), [])
    with pytest.raises(LoadError, match="at least"):
        read_panorama(_png(tmp_path / "tiny.png", np.zeros((4, 8, 3), np.uint8)), [])
    depth16 = np.full((32, 64), 1000, np.uint16)
    with pytest.raises(LoadError, match="not colors"):
        read_panorama(_png(tmp_path / "depth.png", depth16), [])
