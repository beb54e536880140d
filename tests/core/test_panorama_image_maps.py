"""Vertex predictions back on the image grid, the camera-height scale, the image prefilter."""

import numpy as np
import pytest
import torch

from nodescope.core.geometry.fsaverage import icosphere_level
from nodescope.core.geometry.sphere import latlon_to_xyz, pixel_to_latlon
from nodescope.core.models.panorama.files import depth_png_mm, ply_bytes
from nodescope.core.models.panorama.image_maps import vertices_to_grid
from nodescope.core.models.panorama.single import floor_height, prefiltered


def _pixel_directions(h: int, w: int) -> np.ndarray:
    lat, lon = pixel_to_latlon(np.arange(w)[None, :], np.arange(h)[:, None], w, h)
    return latlon_to_xyz(lat, lon).reshape(h, w, 3)


@pytest.mark.parametrize(("h", "w"), [(64, 128), (128, 256), (512, 1024), (300, 601)])
def test_a_smooth_field_comes_back_at_every_pixel(h, w):
    torch.set_num_threads(1)
    v = icosphere_level(4).vertices.double()
    field = torch.stack([v[:, 0], v[:, 1], v[:, 2], torch.ones(len(v), dtype=v.dtype)], dim=1)
    grid = vertices_to_grid(field, 4, h, w).numpy()
    assert grid.shape == (4, h, w)
    assert np.allclose(grid[3], 1, atol=1e-5)  # weights sum to 1 everywhere
    # linear interpolation of x, y, z: within the chord sag of a level-4 triangle of the truth
    err = np.abs(np.moveaxis(grid[:3], 0, -1) - _pixel_directions(h, w)).max()
    assert err < 0.01, err


def test_the_seam_wraps_around():
    v = icosphere_level(3).vertices
    lon = torch.atan2(v[:, 1], v[:, 0])
    grid = vertices_to_grid(torch.cos(lon)[:, None], 3, 256, 512)[0].numpy()
    # the left and right borders are both lon = +-180: cos = -1 on both sides, not torn
    mid = slice(96, 160)
    assert np.allclose(grid[mid, 0], grid[mid, -1], atol=0.01)
    assert grid[mid, 0].mean() < -0.95


def test_the_floor_height_is_what_the_floor_vertices_say():
    d = icosphere_level(4).vertices.numpy().astype(np.float64)
    z = d[:, 2]
    layout = np.where(z < -0.3, 0, np.where(z > 0.3, 2, 1))
    pred = {"layout": layout, "layout_depth": np.where(z < -0.3, 1.7 / -np.minimum(z, -1e-3), 3.0)}
    assert floor_height(pred, d) == pytest.approx(1.7)
    assert floor_height({"layout": np.ones_like(layout), "layout_depth": pred["layout_depth"]}, d) is None


def test_tall_images_are_box_averaged_before_sampling():
    small = np.zeros((128, 256, 3), np.uint8)
    assert prefiltered(small) is small or np.shares_memory(prefiltered(small), small)
    big = np.zeros((1024, 2048, 3), np.uint8)
    big[::2] = 255  # stripes one pixel high: their average is gray
    out = prefiltered(big)
    assert out.shape == (256, 512, 3) and np.abs(out.astype(int) - 128).max() <= 1


def test_depth_png_and_ply_bytes():
    assert depth_png_mm(np.array([[0.0012, 1.5, 70.0]])).tolist() == [[1, 1500, 65535]]
    blob = ply_bytes(np.array([[1.0, 2.0, 3.0]]), np.array([[10, 20, 30]], np.uint8))
    head, body = blob.split(b"end_header\n")
    assert b"element vertex 1" in head and len(body) == 15
    assert np.frombuffer(body[:12], "<f4").tolist() == [1.0, 2.0, 3.0] and list(body[12:]) == [10, 20, 30]
